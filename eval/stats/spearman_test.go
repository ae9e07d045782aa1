package stats

import (
	"context"
	"math"
	"testing"
)

func TestRankAveragesTies(t *testing.T) {
	// scipy.stats.rankdata([3,1,4,1,5,9,2,6,5,3,5])
	got := Rank([]float64{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5})
	want := []float64{4.5, 1.5, 6, 1.5, 8, 11, 3, 10, 8, 4.5, 8}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Rank = %v, want %v", got, want)
		}
	}
}

// Expected values: scipy.stats.spearmanr.
func TestSpearmanMatchesScipy(t *testing.T) {
	cases := []struct {
		name   string
		x, y   []float64
		rho, p float64
	}{
		{"ties", []float64{1, 2, 2, 3, 5, 5, 5, 8, 9, 10}, []float64{2, 1, 4, 4, 6, 5, 9, 9, 8, 12},
			0.9009676546491147, 0.00037283599802576367},
		{"binary", []float64{1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 1}, []float64{0, 0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0},
			0.50709255283711, 0.09243590837260092},
		{"perfect", []float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, -1, 0},
		{"constant", []float64{1, 1, 1, 1}, []float64{4, 3, 2, 1}, math.NaN(), math.NaN()},
		{"NaN", []float64{1, math.NaN(), 3}, []float64{1, 2, 3}, math.NaN(), math.NaN()},
	}
	for _, c := range cases {
		rho, p := Spearman(c.x, c.y)
		checkClose(t, c.name+" rho", rho, c.rho, 1e-12)
		checkRel(t, c.name+" p", p, c.p, 1e-9)
	}
}

// Expected values: the reference's spearman_corr_heatmaps construction,
// squareform(pdist(m, metric=spearmanr)), on generated binary columns
// column_j[i] = 1 if (13·i + 7·j) mod (j+3) == 0, i < 500.
func TestSpearmanMatrixMatchesReference(t *testing.T) {
	const n = 500
	cols := make([][]float64, 5)
	for j := 0; j < 4; j++ {
		cols[j] = make([]float64, n)
		for i := range cols[j] {
			if (i*13+7*j)%(j+3) == 0 {
				cols[j][i] = 1
			}
		}
	}
	cols[4] = make([]float64, n) // a constant column: NaN everywhere
	want := []struct {
		i, j   int
		rho, p float64
	}{
		{0, 1, -0.007344805084588213, 0.8698681356674083},
		{0, 2, -0.004240525192732337, 0.9246451593557171},
		{0, 3, 0.6299918046210053, 1.1783022596970944e-56},
		{1, 2, 0.0, 1.0},
		{1, 3, 0.2513722415339777, 1.208387307392394e-08},
		{2, 3, -0.008062768406468981, 0.8572776588602344},
	}
	rho, p, err := SpearmanMatrix(context.Background(), cols)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		checkClose(t, "rho", rho.At(w.i, w.j), w.rho, 1e-12)
		checkClose(t, "rho symmetric", rho.At(w.j, w.i), w.rho, 1e-12)
		checkRel(t, "p", p.At(w.i, w.j), w.p, 1e-9)
	}
	for i := 0; i < 4; i++ {
		if rho.At(i, i) != 1 || p.At(i, i) != 0 {
			t.Errorf("diagonal %d = %g, %g; want 1, 0", i, rho.At(i, i), p.At(i, i))
		}
		if !math.IsNaN(rho.At(i, 4)) || !math.IsNaN(p.At(4, i)) {
			t.Errorf("constant column against %d: %g, %g; want NaN", i, rho.At(i, 4), p.At(4, i))
		}
	}
	if _, _, err := SpearmanMatrix(context.Background(), [][]float64{{1, 2}, {1}}); err == nil {
		t.Error("SpearmanMatrix accepted columns of different lengths")
	}
}
