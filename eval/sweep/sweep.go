package sweep

import (
	"context"
	"fmt"
	"math"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/stats"
)

// Level is one strength's predictions: Model's predictions in Acc.
type Level struct {
	Strength float64
	Acc      *eval.Accumulator
	Model    string
}

// Options configures Analyze.
type Options struct {
	ErrorType  eval.ErrorType
	Correction eval.Correction
	Bootstrap  stats.Bootstrap
	// Alpha is the significance level of the verdicts in the summary.
	Alpha float64
	// MinImages is the number of images below which a factor's error ratio
	// interval is not trusted for a verdict (a bootstrap over one or two
	// images is degenerate); 0 means eval.DefaultMinImages.
	MinImages int
}

// DefaultAlpha is the significance level used when Options.Alpha is 0.
const DefaultAlpha = 0.05

// Row is one (factor, strength) cell of a sweep.
type Row struct {
	Factor   string
	Strength float64
	// N paired images carry the factor; Correct of them are right at this
	// strength.
	N, Correct int
	// Accuracy is Correct/N; ErrorRatio is (1 − Accuracy)/(1 − overall
	// accuracy at this strength), both over the paired images.
	Accuracy, ErrorRatio float64
	// Change is ErrorRatio minus the baseline's, with the paired bootstrap
	// interval [ChangeLo, ChangeHi]; zero at the baseline.
	Change, ChangeLo, ChangeHi float64
	// OnlyBase counts the factor's images right at the baseline and wrong
	// here, OnlyVariant the reverse.
	OnlyBase, OnlyVariant int
	// P is the exact McNemar p-value of the factor's correctness here
	// against the baseline, PAdjusted it corrected across the factors of
	// this strength; NaN at the baseline and for factors without images.
	P, PAdjusted float64
}

// Result is a sweep's analysis.
type Result struct {
	Strengths []float64
	Options   Options
	// Images are the annotated images predicted at every strength (the
	// paired set every statistic uses); Unpaired those missing at some
	// strength (a failed image), left out.
	Images, Unpaired int
	// Accuracy is the overall accuracy at each strength.
	Accuracy []float64
	// Rows hold, for each factor in eval.Factors order, one row per
	// strength in Strengths order.
	Rows []Row
}

// Row returns the row of factor f at strength index s.
func (r *Result) Row(f, s int) *Row { return &r.Rows[f*len(r.Strengths)+s] }

