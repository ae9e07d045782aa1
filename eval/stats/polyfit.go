package stats

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// PolyFit returns the least-squares polynomial of the given degree through
// the points (x[i], y[i]), coefficients highest power first, as
// numpy.polyfit(x, y, degree). Like numpy it scales each column of the
// Vandermonde matrix to unit norm and solves by SVD, treating singular values
// at or below len(x)·ε times the largest as zero, so with fewer distinct x
// than coefficients it returns the minimum-norm solution (numpy warns
// RankWarning there; the fitted values at the x are still the least-squares
// ones).
func PolyFit(x, y []float64, degree int) ([]float64, error) {
	if len(x) != len(y) {
		return nil, fmt.Errorf("polyfit: %d x values but %d y values", len(x), len(y))
	}
	if degree < 0 {
		return nil, fmt.Errorf("polyfit: negative degree %d", degree)
	}
	if len(x) == 0 {
		return nil, errors.New("polyfit: no points")
	}
	cols := degree + 1
	a := mat.NewDense(len(x), cols, nil)
	for i, xi := range x {
		for j := 0; j < cols; j++ {
			a.Set(i, j, math.Pow(xi, float64(degree-j)))
		}
	}
	scale := make([]float64, cols)
	for j := range scale {
		scale[j] = mat.Norm(a.ColView(j), 2)
		if scale[j] == 0 {
			scale[j] = 1 // an all-zero column stays zero; its coefficient is 0
		}
	}
	for i := range x {
		for j := 0; j < cols; j++ {
			a.Set(i, j, a.At(i, j)/scale[j])
		}
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		return nil, errors.New("polyfit: SVD did not converge")
	}
	rank := svd.Rank(float64(len(x)) * eps)
	if rank == 0 {
		return nil, errors.New("polyfit: all x values are zero and the fit is singular")
	}
	var sol mat.Dense
	svd.SolveTo(&sol, mat.NewVecDense(len(y), append([]float64(nil), y...)), rank)
	coef := make([]float64, cols)
	for j := range coef {
		coef[j] = sol.At(j, 0) / scale[j]
	}
	return coef, nil
}

// eps is the float64 machine epsilon, numpy's finfo(float).eps.
const eps = 0x1p-52

// PolyVal evaluates the polynomial with coefficients highest power first at
// x (Horner's rule), as numpy.polyval.
func PolyVal(coef []float64, x float64) float64 {
	v := 0.0
	for _, c := range coef {
		v = v*x + c
	}
	return v
}
