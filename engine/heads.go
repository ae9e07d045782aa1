package engine

import (
	"fmt"

	"github.com/imagenetx/imagenetx/predictions"
)

// Head is one view of a run whose views differ in their number of scores
// and in how they are scored: one model of several fed by one pass.
type Head struct {
	// Classes is the number of scores the view gives per image.
	Classes int
	// Scorer makes the view's predictions; a Kind of OutputAuto is decided
	// on the first batch from this view's scores alone.
	Scorer Scorer
	// KindDecided, when set, is told the output kind OutputAuto resolved
	// to, before any result scored with it is committed.
	KindDecided func(OutputKind) error
}

// withHeads checks a configuration with heads.
func (c Config) withHeads() (Config, error) {
	if c.Views > 1 && c.Views != len(c.Heads) {
		return c, fmt.Errorf("%d views for %d heads", c.Views, len(c.Heads))
	}
	c.Views = len(c.Heads)
	sum := 0
	for h, head := range c.Heads {
		if head.Classes <= 0 {
			return c, fmt.Errorf("head %d: %d classes: must be positive", h, head.Classes)
		}
		sum += head.Classes
	}
	if sum != c.Classes {
		return c, fmt.Errorf("classes %d: the heads give %d", c.Classes, sum)
	}
	return c, nil
}

// headRows cuts an image's scores into its heads' rows.
func headRows(row []float32, heads []Head) [][]float32 {
	out := make([][]float32, len(heads))
	off := 0
	for h, head := range heads {
		out[h] = row[off : off+head.Classes]
		off += head.Classes
	}
	return out
}

// scoreHeads predicts one image from its scores, one prediction per head.
// A head whose scores cannot be scored (not finite) fails the image for
// that head alone (Result.HeadErrs), as its model's own run would.
func scoreHeads(r *Result, row []float32, heads []Head) {
	r.Views = make([]predictions.Prediction, len(heads))
	for h, hrow := range headRows(row, heads) {
		pred, err := heads[h].Scorer.Predict(r.Item.Name, hrow)
		if err != nil {
			if r.HeadErrs == nil {
				r.HeadErrs = make([]*ImageError, len(heads))
			}
			r.HeadErrs[h] = &ImageError{Stage: StageInference, Err: err}
		}
		r.Views[h] = pred
	}
	r.Pred = r.Views[0]
}

// detectHeads decides, head by head, the output kinds still OutputAuto from
// the images of b that went through (none: undecided yet).
func (c *committer) detectHeads(b *batch) error {
	classes := c.p.cfg.Classes
	for h := range c.heads {
		head := &c.heads[h]
		if head.Scorer.Kind != OutputAuto {
			continue
		}
		var rows [][]float32
		for slot := 0; slot < b.n; slot++ {
			if b.errs[slot] == nil {
				rows = append(rows, headRows(b.out[slot*classes:(slot+1)*classes], c.heads)[h])
			}
		}
		if len(rows) == 0 {
			return nil
		}
		head.Scorer.Kind = DetectOutputKind(rows)
		if head.KindDecided != nil {
			if err := head.KindDecided(head.Scorer.Kind); err != nil {
				return err
			}
		}
	}
	return nil
}
