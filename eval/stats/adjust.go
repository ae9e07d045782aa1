package stats

import (
	"math"
	"sort"
)

// HolmAdjust returns Holm's step-down adjusted p-values, which control the
// family-wise error rate: sorted ascending, p_(i) becomes
// max_{j≤i} min(1, (m−j+1)·p_(j)). It matches statsmodels'
// multipletests(method="holm"). NaN p-values are left out of the family and
// stay NaN.
func HolmAdjust(p []float64) []float64 {
	order, adj := sortedFamily(p)
	m := float64(len(order))
	running := 0.0
	for rank, i := range order {
		running = math.Max(running, math.Min(1, (m-float64(rank))*p[i]))
		adj[i] = running
	}
	return adj
}

// BHAdjust returns Benjamini–Hochberg adjusted p-values (q-values), which
// control the false discovery rate: sorted ascending, p_(i) becomes
// min_{j≥i} min(1, m/j·p_(j)). It matches statsmodels'
// multipletests(method="fdr_bh"). NaN p-values are left out of the family and
// stay NaN.
func BHAdjust(p []float64) []float64 {
	order, adj := sortedFamily(p)
	m := float64(len(order))
	running := 1.0
	for rank := len(order) - 1; rank >= 0; rank-- {
		i := order[rank]
		running = math.Min(running, m/float64(rank+1)*p[i])
		adj[i] = running
	}
	return adj
}

// sortedFamily returns the indices of the non-NaN p-values in ascending
// order of p (stable on ties) and a result slice pre-filled with NaN.
func sortedFamily(p []float64) (order []int, adj []float64) {
	adj = make([]float64, len(p))
	for i, v := range p {
		adj[i] = math.NaN()
		if !math.IsNaN(v) {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(x, y int) bool { return p[order[x]] < p[order[y]] })
	return order, adj
}
