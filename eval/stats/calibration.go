package stats

import "math"

// DefaultCalibrationBins is the number of equal-width confidence bins of the
// reference toolkit's estimated_calibration_error.
const DefaultCalibrationBins = 15

// CalibrationHistogram accumulates predictions into equal-width confidence
// bins over [0, 1] so that the expected calibration error can be computed in
// one pass without keeping the predictions.
//
// Binning follows the reference exactly: the bin edges are numpy's
// linspace(0, 1, bins+1), i.e. i·(1/bins), and a probability goes to the
// number of inner edges strictly below it (np.searchsorted(edges[1:-1], p),
// side "left"). So a probability exactly on an edge belongs to the bin below
// it (bins are (lo, hi], the first [0, hi]), and values below 0 or above 1
// fall into the first or last bin.
type CalibrationHistogram struct {
	inner      []float64 // the bins−1 inner edges
	sumProb    []float64
	sumCorrect []float64
	count      []int
	n          int
	nan        bool
}

// NewCalibrationHistogram returns an empty histogram with the given number of
// bins (DefaultCalibrationBins for the reference's 15); bins < 1 is taken as 1.
func NewCalibrationHistogram(bins int) *CalibrationHistogram {
	bins = max(bins, 1)
	step := 1.0 / float64(bins)
	inner := make([]float64, bins-1)
	for i := range inner {
		inner[i] = float64(i+1) * step // numpy linspace: arange(num)*step + start
	}
	return &CalibrationHistogram{
		inner: inner, sumProb: make([]float64, bins), sumCorrect: make([]float64, bins), count: make([]int, bins),
	}
}

// Add records one prediction: whether it was correct and the predicted
// probability of its predicted class. A NaN probability makes the ECE NaN,
// as it does in numpy.
func (h *CalibrationHistogram) Add(correct bool, prob float64) {
	if math.IsNaN(prob) {
		h.nan = true
		return
	}
	bin := 0
	for bin < len(h.inner) && h.inner[bin] < prob {
		bin++
	}
	h.sumProb[bin] += prob
	if correct {
		h.sumCorrect[bin]++
	}
	h.count[bin]++
	h.n++
}

// N returns the number of predictions added.
func (h *CalibrationHistogram) N() int { return h.n }

// ECE returns Σ_bins (count/n)·|accuracy − mean confidence| over the
// non-empty bins; NaN when nothing was added (the reference leaves a factor
// without images out of its table) or a probability was NaN.
func (h *CalibrationHistogram) ECE() float64 {
	if h.n == 0 || h.nan {
		return math.NaN()
	}
	ece := 0.0
	for b, c := range h.count {
		if c == 0 {
			continue
		}
		total := float64(c)
		ece += math.Abs(h.sumCorrect[b]/total-h.sumProb[b]/total) * (total / float64(h.n))
	}
	return ece
}

// ExpectedCalibrationError is the reference toolkit's
// estimated_calibration_error(corrects, probabilities, n_bins=bins); see
// CalibrationHistogram for the binning. It returns NaN for no predictions or
// mismatched lengths.
func ExpectedCalibrationError(correct []bool, prob []float64, bins int) float64 {
	if len(correct) != len(prob) {
		return math.NaN()
	}
	h := NewCalibrationHistogram(bins)
	for i, c := range correct {
		h.Add(c, prob[i])
	}
	return h.ECE()
}
