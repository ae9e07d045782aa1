package sweep

import (
	"fmt"
	"math"
	"strconv"

	"github.com/imagenetx/imagenetx/eval/spillover"
	"github.com/imagenetx/imagenetx/eval/stats"
	"github.com/imagenetx/imagenetx/eval/tabular"
)

// Curves is a sweep as a chart shows it: per factor, the error ratio at
// each strength with a fitted polynomial, and the verdict at the strongest
// strength. Result.Curves makes it in memory, ReadCSV from a written
// spill-over table; both give the same curves and verdicts.
type Curves struct {
	// Title names the sweep, e.g. "mobilenetv2-12-int8 × colorjitter".
	Title string
	// StrengthLabel labels the strength axis; empty means "strength".
	StrengthLabel string
	// Strengths are the strengths swept, ascending.
	Strengths []float64
	// Factors holds one curve per factor.
	Factors []FactorCurve
}

// FactorCurve is one factor of Curves.
type FactorCurve struct {
	Name string
	// ErrorRatio holds the error ratio at each of Curves.Strengths (NaN
	// where unmeasured).
	ErrorRatio []float64
	// FitX and FitY trace the fitted polynomial (FitPoints points across
	// the finite error ratios); empty with fewer than 3 finite points.
	FitX, FitY []float64
	// Verdict is the factor's spill-over verdict at the strongest strength.
	Verdict Spillover
	// Evidence says what the verdict rests on: the change of the error
	// ratio with its interval and the McNemar p-value.
	Evidence string
}

// Significant reports a factor whose verdict is spill-over (worse or
// better).
func (f *FactorCurve) Significant() bool { return f.Verdict.Significant() }

// FitPoints is the number of points tracing a fitted curve.
const FitPoints = 64

// Curves returns the result's curves: each factor's error ratios, the fit
// and its verdict at the strongest strength.
func (r *Result) Curves() (Curves, error) {
	verdicts := make([]Spillover, len(r.Rows))
	for i := range r.Rows {
		verdicts[i] = r.spillover(&r.Rows[i])
	}
	return curves(r.Strengths, r.Rows, verdicts, r.Options.Correction.String())
}

// curves arranges rows (factor by factor, each over strengths in order)
// into Curves. verdicts[i] is the verdict of rows[i]; correction, when
// known, names the correction of the p-values in the evidence.
func curves(strengths []float64, rows []Row, verdicts []Spillover, correction string) (Curves, error) {
	c := Curves{Strengths: strengths}
	n := len(strengths)
	for k := 0; k+n <= len(rows); k += n {
		series := rows[k : k+n]
		last := &series[n-1]
		f := FactorCurve{Name: last.Factor, ErrorRatio: make([]float64, n), Verdict: verdicts[k+n-1], Evidence: evidence(last, correction)}
		for i := range series {
			f.ErrorRatio[i] = series[i].ErrorRatio
		}
		var err error
		if f.FitX, f.FitY, err = fitCurve(strengths, f.ErrorRatio); err != nil {
			return Curves{}, fmt.Errorf("sweep: fit %s: %w", f.Name, err)
		}
		c.Factors = append(c.Factors, f)
	}
	return c, nil
}

// evidence describes the row behind a verdict.
func evidence(row *Row, correction string) string {
	s := fmt.Sprintf("error ratio change at %s: %s [%s, %s] (%d images); McNemar on accuracy p_adj = %s",
		strconv.FormatFloat(row.Strength, 'g', -1, 64), tabular.FormatSigned(row.Change, 3), tabular.FormatSigned(row.ChangeLo, 3),
		tabular.FormatSigned(row.ChangeHi, 3), row.N, tabular.FormatP(row.PAdjusted))
	if correction != "" {
		s += " (" + correction + ")"
	}
	return s
}

// fitCurve fits the finite points with a least-squares polynomial of
// spillover.FitDegree (the paper's cubic), or one less than the number of
// points when there are fewer, and samples it across their range; with
// fewer than 3 points there is no curve worth drawing beyond the points.
func fitCurve(x, y []float64) (fx, fy []float64, err error) {
	var xs, ys []float64
	for i := range x {
		if !math.IsNaN(y[i]) && !math.IsInf(y[i], 0) {
			xs, ys = append(xs, x[i]), append(ys, y[i])
		}
	}
	if len(xs) < 3 {
		return nil, nil, nil
	}
	coef, err := stats.PolyFit(xs, ys, min(spillover.FitDegree, len(xs)-1))
	if err != nil {
		return nil, nil, err
	}
	lo, hi := xs[0], xs[len(xs)-1]
	for i := range FitPoints {
		v := lo + (hi-lo)*float64(i)/float64(FitPoints-1)
		fx, fy = append(fx, v), append(fy, stats.PolyVal(coef, v))
	}
	return fx, fy, nil
}
