package eval

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/imagenetx/imagenetx/eval/stats"
)

// ErrorType says when a prediction counts as correct.
type ErrorType int

const (
	// ErrorClass: the predicted class is the annotated class.
	ErrorClass ErrorType = iota
	// ErrorMetaclass: the predicted class has the annotated class's metaclass.
	ErrorMetaclass
	// ErrorReal: the predicted class is among the image's ReaL labels.
	ErrorReal
	numErrorTypes
)

// ErrorTypes lists every error type in a fixed order.
var ErrorTypes = [numErrorTypes]ErrorType{ErrorClass, ErrorMetaclass, ErrorReal}

func (e ErrorType) String() string {
	switch e {
	case ErrorClass:
		return "class"
	case ErrorMetaclass:
		return "metaclass"
	case ErrorReal:
		return "real"
	}
	return fmt.Sprintf("ErrorType(%d)", int(e))
}

// ParseErrorType reads "class", "metaclass" or "real" ("real_class" is
// accepted as the reference toolkit's spelling).
func ParseErrorType(s string) (ErrorType, error) {
	switch s {
	case "class":
		return ErrorClass, nil
	case "metaclass":
		return ErrorMetaclass, nil
	case "real", "real_class":
		return ErrorReal, nil
	}
	return 0, fmt.Errorf("unknown error type %q (want class, metaclass or real)", s)
}

// Row is one line of a factor table: one model, or one (model, metaclass)
// group. Accuracies are NaN where the group has no image to measure.
type Row struct {
	Model string
	// Metaclass is empty for rows over the whole data set.
	Metaclass string
	// Factor holds the accuracy over the images annotated with each factor.
	Factor [NumFactors]float64
	// WorstFactor is the lowest of Factor (NaN entries ignored).
	WorstFactor float64
	// Average is the accuracy over all the group's images.
	Average float64
	// Worst100Classes is the accuracy over the images of the 100 classes with
	// the lowest per-class accuracy; NaN where not computed.
	Worst100Classes float64
	// Counts behind the accuracies; zero when the row was read from a file.
	Count, Correct [NumFactors]int
	N, NCorrect    int
	// Annotated is the number of images the annotations hold in the row's
	// group (the data set, or the metaclass): N < Annotated when the
	// predictions cover part of them. Zero when read from a file.
	Annotated int
	// Classes is the number of classes among the row's images, and
	// Worst100N and Worst100Correct count the images behind
	// Worst100Classes and those right (whole-data-set rows from counts).
	Classes, Worst100N, Worst100Correct int
}

// ErrorRatio returns (1 − factor accuracy) / (1 − average) for factor f.
func (r *Row) ErrorRatio(f int) float64 {
	return (1 - r.Factor[f]) / (1 - r.Average)
}

// HighestRatios returns up to k factors ranked by error ratio, highest
// first (ties in factor order), among those with a finite ratio and
// enough images (Enough: at least minImages). It is a ranking, not a
// verdict: the highest ratio may be below 1, or its interval wide; see
// WorstFactors for the factors clearly harder than average.
func (r *Row) HighestRatios(k, minImages int) []int {
	idx := make([]int, 0, NumFactors)
	for f := range NumFactors {
		if v := r.ErrorRatio(f); Enough(r.Count[f], minImages) && !math.IsNaN(v) && !math.IsInf(v, 0) {
			idx = append(idx, f)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(r.ErrorRatio(b), r.ErrorRatio(a)) })
	return idx[:min(k, len(idx))]
}

// WorstFactors returns up to k factors clearly harder than the average
// image, highest error ratio first, by the rule the report names them by:
// at least minImages images (Enough) and the error ratio's 95% interval
// (ErrorRatioInterval) lying entirely above 1. A row without its counts
// (read from a file) has no intervals, so no factor qualifies.
func (r *Row) WorstFactors(k, minImages int) []int {
	var idx []int
	for _, f := range r.HighestRatios(NumFactors, minImages) {
		if _, lo, _ := r.ErrorRatioInterval(f, stats.DefaultConfidence); lo > 1 {
			idx = append(idx, f)
		}
	}
	return idx[:min(k, len(idx))]
}

// ErrorRatioInterval is factor f's error ratio with its interval at the
// given confidence (stats.ErrorRatioInterval; NaN without counts).
func (r *Row) ErrorRatioInterval(f int, confidence float64) (ratio, lo, hi float64) {
	return stats.ErrorRatioInterval(r.Correct[f], r.Count[f], r.NCorrect, r.N, confidence)
}

// Table is a factor table: one row per model, or per (model, metaclass) with
// the metaclasses in Metaclasses order.
type Table struct {
	ErrorType ErrorType
	// K is the number of ranked classes a prediction is scored by: 1 (or
	// 0, in a table read from a file) for top-1 accuracy, K for top-K
	// (Accumulator.TopKTable).
	K           int
	ByMetaclass bool
	Rows        []Row
}

// Row returns the first row of the named model over the whole data set.
func (t *Table) Row(model string) (*Row, bool) {
	for i := range t.Rows {
		if t.Rows[i].Model == model && t.Rows[i].Metaclass == "" {
			return &t.Rows[i], true
		}
	}
	return nil, false
}

// worstFactor is the minimum over the factors, skipping NaN as pandas does.
func worstFactor(acc *[NumFactors]float64) float64 {
	w := math.NaN()
	for _, a := range acc {
		if !math.IsNaN(a) && (math.IsNaN(w) || a < w) {
			w = a
		}
	}
	return w
}
