package stats

import (
	"math"
	"testing"
)

// generatedPredictions is a fixture the Python reference rebuilt identically:
// p_i = ((37·i) mod 101)/100, correct_i = (7·i mod 3 ≠ 0), i < 200.
func generatedPredictions() ([]bool, []float64) {
	correct, prob := make([]bool, 200), make([]float64, 200)
	for i := range prob {
		prob[i] = float64((i*37)%101) / 100
		correct[i] = (i*7)%3 != 0
	}
	return correct, prob
}

// Expected values: the reference's estimated_calibration_error run with numpy.
func TestExpectedCalibrationErrorMatchesReference(t *testing.T) {
	correct, prob := generatedPredictions()
	checkClose(t, "15 bins", ExpectedCalibrationError(correct, prob, 15), 0.28415, 1e-12)
	checkClose(t, "10 bins", ExpectedCalibrationError(correct, prob, 10), 0.25755, 1e-12)
	checkClose(t, "single", ExpectedCalibrationError([]bool{true}, []float64{0.3}, 15), 0.7, 1e-12)

	// Probabilities exactly on the bin edges k/15 (twice, as k/15 and k·(1/15)).
	var edgeCorrect []bool
	var edgeProb []float64
	for k := 0; k < 16; k++ {
		edgeProb = append(edgeProb, float64(k)/15)
	}
	for k := 0; k < 16; k++ {
		edgeProb = append(edgeProb, float64(k)*(1.0/15))
	}
	for k := range edgeProb {
		edgeCorrect = append(edgeCorrect, k%2 == 0)
	}
	checkClose(t, "edges", ExpectedCalibrationError(edgeCorrect, edgeProb, 15), 0.5249999999999999, 1e-12)
}

// numpy: searchsorted(linspace(0,1,16)[1:-1], k/15) = [0 0 1 2 … 14]: a
// probability on an edge belongs to the bin below.
func TestCalibrationBinsAtEdges(t *testing.T) {
	h := NewCalibrationHistogram(15)
	for k := 0; k <= 15; k++ {
		h.Add(true, float64(k)/15)
	}
	want := []int{2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	for b, c := range h.count {
		if c != want[b] {
			t.Errorf("bin %d holds %d, want %d (all: %v)", b, c, want[b], h.count)
		}
	}
	h.Add(false, 1.5)
	h.Add(false, -0.5)
	if h.count[14] != 2 || h.count[0] != 3 {
		t.Errorf("out-of-range probabilities: bins %v, want them in the first and last bins", h.count)
	}
}

func TestCalibrationEmptyAndNaN(t *testing.T) {
	if v := ExpectedCalibrationError(nil, nil, 15); !math.IsNaN(v) {
		t.Errorf("empty ECE = %g, want NaN", v)
	}
	if v := ExpectedCalibrationError([]bool{true, false}, []float64{0.5, math.NaN()}, 15); !math.IsNaN(v) {
		t.Errorf("ECE with NaN probability = %g, want NaN", v)
	}
	if v := ExpectedCalibrationError([]bool{true}, []float64{0.5, 0.6}, 15); !math.IsNaN(v) {
		t.Errorf("ECE of mismatched lengths = %g, want NaN", v)
	}
}

func BenchmarkCalibrationHistogram(b *testing.B) {
	correct, prob := generatedPredictions()
	h := NewCalibrationHistogram(DefaultCalibrationBins)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.Add(correct[i%200], prob[i%200])
	}
}
