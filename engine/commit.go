package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/imagenetx/imagenetx/predictions"
)

// committer turns inferred batches into results and hands them to the sink
// strictly in list order, holding early batches until their turn. Batches are
// recycled only after their commit, so the pool bounds what is held.
type committer struct {
	p      *pipeline
	sink   Sink
	scorer Scorer
	// heads are Config.Heads, their kinds decided as the run goes.
	heads []Head
	began time.Time
	stats Stats
	next  int
	held  map[int]*batch
}

// loop commits batches as they arrive; it returns early (after cancelling
// the run) on a sink error or when it meets a batch the run did not finish.
func (c *committer) loop(ctx context.Context, cancel context.CancelCauseFunc) error {
	c.held = map[int]*batch{}
	for b := range c.p.done {
		c.held[b.seq] = b
		for {
			nb, ok := c.held[c.next]
			if !ok {
				break
			}
			delete(c.held, c.next)
			if nb.cancelled.Load() {
				cancel(nil) // keep what came before; stop the rest
				return nil
			}
			if err := c.commit(nb); err != nil {
				cancel(err)
				return err
			}
			c.next++
			c.p.free <- nb
		}
	}
	return nil
}

// commit scores and puts one batch's images.
func (c *committer) commit(b *batch) error {
	if len(c.heads) > 0 {
		if err := c.detectHeads(b); err != nil {
			return err
		}
	} else if c.scorer.Kind == OutputAuto {
		if err := c.detect(b); err != nil {
			return err
		}
	}
	classes := c.p.cfg.Classes
	for slot := 0; slot < b.n; slot++ {
		r := Result{Item: c.p.items[b.first+slot], Err: b.errs[slot]}
		if r.Err == nil {
			if err := c.score(&r, b.out[slot*classes:(slot+1)*classes]); err != nil {
				r.Err = &ImageError{Stage: StageInference, Err: err}
			}
		}
		if err := c.sink.Put(r); err != nil {
			return fmt.Errorf("write result for %s: %w", r.Item.Name, err)
		}
		c.stats.Done++
		if r.Err != nil {
			c.stats.Failed++
		}
	}
	if c.p.cfg.Progress != nil {
		c.p.cfg.Progress(c.snapshot().Progress)
	}
	return nil
}

// score predicts one image from its scores: one prediction, or with
// several views one per view, Pred being the first.
func (c *committer) score(r *Result, row []float32) error {
	if len(c.heads) > 0 {
		scoreHeads(r, row, c.heads)
		return nil
	}
	views := c.p.cfg.Views
	if views <= 1 {
		pred, err := c.scorer.Predict(r.Item.Name, row)
		r.Pred = pred
		return err
	}
	r.Views = make([]predictions.Prediction, views)
	for v, vrow := range splitViews(row, views) {
		pred, err := c.scorer.Predict(r.Item.Name, vrow)
		if err != nil {
			r.Views = nil
			return fmt.Errorf("view %d: %w", v, err)
		}
		r.Views[v] = pred
	}
	r.Pred = r.Views[0]
	return nil
}

// splitViews cuts an image's scores into its views' rows.
func splitViews(row []float32, views int) [][]float32 {
	n := len(row) / max(views, 1)
	out := make([][]float32, 0, views)
	for v := 0; v < max(views, 1); v++ {
		out = append(out, row[v*n:(v+1)*n])
	}
	return out
}

// detect decides logits vs probabilities from the first committed batch
// holding any image that went through, so the choice does not depend on
// goroutine timing.
func (c *committer) detect(b *batch) error {
	classes := c.p.cfg.Classes
	var rows [][]float32
	for slot := 0; slot < b.n; slot++ {
		if b.errs[slot] == nil {
			rows = append(rows, splitViews(b.out[slot*classes:(slot+1)*classes], c.p.cfg.Views)...)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	c.scorer.Kind = DetectOutputKind(rows)
	if c.p.cfg.KindDecided != nil {
		return c.p.cfg.KindDecided(c.scorer.Kind)
	}
	return nil
}

func (c *committer) snapshot() Stats {
	st := c.stats
	st.Elapsed = time.Since(c.began)
	st.OutputKind = c.scorer.Kind
	if len(c.heads) > 0 {
		st.HeadKinds = make([]OutputKind, len(c.heads))
		for h, head := range c.heads {
			st.HeadKinds[h] = head.Scorer.Kind
		}
		st.OutputKind = st.HeadKinds[0]
	}
	st.PrepareTime = time.Duration(c.p.prepNS.Load())
	st.InferTime = time.Duration(c.p.inferNS.Load())
	return st
}
