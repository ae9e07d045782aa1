package eval

import (
	"errors"
	"fmt"
	"math"

	"github.com/imagenetx/imagenetx/eval/stats"
)

// Correction is a multiple-testing correction across the factors.
type Correction int

const (
	// CorrectionHolm controls the family-wise error rate (stats.HolmAdjust).
	CorrectionHolm Correction = iota
	// CorrectionBH controls the false discovery rate (stats.BHAdjust).
	CorrectionBH
	// CorrectionNone reports the raw p-values.
	CorrectionNone
)

func (c Correction) String() string {
	switch c {
	case CorrectionHolm:
		return "holm"
	case CorrectionBH:
		return "bh"
	case CorrectionNone:
		return "none"
	}
	return fmt.Sprintf("Correction(%d)", int(c))
}

// ParseCorrection reads "holm", "bh" (or "fdr_bh") or "none".
func ParseCorrection(s string) (Correction, error) {
	switch s {
	case "holm":
		return CorrectionHolm, nil
	case "bh", "fdr_bh":
		return CorrectionBH, nil
	case "none":
		return CorrectionNone, nil
	}
	return 0, fmt.Errorf("unknown correction %q (want holm, bh or none)", s)
}

// Adjust returns the corrected p-values; NaN entries stay NaN and are left
// out of the family.
func (c Correction) Adjust(p []float64) []float64 {
	switch c {
	case CorrectionHolm:
		return stats.HolmAdjust(p)
	case CorrectionBH:
		return stats.BHAdjust(p)
	}
	return append([]float64(nil), p...)
}

// ErrDifferentImages reports two models whose predictions cover different
// annotated images.
var ErrDifferentImages = errors.New("the models were run on different images")

// CompareOptions configures Compare.
type CompareOptions struct {
	ErrorType  ErrorType
	Correction Correction
	// Alpha is the significance level applied to the corrected p-values.
	Alpha float64
	// AllowPartial compares on the images both models predicted even when
	// either predicted others; otherwise differing image sets are an error
	// (ErrDifferentImages).
	AllowPartial bool
	// MinImages is the small-sample rule (Enough): a row with fewer shared
	// images is never called significant (ComparisonRow.FewImages); 0
	// means DefaultMinImages.
	MinImages int
}

// ComparisonRow is one factor (or AverageFactor: all shared images) of a
// paired comparison of models A and B.
type ComparisonRow struct {
	Factor string
	// N shared images carry the factor; CorrectA and CorrectB of them were
	// predicted correctly by each model.
	N, CorrectA, CorrectB int
	AccuracyA, AccuracyB  float64
	// Difference is AccuracyB − AccuracyA.
	Difference float64
	// OnlyA counts images A got right and B wrong; OnlyB the reverse. These
	// discordant pairs are all the exact McNemar test looks at.
	OnlyA, OnlyB int
	// P is the two-sided exact McNemar p-value; PAdjusted is P corrected
	// across the 16 factors (the AverageFactor row is a family of one, so
	// there PAdjusted = P). NaN for a factor without shared images.
	P, PAdjusted float64
	// Significant is PAdjusted < Alpha with enough shared images (not
	// FewImages).
	Significant bool
	// FewImages is set when N is below CompareOptions.MinImages: the row
	// is shown but never singled out.
	FewImages bool
}

// Comparison is a paired comparison of two models on the images both
// predicted: one row per factor in Factors order, then AverageFactor.
type Comparison struct {
	ModelA, ModelB string
	Options        CompareOptions
	// Shared images have predictions of both models; InAOnly and InBOnly
	// have a prediction of one model only and are left out.
	Shared, InAOnly, InBOnly int
	Rows                     []ComparisonRow
}

