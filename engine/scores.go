package engine

import (
	"errors"
	"fmt"
	"math"

	"github.com/imagenetx/imagenetx/predictions"
)

// OutputKind says what a model's scores are.
type OutputKind int

const (
	// OutputAuto decides from the first batch (see DetectOutputKind).
	OutputAuto OutputKind = iota
	// OutputLogits are unnormalised scores; predictions apply a softmax.
	OutputLogits
	// OutputProbabilities come from a model that ends in softmax.
	OutputProbabilities
)

// ParseOutputKind reads "auto", "logits" or "probabilities" ("probs").
func ParseOutputKind(s string) (OutputKind, error) {
	switch s {
	case "", "auto":
		return OutputAuto, nil
	case "logits":
		return OutputLogits, nil
	case "probabilities", "probs", "softmax":
		return OutputProbabilities, nil
	}
	return 0, fmt.Errorf("output kind %q: want auto, logits or probabilities", s)
}

func (k OutputKind) String() string {
	switch k {
	case OutputAuto:
		return "auto"
	case OutputLogits:
		return "logits"
	case OutputProbabilities:
		return "probabilities"
	}
	return fmt.Sprintf("OutputKind(%d)", int(k))
}

// probTolerance is how far from 1 a softmax row's sum may be (float32 sums
// of 1000 terms drift by ~1e-6; logits practically never land this close).
const probTolerance = 1e-3

// DetectOutputKind looks at rows of scores (at least one): when every row is
// non-negative and sums to 1, the model already ends in softmax.
func DetectOutputKind(rows [][]float32) OutputKind {
	if len(rows) == 0 {
		return OutputLogits
	}
	for _, row := range rows {
		sum := 0.0
		for _, v := range row {
			if !(v >= 0 && v <= 1) {
				return OutputLogits
			}
			sum += float64(v)
		}
		if math.Abs(sum-1) > probTolerance {
			return OutputLogits
		}
	}
	return OutputProbabilities
}

// Scorer turns one image's scores into a prediction.
type Scorer struct {
	// Kind must be OutputLogits or OutputProbabilities.
	Kind OutputKind
	// LabelOffset is dropped from the front of the scores: 1 for 1001-class
	// models whose index 0 is "background", so class c is score c+1.
	LabelOffset int
	// TopK is the number of classes reported (≤ 1: the top class only).
	TopK int
}

// ErrNonFinite marks scores holding NaN or ±Inf.
var ErrNonFinite = errors.New("model output is not finite (NaN or Inf)")

// Predict returns the top classes of row for the image name. Ties go to the
// lower class index. Probabilities are the softmax of logits (after the
// label offset is dropped) or the model's own probabilities.
func (s Scorer) Predict(name string, row []float32) (predictions.Prediction, error) {
	if s.LabelOffset < 0 || s.LabelOffset >= len(row) {
		return predictions.Prediction{}, fmt.Errorf("label offset %d with %d scores", s.LabelOffset, len(row))
	}
	row = row[s.LabelOffset:]
	k := max(s.TopK, 1)
	k = min(k, len(row))
	top, err := topIndices(row, k)
	if err != nil {
		return predictions.Prediction{}, err
	}
	norm := 1.0
	if s.Kind == OutputLogits {
		norm = softmaxDenominator(row, float64(row[top[0]]))
	}
	prob := func(c int) float64 {
		if s.Kind == OutputLogits {
			return math.Exp(float64(row[c])-float64(row[top[0]])) / norm
		}
		return float64(row[c])
	}
	p := predictions.Prediction{FileName: name, Class: top[0], Prob: prob(top[0])}
	if s.TopK > 1 {
		p.TopK = make([]predictions.ClassProb, len(top))
		for i, c := range top {
			p.TopK[i] = predictions.ClassProb{Class: c, Prob: prob(c)}
		}
	}
	return p, nil
}

// softmaxDenominator is Σ exp(x − max), computed in float64.
func softmaxDenominator(row []float32, maxv float64) float64 {
	sum := 0.0
	for _, v := range row {
		sum += math.Exp(float64(v) - maxv)
	}
	return sum
}

// topIndices returns the k highest-scoring indices, best first, and fails on
// non-finite scores.
func topIndices(row []float32, k int) ([]int, error) {
	top := make([]int, 0, k)
	for i, v := range row {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%w: score %d is %v", ErrNonFinite, i, v)
		}
		// Insert i after every entry scoring at least as high (ties keep
		// the lower index first).
		pos := len(top)
		for pos > 0 && row[top[pos-1]] < v {
			pos--
		}
		if pos >= k {
			continue
		}
		if len(top) < k {
			top = append(top, 0)
		}
		copy(top[pos+1:], top[pos:len(top)-1])
		top[pos] = i
	}
	return top, nil
}
