package population

import (
	"cmp"
	"slices"

	"github.com/imagenetx/imagenetx/eval"
)

// ScatterTop is the number of most accurate models whose mean factor
// accuracy orders the scatter's panels.
const ScatterTop = 20

// ScatterOrder returns the factors in the order of the toolkit's
// high-level scatter (factor_scatterplot): by the mean factor accuracy of
// each factor's ScatterTop most accurate models (by average, among those
// with a finite accuracy and error ratio for it), lowest first.
func ScatterOrder(models []Model) []int {
	type scored struct {
		factor int
		mean   float64
	}
	var order []scored
	for f := range eval.NumFactors {
		var rows []*eval.Row
		for i := range models {
			r := &models[i].Row
			// The toolkit's dropna(): a row counts only where every value
			// it melted, and its error ratio, is a number.
			if finite(r.Factor[f]) && finite(r.Average) && finite(r.ErrorRatio(f)) {
				rows = append(rows, r)
			}
		}
		// Most accurate first; equal averages keep the population's order.
		slices.SortStableFunc(rows, func(a, b *eval.Row) int { return cmp.Compare(b.Average, a.Average) })
		rows = rows[:min(ScatterTop, len(rows))]
		sum := 0.0
		for _, r := range rows {
			sum += r.Factor[f]
		}
		order = append(order, scored{f, sum / float64(len(rows))})
	}
	slices.SortStableFunc(order, func(a, b scored) int { return cmp.Compare(a.mean, b.mean) })
	out := make([]int, len(order))
	for i, s := range order {
		out[i] = s.factor
	}
	return out
}
