package analysis

import (
	"math"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/stats"
)

// Calibration holds expected calibration errors: over the images of each
// factor, the worst (highest) of those, and over all images. NaN marks a
// group without images.
type Calibration struct {
	Factor      [eval.NumFactors]float64
	WorstFactor float64
	Overall     float64
	// N is the number of images behind Overall.
	N int
	// Count is the number of images behind each factor's value, which
	// eval.Enough judges it by; Worst is the factor WorstFactor is of (-1
	// when none has a value).
	Count [eval.NumFactors]int
	Worst int
}

// CalibrationReport is a model's calibration overall and per metaclass
// (eval.Metaclasses order), as the reference's
// compute_factor_calibration_errors and
// compute_factor_metaclass_calibration_errors.
type CalibrationReport struct {
	Calibration
	ByMetaclass [eval.NumMetaclasses]Calibration
}

// FactorCalibration computes the reference's estimated_calibration_error
// (bins equal-width bins, stats.DefaultCalibrationBins for the reference's
// 15) per factor, worst factor and overall, for the whole set and per
// metaclass, in one pass.
func FactorCalibration(p *Predictions, bins int) (CalibrationReport, error) {
	var rep CalibrationReport
	if err := p.validate(true); err != nil {
		return rep, err
	}
	type hists struct {
		overall *stats.CalibrationHistogram
		factor  [eval.NumFactors]*stats.CalibrationHistogram
	}
	newHists := func() *hists {
		h := &hists{overall: stats.NewCalibrationHistogram(bins)}
		for f := range h.factor {
			h.factor[f] = stats.NewCalibrationHistogram(bins)
		}
		return h
	}
	all := newHists()
	var byMeta [eval.NumMetaclasses]*hists
	for m := range byMeta {
		byMeta[m] = newHists()
	}
	for i, ok := range p.Correct {
		if !p.included(i) {
			continue
		}
		for _, h := range []*hists{all, byMeta[p.Metaclass[i]]} {
			h.overall.Add(ok, p.Prob[i])
			for f := 0; f < eval.NumFactors; f++ {
				if p.Factors[i]&(1<<f) != 0 {
					h.factor[f].Add(ok, p.Prob[i])
				}
			}
		}
	}
	summarize := func(h *hists) Calibration {
		c := Calibration{WorstFactor: math.NaN(), Overall: h.overall.ECE(), N: h.overall.N(), Worst: -1}
		for f, fh := range h.factor {
			c.Factor[f], c.Count[f] = fh.ECE(), fh.N()
			// pandas max(axis=1) skips NaN
			if v := c.Factor[f]; !math.IsNaN(v) && (math.IsNaN(c.WorstFactor) || v > c.WorstFactor) {
				c.WorstFactor, c.Worst = v, f
			}
		}
		return c
	}
	rep.Calibration = summarize(all)
	for m, h := range byMeta {
		rep.ByMetaclass[m] = summarize(h)
	}
	return rep, nil
}
