// Package analysis computes the per-model analyses of the ImageNet-X paper
// that sit beside the factor tables: calibration per factor, the prevalence
// shift of factors among a model's mistakes, and the co-occurrence of the
// factors. Inputs are plain per-image slices (eval.Dataset and
// eval.Accumulator provide them); the statistics come from eval/stats.
// CalibrationTableOf, PrevalenceTableOf and CooccurrenceOf give the table of
// every model of an accumulator (or of a dataset) in one call.
package analysis

import (
	"fmt"

	"github.com/imagenetx/imagenetx/eval"
)

// Predictions is one model's outcome on the annotated images, as parallel
// slices indexed by image.
type Predictions struct {
	// Correct says whether the model's prediction was right.
	Correct []bool
	// Prob is the predicted probability of the predicted class; needed only
	// for calibration.
	Prob []float64
	// Factors has bit f set when factor f is annotated (eval.Image.Factors).
	Factors []uint16
	// Metaclass indexes eval.Metaclasses.
	Metaclass []int
	// Joined, when not nil, keeps only the images with Joined[i] (those the
	// model has a prediction for: the reference's inner join).
	Joined []bool
}

func (p *Predictions) validate(needProb bool) error {
	n := len(p.Correct)
	if len(p.Factors) != n || len(p.Metaclass) != n {
		return fmt.Errorf("predictions: %d correctness values, %d factor sets, %d metaclasses", n, len(p.Factors), len(p.Metaclass))
	}
	if needProb && len(p.Prob) != n {
		return fmt.Errorf("predictions: %d correctness values but %d probabilities", n, len(p.Prob))
	}
	if p.Joined != nil && len(p.Joined) != n {
		return fmt.Errorf("predictions: %d correctness values but %d joined flags", n, len(p.Joined))
	}
	for i, m := range p.Metaclass {
		if m < 0 || m >= eval.NumMetaclasses {
			return fmt.Errorf("predictions: image %d has metaclass index %d", i, m)
		}
	}
	return nil
}

func (p *Predictions) included(i int) bool { return p.Joined == nil || p.Joined[i] }
