package stats

import (
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// WelchTTest compares the means of two independent samples without assuming
// equal variances: t = (mean(a) − mean(b)) / sqrt(va/na + vb/nb) with the
// unbiased variances, the Welch–Satterthwaite degrees of freedom, and the
// two-sided p-value from Student's t. It matches
// scipy.stats.ttest_ind(a, b, equal_var=False), including its corner cases:
// where both variances are 0 the degrees of freedom are 1 and t is ±Inf
// (p = 0) for different means or NaN for equal ones; a sample with fewer than
// two values gives NaN.
func WelchTTest(a, b []float64) (t, df, p float64) {
	na, nb := float64(len(a)), float64(len(b))
	if len(a) < 2 || len(b) < 2 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	ma, va := stat.MeanVariance(a, nil)
	mb, vb := stat.MeanVariance(b, nil)
	sa, sb := va/na, vb/nb
	df = (sa + sb) * (sa + sb) / (sa*sa/(na-1) + sb*sb/(nb-1))
	if math.IsNaN(df) {
		df = 1 // scipy's choice for two constant samples
	}
	t = (ma - mb) / math.Sqrt(sa+sb)
	return t, df, TwoSidedStudentsTP(t, df)
}

// TwoSidedStudentsTP returns P(|T| ≥ |t|) for T ~ Student's t with df degrees
// of freedom (NaN for NaN t).
func TwoSidedStudentsTP(t, df float64) float64 {
	if math.IsNaN(t) || math.IsNaN(df) {
		return math.NaN()
	}
	if math.IsInf(t, 0) {
		return 0
	}
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(math.Abs(t))
}
