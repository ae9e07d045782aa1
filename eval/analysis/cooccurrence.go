package analysis

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/stats"
)

// Cooccurrence returns the Spearman correlation, with p-values, between the
// 16 factor indicators of the annotated images and, when withMetaclasses is
// set, the indicators of the metaclasses (one-hot, eval.Metaclasses order),
// as the reference's spearman_corr_heatmaps on the multi-factor
// annotations. names labels the rows and columns. A column that is constant
// (a factor never annotated, a metaclass without images) gives NaN. The
// diagonal holds 1 and p = 0 (the reference's squareform leaves 0 there).
func Cooccurrence(ctx context.Context, factors []uint16, metaclass []int, withMetaclasses bool) (names []string, rho, p *mat.SymDense, err error) {
	if withMetaclasses && len(metaclass) != len(factors) {
		return nil, nil, nil, fmt.Errorf("co-occurrence: %d factor sets but %d metaclasses", len(factors), len(metaclass))
	}
	names = append(names, eval.Factors[:]...)
	var columns [][]float64
	for f := 0; f < eval.NumFactors; f++ {
		col := make([]float64, len(factors))
		for i, set := range factors {
			if set&(1<<f) != 0 {
				col[i] = 1
			}
		}
		columns = append(columns, col)
	}
	if withMetaclasses {
		names = append(names, eval.Metaclasses[:]...)
		for m := 0; m < eval.NumMetaclasses; m++ {
			col := make([]float64, len(metaclass))
			for i, mi := range metaclass {
				if mi == m {
					col[i] = 1
				}
			}
			columns = append(columns, col)
		}
	}
	rho, p, err = stats.SpearmanMatrix(ctx, columns)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("co-occurrence: %w", err)
	}
	return names, rho, p, nil
}
