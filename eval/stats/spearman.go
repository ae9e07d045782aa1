package stats

import (
	"context"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// Rank returns the 1-based ranks of x, tied values sharing the average of
// their ranks, as scipy.stats.rankdata(x, method="average").
func Rank(x []float64) []float64 {
	order := make([]int, len(x))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return x[order[a]] < x[order[b]] })
	ranks := make([]float64, len(x))
	for start := 0; start < len(order); {
		end := start + 1
		for end < len(order) && x[order[end]] == x[order[start]] {
			end++
		}
		avg := float64(start+end+1) / 2 // mean of the 1-based ranks start+1 … end
		for _, i := range order[start:end] {
			ranks[i] = avg
		}
		start = end
	}
	return ranks
}

// Spearman returns Spearman's rank correlation of x and y and its two-sided
// p-value, as scipy.stats.spearmanr: the Pearson correlation of the average
// ranks, and p from Student's t with n−2 degrees of freedom,
// t = ρ·sqrt((n−2)/((1+ρ)(1−ρ))). A constant input (or any NaN, or fewer
// than 3 pairs for p) gives NaN, as scipy does.
func Spearman(x, y []float64) (rho, p float64) {
	if len(x) != len(y) || hasNaN(x) || hasNaN(y) {
		return math.NaN(), math.NaN()
	}
	return spearmanOfRanks(Rank(x), Rank(y))
}

func spearmanOfRanks(rx, ry []float64) (rho, p float64) {
	if len(rx) < 2 || isConstant(rx) || isConstant(ry) {
		return math.NaN(), math.NaN()
	}
	rho = math.Max(-1, math.Min(1, stat.Correlation(rx, ry, nil))) // numpy.corrcoef clips too
	return rho, spearmanP(rho, len(rx))
}

func spearmanP(rho float64, n int) float64 {
	if n < 3 {
		return math.NaN()
	}
	dof := float64(n - 2)
	t := rho * math.Sqrt(math.Max(0, dof/((rho+1)*(1-rho))))
	if math.Abs(rho) == 1 {
		t = math.Copysign(math.Inf(1), rho)
	}
	return TwoSidedStudentsTP(t, dof)
}

// SpearmanMatrix returns the Spearman correlations between every pair of
// columns and their p-values, as scipy.stats.spearmanr per pair. Unlike the
// reference's squareform(pdist(...)), which leaves zeros on the diagonal,
// the diagonal holds the true values: 1 and p = 0 (NaN for a constant
// column).
func SpearmanMatrix(ctx context.Context, columns [][]float64) (rho, p *mat.SymDense, err error) {
	k := len(columns)
	if k == 0 {
		return nil, nil, fmt.Errorf("spearman matrix: no columns")
	}
	ranks := make([][]float64, k)
	for j, c := range columns {
		if len(c) != len(columns[0]) {
			return nil, nil, fmt.Errorf("spearman matrix: column %d has %d values, column 0 has %d", j, len(c), len(columns[0]))
		}
		if hasNaN(c) {
			return nil, nil, fmt.Errorf("spearman matrix: column %d holds NaN", j)
		}
		ranks[j] = Rank(c)
	}
	rho, p = mat.NewSymDense(k, nil), mat.NewSymDense(k, nil)
	for i := 0; i < k; i++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("spearman matrix: %w", err)
		}
		if isConstant(ranks[i]) {
			rho.SetSym(i, i, math.NaN())
			p.SetSym(i, i, math.NaN())
		} else {
			rho.SetSym(i, i, 1)
		}
		for j := i + 1; j < k; j++ {
			r, pv := spearmanOfRanks(ranks[i], ranks[j])
			rho.SetSym(i, j, r)
			p.SetSym(i, j, pv)
		}
	}
	return rho, p, nil
}

func hasNaN(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) {
			return true
		}
	}
	return false
}

func isConstant(x []float64) bool {
	if len(x) == 0 {
		return true
	}
	for _, v := range x[1:] {
		if v != x[0] {
			return false
		}
	}
	return true
}
