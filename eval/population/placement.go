package population

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/stats"
)

// Confidence is the level of the intervals of a placement: the model's own
// interval and the population's prediction interval.
const Confidence = 0.95

// Fit is the least-squares line of one factor's error ratio on accuracy
// (average) over a population, with what its prediction interval needs.
type Fit struct {
	Slope, Intercept float64
	// N is the number of models fitted; MeanX and Sxx the mean of their
	// accuracies and the sum of squared deviations from it; S the
	// residual standard error √(Σresidual²/(N−2)); T the Student's t
	// quantile with N−2 degrees of freedom at (1+Confidence)/2.
	N          int
	MeanX, Sxx float64
	S, T       float64
	ratios     []float64
}

// Predict returns the error ratio expected at accuracy x and its
// prediction interval: ŷ ± t·s·√(1 + 1/n + (x − x̄)²/Sxx).
func (f *Fit) Predict(x float64) (y, lo, hi float64) {
	y = f.Slope*x + f.Intercept
	half := f.T * f.S * math.Sqrt(1+1/float64(f.N)+(x-f.MeanX)*(x-f.MeanX)/f.Sxx)
	return y, y - half, y + half
}

// Percentile returns v's mid-rank percentile among the fitted models'
// ratios: 100 × (models below + ½ × models equal) / N.
func (f *Fit) Percentile(v float64) float64 {
	below, equal := 0, 0
	for _, r := range f.ratios {
		switch {
		case r < v:
			below++
		case r == v:
			equal++
		}
	}
	return 100 * (float64(below) + 0.5*float64(equal)) / float64(len(f.ratios))
}

// Reference is a population prepared for placing models in it: one Fit per
// factor.
type Reference struct {
	Population *Population
	Fits       [eval.NumFactors]Fit
}

// NewReference fits, for every factor, the error ratio on accuracy over
// pop's models with a finite accuracy and ratio (numpy.polyfit(x, y, 1)).
func NewReference(pop *Population) (*Reference, error) {
	ref := &Reference{Population: pop}
	for f := range eval.NumFactors {
		var x, y []float64
		for i := range pop.Models {
			r := &pop.Models[i].Row
			if v := r.ErrorRatio(f); finite(v) && finite(r.Average) {
				x = append(x, r.Average)
				y = append(y, v)
			}
		}
		if len(x) < 3 {
			return nil, fmt.Errorf("population: %d model(s) with a %s error ratio, need at least 3 for a prediction interval", len(x), eval.Factors[f])
		}
		coef, err := stats.PolyFit(x, y, 1)
		if err != nil {
			return nil, fmt.Errorf("population: %s: %w", eval.Factors[f], err)
		}
		fit := Fit{Slope: coef[0], Intercept: coef[1], N: len(x), ratios: y}
		for _, v := range x {
			fit.MeanX += v
		}
		fit.MeanX /= float64(len(x))
		ss := 0.0
		for i, v := range x {
			fit.Sxx += (v - fit.MeanX) * (v - fit.MeanX)
			res := y[i] - (fit.Slope*v + fit.Intercept)
			ss += res * res
		}
		if fit.Sxx == 0 {
			return nil, fmt.Errorf("population: every model has the same accuracy; no line can be fitted for %s", eval.Factors[f])
		}
		dof := float64(len(x) - 2)
		fit.S = math.Sqrt(ss / dof)
		fit.T = distuv.StudentsT{Mu: 0, Sigma: 1, Nu: dof}.Quantile((1 + Confidence) / 2)
		ref.Fits[f] = fit
	}
	return ref, nil
}

// Placement is one model's factor placed among a population.
type Placement struct {
	Model  string
	Factor int
	// ErrorRatio is the model's, with its own Confidence interval [Lo, Hi]
	// from its counts (NaN bounds when the row carries no counts, as a
	// table read from a file).
	ErrorRatio, Lo, Hi float64
	// Images is the number of images annotated with the factor the model
	// was scored on (0 when unknown).
	Images int
	// Percentile is the model's mid-rank percentile among the population
	// (low: fewer mistakes on the factor than most models).
	Percentile float64
	// Expected is the ratio expected at the model's accuracy from the
	// population's line, within the prediction interval
	// [ExpectedLo, ExpectedHi]; Residual is ErrorRatio − Expected.
	Expected, ExpectedLo, ExpectedHi, Residual float64
	// Separate says the model's own interval and the prediction interval
	// do not overlap, on at least eval.DefaultMinImages images (the one
	// small-sample rule, eval.Enough): only then does the placement say
	// something of the factor. FewImages marks a factor on fewer images,
	// never separate whatever its interval.
	Separate, FewImages bool
}

// Above reports whether a separate placement is above what the model's
// accuracy predicts (more mistakes on the factor than its peers).
func (p Placement) Above() bool { return p.Separate && p.Lo > p.ExpectedHi }

// Place places a model's row among the reference population, factor by
// factor.
func (ref *Reference) Place(row *eval.Row) []Placement {
	out := make([]Placement, eval.NumFactors)
	for f := range eval.NumFactors {
		fit := &ref.Fits[f]
		p := Placement{Model: row.Model, Factor: f, ErrorRatio: row.ErrorRatio(f), Lo: math.NaN(), Hi: math.NaN(), Images: row.Count[f]}
		if row.N > 0 {
			_, p.Lo, p.Hi = stats.ErrorRatioInterval(row.Correct[f], row.Count[f], row.NCorrect, row.N, Confidence)
		}
		p.Percentile = fit.Percentile(p.ErrorRatio)
		p.Expected, p.ExpectedLo, p.ExpectedHi = fit.Predict(row.Average)
		p.Residual = p.ErrorRatio - p.Expected
		p.FewImages = !eval.Enough(p.Images, eval.DefaultMinImages)
		p.Separate = !p.FewImages && finite(p.Lo) && finite(p.Hi) && (p.Lo > p.ExpectedHi || p.Hi < p.ExpectedLo)
		if !finite(p.ErrorRatio) {
			p.Percentile = math.NaN()
		}
		out[f] = p
	}
	return out
}

// Indicative reports whether a row's placement rests on part of the
// annotated images only (the model was scored on fewer images than the
// release annotates): error ratios depend on which images were scored, so
// such a placement is indicative. A row without counts is not judged.
func Indicative(row *eval.Row) bool {
	return row.Annotated > 0 && row.N < row.Annotated
}
