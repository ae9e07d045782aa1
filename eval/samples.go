package eval

import (
	"fmt"
	"math"
)

// DefaultMinImages is the number of images a factor needs before it is
// singled out (Enough).
const DefaultMinImages = 30

// Enough is the one small-sample rule: a single factor (or group) is
// singled out — ranked among the worst, led with in a headline, given a
// verdict — only when at least minImages images carry it. Below that its
// numbers are still shown, with their intervals, but flagged, never
// ranked. Row.WorstFactors, IntervalTable's FewImages, ModelSummary and
// eval/sweep's verdicts all go by it.
func Enough(n, minImages int) bool { return n >= minImages }

// CheckMinImages rejects a minimum image count that cannot be one.
func CheckMinImages(minImages int) error {
	if minImages < 0 {
		return fmt.Errorf("minimum image count %d is negative", minImages)
	}
	return nil
}

// WorstFactorCaveat says why the row's WorstFactor does not measure the
// model's weakest factor, or returns "" when nothing speaks against it (or
// the row, read from a file, has no counts to judge by). WorstFactor is
// the lowest of the factor accuracies; when that lowest rests on fewer than
// minImages images it says more about the sample than about the model:
// factors seen on one or two images sit at accuracy 0 or 1 by chance.
func (r *Row) WorstFactorCaveat(minImages int) string {
	if r.N == 0 || math.IsNaN(r.WorstFactor) {
		return ""
	}
	worst := r.worstFactorIndex()
	if worst < 0 || Enough(r.Count[worst], minImages) {
		return ""
	}
	return fmt.Sprintf("worst_factor %.4f is %s's accuracy on %d image(s), fewer than %d: too few to single out a factor",
		r.WorstFactor, Factors[worst], r.Count[worst], minImages)
}

// Worst100ClassesCaveat says why the row's Worst100Classes is not the
// reference's measure, or returns "" when it is (or cannot be judged:
// rows read from a file, by-metaclass rows, which have none). It ranks the
// classes by accuracy and averages the 100 lowest, so it needs predictions
// for every annotated image: on part of them, classes seen on an image or
// two sit at accuracy 0 and fill the lowest 100.
func (r *Row) Worst100ClassesCaveat() string {
	if r.N == 0 || r.Annotated == 0 || math.IsNaN(r.Worst100Classes) || r.N >= r.Annotated {
		return ""
	}
	return fmt.Sprintf("worst_100_classes needs predictions for every annotated image (it ranks all classes by accuracy); "+
		"%d of %d annotated images have one, covering %d classes", r.N, r.Annotated, r.Classes)
}
