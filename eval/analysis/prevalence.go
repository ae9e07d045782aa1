package analysis

import (
	"math"

	"github.com/imagenetx/imagenetx/eval"
)

// PrevalenceShift compares how often each factor is annotated among a
// model's mistakes with how often it is annotated among all its images.
// Shares are over factor annotations, not images (the reference divides each
// factor's count by the sum over factors, which matters for multi-factor
// annotations).
type PrevalenceShift struct {
	// Share is factor f's share of all factor annotations.
	Share [eval.NumFactors]float64
	// MistakeShare is its share among the misclassified images' annotations.
	MistakeShare [eval.NumFactors]float64
	// Shift is (MistakeShare − Share)/Share: above 0 the factor is
	// over-represented among the mistakes (the model is less robust to it).
	// 0/0 reads as 0, as the reference's fillna(0).
	Shift [eval.NumFactors]float64
	// Images and Mistakes count the images behind the shares.
	Images, Mistakes int
	// Count is the number of images carrying each factor, which
	// eval.Enough judges a factor's shift by.
	Count [eval.NumFactors]int
}

// PrevalenceReport is a model's prevalence shift overall and per metaclass
// (eval.Metaclasses order), with each metaclass's accuracy, as the
// reference's Prevalence class (compute_misclassification_shift and
// compute_metaclass_misclassification_shift).
type PrevalenceReport struct {
	PrevalenceShift
	ByMetaclass       [eval.NumMetaclasses]PrevalenceShift
	MetaclassAccuracy [eval.NumMetaclasses]float64
}

type factorCounts struct {
	all, mistakes         [eval.NumFactors]float64
	images, mistakeImages int
}

func (c *factorCounts) add(factors uint16, correct bool) {
	c.images++
	if !correct {
		c.mistakeImages++
	}
	for f := 0; f < eval.NumFactors; f++ {
		if factors&(1<<f) != 0 {
			c.all[f]++
			if !correct {
				c.mistakes[f]++
			}
		}
	}
}

func (c *factorCounts) shift() PrevalenceShift {
	s := PrevalenceShift{Images: c.images, Mistakes: c.mistakeImages}
	var total, totalMistakes float64
	for f := range c.all {
		total += c.all[f]
		totalMistakes += c.mistakes[f]
	}
	for f := range c.all {
		s.Count[f] = int(c.all[f])
		s.Share[f] = c.all[f] / total
		s.MistakeShare[f] = c.mistakes[f] / totalMistakes
		s.Shift[f] = (s.MistakeShare[f] - s.Share[f]) / s.Share[f]
		if math.IsNaN(s.Shift[f]) {
			s.Shift[f] = 0
		}
	}
	return s
}

// Prevalence computes the prevalence shift of a model's mistakes overall and
// per metaclass. Per metaclass, both shares are taken within the metaclass.
func Prevalence(p *Predictions) (PrevalenceReport, error) {
	var rep PrevalenceReport
	if err := p.validate(false); err != nil {
		return rep, err
	}
	var all factorCounts
	var byMeta [eval.NumMetaclasses]factorCounts
	for i, ok := range p.Correct {
		if !p.included(i) {
			continue
		}
		all.add(p.Factors[i], ok)
		byMeta[p.Metaclass[i]].add(p.Factors[i], ok)
	}
	rep.PrevalenceShift = all.shift()
	for m := range byMeta {
		rep.ByMetaclass[m] = byMeta[m].shift()
		c := &byMeta[m]
		rep.MetaclassAccuracy[m] = float64(c.images-c.mistakeImages) / float64(c.images)
	}
	return rep, nil
}
