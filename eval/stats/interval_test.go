package stats

import (
	"math"
	"testing"
)

// Expected values: scipy.stats.binomtest(k, n).proportion_ci(method="wilson").
func TestWilsonIntervalMatchesScipy(t *testing.T) {
	cases := []struct {
		k, n       int
		confidence float64
		lo, hi     float64
	}{
		{0, 10, 0.95, 0.0, 0.27753279986288926},
		{10, 10, 0.95, 0.7224672001371109, 1.0},
		{7, 10, 0.95, 0.39677814746114526, 0.892208732593699},
		{1, 3, 0.95, 0.06149194472039626, 0.7923403991979523},
		{512, 1000, 0.95, 0.48103255440609083, 0.5428756033902556},
		{36000, 48868, 0.95, 0.7327549316894293, 0.7405646590915109},
		{1, 1, 0.95, 0.20654931437723745, 1.0},
		{7, 10, 0.99, 0.32002467920110256, 0.9204336834769342},
	}
	for _, c := range cases {
		lo, hi := WilsonInterval(c.k, c.n, c.confidence)
		checkClose(t, "lo", lo, c.lo, 1e-12)
		checkClose(t, "hi", hi, c.hi, 1e-12)
	}
}

func TestWilsonIntervalRejectsImpossibleCounts(t *testing.T) {
	for _, c := range [][2]int{{0, 0}, {-1, 5}, {6, 5}} {
		lo, hi := WilsonInterval(c[0], c[1], 0.95)
		if !math.IsNaN(lo) || !math.IsNaN(hi) {
			t.Errorf("WilsonInterval(%d, %d) = %g, %g, want NaN", c[0], c[1], lo, hi)
		}
	}
}

// Expected values: the delta method on log R computed with numerical
// derivatives in numpy and scipy.stats.norm.ppf (an independent route to the
// same formula).
func TestErrorRatioIntervalDeltaMethod(t *testing.T) {
	cases := []struct {
		kf, nf, k, n  int
		confidence    float64
		ratio, lo, hi float64
	}{
		{80, 200, 750, 1000, 0.95, 2.4, 2.169941933141903, 2.6544489103724445},
		{30, 60, 36000, 48868, 0.95, 1.89881877525645, 1.47455650530899, 2.4451506119196686},
		{900, 1000, 36000, 48868, 0.95, 0.37976375505129, 0.31559764268851476, 0.4569758773293419},
		{5, 10, 90, 100, 0.99, 5.0, 2.502285683108318, 9.990865618886977},
	}
	for _, c := range cases {
		r, lo, hi := ErrorRatioInterval(c.kf, c.nf, c.k, c.n, c.confidence)
		checkClose(t, "ratio", r, c.ratio, 1e-12)
		checkClose(t, "lo", lo, c.lo, 1e-6) // numerical derivatives in the reference
		checkClose(t, "hi", hi, c.hi, 1e-6)
	}
}

func TestErrorRatioIntervalEdgeCases(t *testing.T) {
	// A factor covering every image has ratio 1 with no uncertainty.
	r, lo, hi := ErrorRatioInterval(70, 100, 70, 100, 0.95)
	if r != 1 || !approxEqual(lo, 1, 1e-15) || !approxEqual(hi, 1, 1e-15) {
		t.Errorf("full coverage: %g [%g, %g], want 1 [1, 1]", r, lo, hi)
	}
	// No error on the factor: ratio 0, bounds undefined.
	r, lo, hi = ErrorRatioInterval(10, 10, 70, 100, 0.95)
	if r != 0 || !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("no factor error: %g [%g, %g], want 0 [NaN, NaN]", r, lo, hi)
	}
	// Inconsistent counts: more factor errors than errors overall.
	if r, _, _ := ErrorRatioInterval(0, 50, 90, 100, 0.95); !math.IsNaN(r) {
		t.Errorf("inconsistent counts gave ratio %g, want NaN", r)
	}
}
