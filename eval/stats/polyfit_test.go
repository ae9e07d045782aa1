package stats

import "testing"

// Expected values: numpy.polyfit / numpy.polyval (numpy 1.24).
func TestPolyFitMatchesNumpy(t *testing.T) {
	cases := []struct {
		name   string
		x, y   []float64
		degree int
		coef   []float64
	}{
		{"cubic", []float64{0, 0, 1, 1, 2, 3, 5, 5, 8, 8, 10, 13},
			[]float64{1.2, 1.25, 1.1, 1.15, 1.05, 1.0, 0.97, 0.99, 1.02, 1.0, 1.1, 1.2}, 3,
			[]float64{-0.0004550490900643192, 0.014307833185102006, -0.1107953739790649, 1.222973609110037}},
		{"cubic over 0..100", []float64{0, 25, 50, 75, 100, 100}, []float64{0.9, 0.95, 1.1, 1.0, 1.3, 1.25}, 3,
			[]float64{1.504076738609112e-06, -0.0002011510791366906, 0.008894484412470033, 0.8859712230215824}},
		{"line", []float64{1, 2, 3}, []float64{2, 4, 6.5}, 1, []float64{2.2499999999999996, -0.33333333333333104}},
		// Two distinct x for a cubic: rank deficient, numpy's minimum-norm solution.
		{"rank deficient", []float64{1, 1, 1, 10, 10, 10}, []float64{1, 2, 3, 4, 5, 7}, 3,
			[]float64{0.0010681369279414677, 0.010918529727800736, 0.1317033443630594, 1.8563099889811978}},
		// Fewer points than coefficients, and a zero x.
		{"two points", []float64{1, 2}, []float64{1, 3}, 3,
			[]float64{0.1340726804634122, 0.23863748886028324, 0.3455787701752648, 0.2817110605010392}},
		{"zero x", []float64{0, 0, 5}, []float64{1, 2, 3}, 3,
			[]float64{0.003999999999999997, 0.019999999999999987, 0.09999999999999995, 1.5000000000000007}},
	}
	for _, c := range cases {
		coef, err := PolyFit(c.x, c.y, c.degree)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(coef) != len(c.coef) {
			t.Fatalf("%s: %d coefficients, want %d", c.name, len(coef), len(c.coef))
		}
		for i := range coef {
			checkClose(t, c.name, coef[i], c.coef[i], 1e-9)
		}
	}
}

func TestPolyFitRankDeficientFitsGroupMeans(t *testing.T) {
	coef, err := PolyFit([]float64{1, 1, 1, 10, 10, 10}, []float64{1, 2, 3, 4, 5, 7}, 3)
	if err != nil {
		t.Fatal(err)
	}
	checkClose(t, "fit at 1", PolyVal(coef, 1), 2, 1e-12)
	checkClose(t, "fit at 10", PolyVal(coef, 10), 16.0/3, 1e-12)
}

func TestPolyFitRejectsBadInput(t *testing.T) {
	for name, f := range map[string]func() error{
		"length mismatch": func() error { _, err := PolyFit([]float64{1, 2}, []float64{1}, 1); return err },
		"no points":       func() error { _, err := PolyFit(nil, nil, 1); return err },
		"negative degree": func() error { _, err := PolyFit([]float64{1}, []float64{1}, -1); return err },
	} {
		if f() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestPolyVal(t *testing.T) {
	// 2x³ − x + 5 at x = 3.
	if got := PolyVal([]float64{2, 0, -1, 5}, 3); got != 56 {
		t.Errorf("PolyVal = %g, want 56", got)
	}
}