// Analyze compares every level with the first. The levels must share one
// dataset and be ordered by strength.
func Analyze(ctx context.Context, levels []Level, opt Options) (*Result, error) {
	if opt.Alpha == 0 {
		opt.Alpha = DefaultAlpha
	}
	if opt.MinImages == 0 {
		opt.MinImages = eval.DefaultMinImages
	}
	correct, err := pairedCorrectness(levels, opt.ErrorType)
	if err != nil {
		return nil, err
	}
	ds := levels[0].Acc.Dataset()
	res := &Result{Options: opt, Images: len(correct.index), Unpaired: correct.unpaired}
	for _, l := range levels {
		res.Strengths = append(res.Strengths, l.Strength)
	}
	if res.Images == 0 {
		return nil, fmt.Errorf("sweep: no annotated image was predicted at every strength")
	}
	masks := factorMasks(ds, correct.index)
	res.Rows = make([]Row, eval.NumFactors*len(levels))
	for s := range levels {
		res.Accuracy = append(res.Accuracy, fraction(correct.at[s]))
		if err := res.fillStrength(ctx, s, correct.at, masks); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// paired holds each level's correctness on the images every level predicted.
type paired struct {
	index    []int    // dataset index of each paired image
	at       [][]bool // at[level][k]: paired image k correct at that level
	unpaired int
}

func pairedCorrectness(levels []Level, et eval.ErrorType) (*paired, error) {
	if len(levels) < 2 {
		return nil, fmt.Errorf("sweep: need a baseline and at least one other strength, got %d", len(levels))
	}
	var correct, joined [][]bool
	for i, l := range levels {
		if l.Acc.Dataset() != levels[0].Acc.Dataset() {
			return nil, fmt.Errorf("sweep: strength %v uses another dataset", l.Strength)
		}
		if i > 0 && !(l.Strength > levels[i-1].Strength) {
			return nil, fmt.Errorf("sweep: strengths must rise, got %v after %v", l.Strength, levels[i-1].Strength)
		}
		if err := l.Acc.KeepsImages(); err != nil {
			return nil, fmt.Errorf("sweep: strength %v: %w", l.Strength, err)
		}
		m, ok := l.Acc.Model(l.Model)
		if !ok {
			return nil, fmt.Errorf("sweep: no predictions of %s at strength %v", l.Model, l.Strength)
		}
		c, j := l.Acc.Correct(m, et)
		correct, joined = append(correct, c), append(joined, j)
	}
	p := &paired{at: make([][]bool, len(levels))}
	for i := range joined[0] {
		all, any := true, false
		for _, j := range joined {
			all, any = all && j[i], any || j[i]
		}
		if !all {
			if any {
				p.unpaired++
			}
			continue
		}
		p.index = append(p.index, i)
		for s := range levels {
			p.at[s] = append(p.at[s], correct[s][i])
		}
	}
	return p, nil
}

// factorMasks says, per factor, which paired images carry it.
func factorMasks(ds *eval.Dataset, index []int) [][]bool {
	masks := make([][]bool, eval.NumFactors)
	for f := range masks {
		masks[f] = make([]bool, len(index))
		for k, i := range index {
			masks[f][k] = ds.Images[i].Has(f)
		}
	}
	return masks
}

// fillStrength computes the rows of strength index s.
func (r *Result) fillStrength(ctx context.Context, s int, at [][]bool, masks [][]bool) error {
	overall := fraction(at[s])
	p := make([]float64, eval.NumFactors)
	for f := range masks {
		row := r.Row(f, s)
		*row = factorRow(eval.Factors[f], r.Strengths[s], at[0], at[s], masks[f], overall, s == 0)
		p[f] = row.P
	}
	if s == 0 {
		return nil
	}
	change, lo, hi, err := r.Options.Bootstrap.ErrorRatioChanges(ctx, at[0], at[s], masks)
	if err != nil {
		return fmt.Errorf("sweep: strength %v: %w", r.Strengths[s], err)
	}
	adj := r.Options.Correction.Adjust(p)
	for f := range masks {
		row := r.Row(f, s)
		row.Change, row.ChangeLo, row.ChangeHi, row.PAdjusted = finite(change[f]), finite(lo[f]), finite(hi[f]), adj[f]
	}
	return nil
}

// factorRow tallies one factor at one strength against the baseline; at
// the baseline itself the change is 0 and there is no test.
func factorRow(factor string, strength float64, base, variant, mask []bool, overall float64, baseline bool) Row {
	r := Row{Factor: factor, Strength: strength, Accuracy: math.NaN(), ErrorRatio: math.NaN(),
		P: math.NaN(), PAdjusted: math.NaN()}
	for k, on := range mask {
		if !on {
			continue
		}
		r.N++
		switch {
		case variant[k] && !base[k]:
			r.OnlyVariant++
		case base[k] && !variant[k]:
			r.OnlyBase++
		}
		if variant[k] {
			r.Correct++
		}
	}
	if r.N > 0 {
		r.Accuracy = float64(r.Correct) / float64(r.N)
		if overall < 1 { // no error at all leaves the ratio undefined
			r.ErrorRatio = (1 - r.Accuracy) / (1 - overall)
		}
	}
	if baseline {
		return r // Change and its bounds stay 0
	}
	r.Change, r.ChangeLo, r.ChangeHi = math.NaN(), math.NaN(), math.NaN()
	if r.N > 0 {
		r.P = stats.McNemarExact(r.OnlyBase, r.OnlyVariant)
	}
	return r
}

func fraction(b []bool) float64 {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return float64(n) / float64(len(b))
}

// finite maps ±Inf (a resample or strength without any error) to NaN, an
// empty field in the tables.
func finite(v float64) float64 {
	if math.IsInf(v, 0) {
		return math.NaN()
	}
	return v
}
