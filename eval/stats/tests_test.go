package stats

import (
	"math"
	"testing"
)

// Expected values: min(1, 2·scipy.stats.binom.cdf(min(b,c), b+c, 0.5)),
// equal to scipy.stats.binomtest(...).pvalue, and its mid-p variant.
func TestMcNemarMatchesScipy(t *testing.T) {
	cases := []struct {
		b, c       int
		exact, mid float64
	}{
		{0, 0, 1.0, 1.0},
		{0, 1, 1.0, 0.5},
		{3, 9, 0.14599609375, 0.09228515624999999},
		{9, 3, 0.14599609375, 0.09228515624999999},
		{10, 10, 1.0, 1.0},
		{25, 40, 0.08168153394154003, 0.06401750413722561},
		{150, 210, 0.001834007417096482, 0.0015534937395615515},
		{1, 30, 2.9802322387695312e-08, 1.536682248115535e-08},
		{4000, 4200, 0.027972423571324283, 0.027203666331580376},
	}
	for _, c := range cases {
		checkRel(t, "exact", McNemarExact(c.b, c.c), c.exact, 1e-10)
		checkRel(t, "mid-p", McNemarMidP(c.b, c.c), c.mid, 1e-10)
	}
}

func TestDiscordant(t *testing.T) {
	a := []bool{true, true, false, false, true}
	b := []bool{true, false, true, false, false}
	onlyA, onlyB, err := Discordant(a, b)
	if err != nil || onlyA != 2 || onlyB != 1 {
		t.Errorf("Discordant = %d, %d, %v; want 2, 1, nil", onlyA, onlyB, err)
	}
	if _, _, err := Discordant(a, b[:3]); err == nil {
		t.Error("Discordant accepted vectors of different lengths")
	}
}

// Expected values: scipy.stats.ttest_ind(a, b, equal_var=False); df by the
// Welch–Satterthwaite formula in numpy.
func TestWelchTTestMatchesScipy(t *testing.T) {
	cases := []struct {
		a, b     []float64
		t, df, p float64
	}{
		{[]float64{0.91, 0.85, 0.88, 0.93, 0.90, 0.87}, []float64{0.80, 0.95, 0.70, 0.99, 0.82},
			0.7039451529143446, 4.404961588721003, 0.5169105755603636},
		{[]float64{1, 2, 3, 4, 5}, []float64{1.5, 2.5, 3.5, 4.5, 100},
			-0.9990051002716943, 4.010621048165399, 0.37418906438531047},
		{[]float64{2, 2, 2}, []float64{3, 3, 3, 3}, math.Inf(-1), 1, 0},
		{[]float64{1, 2}, []float64{1e-3, 2e-3, 3e-3, 4e-3, 5e-3, 6e-3, 7e-3, 8e-3, 9e-3, 1e-2},
			2.9889945201817363, 1.000007333345284, 0.20553424296959047},
		{[]float64{2, 2, 2}, []float64{2, 2}, math.NaN(), 1, math.NaN()},
		{[]float64{1}, []float64{2, 3}, math.NaN(), math.NaN(), math.NaN()},
	}
	for i, c := range cases {
		tt, df, p := WelchTTest(c.a, c.b)
		if !approxEqual(tt, c.t, 1e-12) || !approxEqual(df, c.df, 1e-12) || !approxEqual(p, c.p, 1e-10) {
			t.Errorf("case %d: WelchTTest = %.17g, %.17g, %.17g; want %.17g, %.17g, %.17g", i, tt, df, p, c.t, c.df, c.p)
		}
	}
}

// Expected values: statsmodels' multipletests algorithm re-implemented in
// numpy (Holm: running max of (m−j+1)·p; BH: running min of m/j·p).
func TestMultipleTestingCorrections(t *testing.T) {
	cases := []struct {
		p, holm, bh []float64
	}{
		{[]float64{0.01, 0.04, 0.03, 0.005}, []float64{0.03, 0.06, 0.06, 0.02}, []float64{0.02, 0.04, 0.04, 0.02}},
		{[]float64{0.5, 0.01, 0.2, 0.04, 0.04, 0.9, 0.001},
			[]float64{1, 0.06, 0.6, 0.2, 0.2, 1, 0.007},
			[]float64{0.5833333333333334, 0.035, 0.28, 0.07, 0.07, 0.9, 0.007}},
		{[]float64{0.3}, []float64{0.3}, []float64{0.3}},
		{[]float64{0.02, math.NaN(), 0.01}, []float64{0.02, math.NaN(), 0.02}, []float64{0.02, math.NaN(), 0.02}},
		{nil, []float64{}, []float64{}},
	}
	for i, c := range cases {
		holm, bh := HolmAdjust(c.p), BHAdjust(c.p)
		if len(holm) != len(c.p) || len(bh) != len(c.p) {
			t.Fatalf("case %d: lengths %d, %d, want %d", i, len(holm), len(bh), len(c.p))
		}
		for j := range c.p {
			checkClose(t, "holm", holm[j], c.holm[j], 1e-12)
			checkClose(t, "bh", bh[j], c.bh[j], 1e-12)
		}
	}
}

func TestCorrectionsAreMonotoneAndCapped(t *testing.T) {
	p := []float64{0.9, 0.001, 0.5, 0.02, 0.03, 0.7, 0.0004, 0.2}
	for name, adj := range map[string][]float64{"holm": HolmAdjust(p), "bh": BHAdjust(p)} {
		for i := range p {
			if adj[i] < p[i] || adj[i] > 1 {
				t.Errorf("%s: adjusted %g for p %g outside [p, 1]", name, adj[i], p[i])
			}
			for j := range p {
				if p[i] < p[j] && adj[i] > adj[j] {
					t.Errorf("%s: not monotone: p %g→%g but p %g→%g", name, p[i], adj[i], p[j], adj[j])
				}
			}
		}
	}
}
