package stats

import (
	"math"
	"testing"
)

// approxEqual reports whether got matches want to a relative tolerance tol (or an
// absolute one near zero); NaN matches NaN and infinities match exactly.
func approxEqual(got, want, tol float64) bool {
	if math.IsNaN(want) || math.IsNaN(got) {
		return math.IsNaN(want) && math.IsNaN(got)
	}
	if math.IsInf(want, 0) || math.IsInf(got, 0) {
		return got == want
	}
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func checkClose(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if !approxEqual(got, want, tol) {
		t.Errorf("%s = %.17g, want %.17g", name, got, want)
	}
}

// checkRel compares with a purely relative tolerance, for p-values that can
// be far below 1; want 0 requires got below 1e-300.
func checkRel(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	ok := math.Abs(got-want) <= tol*math.Abs(want)
	if want == 0 {
		ok = got >= 0 && got < 1e-300
	}
	if math.IsNaN(want) || math.IsNaN(got) {
		ok = math.IsNaN(want) && math.IsNaN(got)
	}
	if !ok {
		t.Errorf("%s = %.17g, want %.17g (relative %g)", name, got, want, tol)
	}
}