// Compare runs paired exact McNemar tests between models a and b of acc,
// per factor and overall, on the images both predicted.
func Compare(acc *Accumulator, a, b string, opt CompareOptions) (*Comparison, error) {
	if !(opt.Alpha > 0 && opt.Alpha < 1) {
		return nil, fmt.Errorf("significance level %g: want a value between 0 and 1, e.g. 0.05", opt.Alpha)
	}
	if a == b {
		return nil, fmt.Errorf("compare needs two different models, got %q twice", a)
	}
	if err := CheckMinImages(opt.MinImages); err != nil {
		return nil, err
	}
	if opt.MinImages == 0 {
		opt.MinImages = DefaultMinImages
	}
	if err := acc.Dataset().Supports(opt.ErrorType); err != nil {
		return nil, err
	}
	if err := acc.KeepsImages(); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	ma, okA := acc.Model(a)
	mb, okB := acc.Model(b)
	if !okA || !okB {
		return nil, fmt.Errorf("compare: models %q and %q not both loaded (have %v)", a, b, acc.Models())
	}
	correctA, joinedA := acc.Correct(ma, opt.ErrorType)
	correctB, joinedB := acc.Correct(mb, opt.ErrorType)
	c := &Comparison{ModelA: a, ModelB: b, Options: opt}
	shared := make([]bool, len(joinedA))
	for i := range joinedA {
		shared[i] = joinedA[i] && joinedB[i]
		switch {
		case shared[i]:
			c.Shared++
		case joinedA[i]:
			c.InAOnly++
		case joinedB[i]:
			c.InBOnly++
		}
	}
	if err := c.checkImageSets(opt.AllowPartial); err != nil {
		return nil, err
	}
	c.Rows = pairedRows(acc.Dataset(), shared, correctA, correctB)
	c.applyCorrection()
	return c, nil
}

func (c *Comparison) checkImageSets(allowPartial bool) error {
	if c.Shared == 0 {
		return fmt.Errorf("%w: no annotated image has predictions from both %s (%d images) and %s (%d images)",
			ErrDifferentImages, c.ModelA, c.InAOnly, c.ModelB, c.InBOnly)
	}
	if !allowPartial && c.InAOnly+c.InBOnly > 0 {
		return fmt.Errorf("%w: %d annotated images have predictions from both, %d only from %s, %d only from %s",
			ErrDifferentImages, c.Shared, c.InAOnly, c.ModelA, c.InBOnly, c.ModelB)
	}
	return nil
}

// pairCounts tallies one group of shared images.
type pairCounts struct{ n, correctA, correctB, onlyA, onlyB int }

func (p *pairCounts) add(a, b bool) {
	p.n++
	switch {
	case a && b:
		p.correctA++
		p.correctB++
	case a:
		p.correctA++
		p.onlyA++
	case b:
		p.correctB++
		p.onlyB++
	}
}

func pairedRows(ds *Dataset, shared, correctA, correctB []bool) []ComparisonRow {
	var factor [NumFactors]pairCounts
	var all pairCounts
	for i, ok := range shared {
		if !ok {
			continue
		}
		all.add(correctA[i], correctB[i])
		for f := range factor {
			if ds.Images[i].Has(f) {
				factor[f].add(correctA[i], correctB[i])
			}
		}
	}
	rows := make([]ComparisonRow, 0, NumFactors+1)
	for f := range factor {
		rows = append(rows, factor[f].row(Factors[f]))
	}
	return append(rows, all.row(AverageFactor))
}

func (p *pairCounts) row(factor string) ComparisonRow {
	r := ComparisonRow{Factor: factor, N: p.n, CorrectA: p.correctA, CorrectB: p.correctB,
		OnlyA: p.onlyA, OnlyB: p.onlyB, AccuracyA: math.NaN(), AccuracyB: math.NaN(), Difference: math.NaN(), P: math.NaN()}
	if p.n > 0 {
		r.AccuracyA = float64(p.correctA) / float64(p.n)
		r.AccuracyB = float64(p.correctB) / float64(p.n)
		r.Difference = float64(p.correctB-p.correctA) / float64(p.n)
		r.P = stats.McNemarExact(p.onlyA, p.onlyB)
	}
	return r
}

// applyCorrection adjusts the factor rows' p-values as one family.
func (c *Comparison) applyCorrection() {
	p := make([]float64, NumFactors)
	for f := range p {
		p[f] = c.Rows[f].P
	}
	adj := c.Options.Correction.Adjust(p)
	for i := range c.Rows {
		r := &c.Rows[i]
		r.PAdjusted = r.P
		if i < NumFactors {
			r.PAdjusted = adj[i]
		}
		r.FewImages = !Enough(r.N, c.Options.MinImages)
		r.Significant = r.PAdjusted < c.Options.Alpha && !r.FewImages
	}
}
