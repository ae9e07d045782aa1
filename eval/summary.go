package eval

import (
	"fmt"
	"math"

	"github.com/imagenetx/imagenetx/eval/stats"
)

// Proportion is how many of N images were right, with the proportion and
// its Wilson interval (all NaN when N is 0).
type Proportion struct {
	N, Correct    int
	Value, Lo, Hi float64
}

func newProportion(correct, n int, confidence float64) Proportion {
	p := Proportion{N: n, Correct: correct, Value: math.NaN()}
	if n > 0 {
		p.Value = float64(correct) / float64(n)
	}
	p.Lo, p.Hi = stats.WilsonInterval(correct, n, confidence)
	return p
}

// FactorSummary is one factor of a ModelSummary.
type FactorSummary struct {
	Factor string
	// Top1 is the accuracy over the factor's images; TopK counts an image
	// right when any of the first K ranked classes is (TopK = Top1 when K
	// is 1).
	Top1, TopK Proportion
	// ErrorRatio is the top-1 error ratio with its interval
	// (stats.ErrorRatioInterval); NaN where undefined.
	ErrorRatio, ERLo, ERHi float64
	// Enough says whether enough images carry the factor to single it out
	// (Enough with the summary's MinImages).
	Enough bool
}

// ModelSummary is one model's headline numbers under one error type, what
// an audit summary or a report shows: coverage; top-1 and top-k accuracy
// over the model's annotated images; per factor the counts, accuracies and
// error ratio with intervals and whether enough images carry it; the
// factors worst by error ratio among those; and worst_factor and
// worst_100_classes with the caveats that say when they mislead.
type ModelSummary struct {
	Model     string
	ErrorType ErrorType
	// K is the number of ranked classes TopK counts (1: top-1 only).
	K int
	// Options are the confidence level and minimum image count used.
	Options  IntervalOptions
	Coverage Coverage
	// Top1 and TopK are over the annotated images the model predicted.
	Top1, TopK Proportion
	Factors    [NumFactors]FactorSummary
	// Worst lists the factors with enough images by top-1 error ratio,
	// highest first (Row.HighestRatios: a ranking, not a verdict; see
	// FactorSummary's intervals); empty when no factor has enough.
	Worst []int
	// WorstFactor and Worst100Classes are the factor table's columns
	// (top-1); their caveats are empty unless the value misleads
	// (Row.WorstFactorCaveat, Row.Worst100ClassesCaveat).
	WorstFactor, Worst100Classes             float64
	WorstFactorCaveat, Worst100ClassesCaveat string
}

// Summaries returns the summary of every model (Models order) under et,
// with top-k when the accumulator tallies it (AccumulatorOptions.TopK).
func (a *Accumulator) Summaries(et ErrorType, opt IntervalOptions) ([]ModelSummary, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	top1, err := a.Table(et)
	if err != nil {
		return nil, err
	}
	topK := top1
	if a.TopK() > 1 {
		if topK, err = a.TopKTable(et); err != nil {
			return nil, err
		}
	}
	var out []ModelSummary
	for _, name := range a.Models() {
		m, _ := a.Model(name)
		r1, _ := top1.Row(name)
		rk, _ := topK.Row(name)
		out = append(out, summarize(r1, rk, m.Coverage(), et, topK.K, opt))
	}
	return out, nil
}

// Summary returns one model's summary (see Summaries).
func (a *Accumulator) Summary(model string, et ErrorType, opt IntervalOptions) (*ModelSummary, error) {
	if _, ok := a.Model(model); !ok {
		return nil, fmt.Errorf("no predictions of model %q", model)
	}
	all, err := a.Summaries(et, opt)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].Model == model {
			return &all[i], nil
		}
	}
	return nil, fmt.Errorf("no predictions of model %q", model)
}

func summarize(r1, rk *Row, cov Coverage, et ErrorType, k int, opt IntervalOptions) ModelSummary {
	s := ModelSummary{
		Model: r1.Model, ErrorType: et, K: k, Options: opt, Coverage: cov,
		Top1:                  newProportion(r1.NCorrect, r1.N, opt.Confidence),
		TopK:                  newProportion(rk.NCorrect, rk.N, opt.Confidence),
		Worst:                 r1.HighestRatios(NumFactors, opt.MinImages),
		WorstFactor:           r1.WorstFactor,
		Worst100Classes:       r1.Worst100Classes,
		WorstFactorCaveat:     r1.WorstFactorCaveat(opt.MinImages),
		Worst100ClassesCaveat: r1.Worst100ClassesCaveat(),
	}
	for f := range NumFactors {
		fs := &s.Factors[f]
		fs.Factor = Factors[f]
		fs.Top1 = newProportion(r1.Correct[f], r1.Count[f], opt.Confidence)
		fs.TopK = newProportion(rk.Correct[f], rk.Count[f], opt.Confidence)
		fs.ErrorRatio, fs.ERLo, fs.ERHi = stats.ErrorRatioInterval(r1.Correct[f], r1.Count[f], r1.NCorrect, r1.N, opt.Confidence)
		fs.Enough = Enough(r1.Count[f], opt.MinImages)
	}
	return s
}
