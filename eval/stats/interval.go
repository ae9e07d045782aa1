package stats

import "math"

// WilsonInterval returns the Wilson score interval for a binomial proportion
// with successes out of n trials at the given confidence (0.95 for 95%).
// It matches statsmodels' proportion_confint(method="wilson"). With n = 0 the
// proportion is unknown and both bounds are NaN.
func WilsonInterval(successes, n int, confidence float64) (lo, hi float64) {
	if n <= 0 || successes < 0 || successes > n {
		return math.NaN(), math.NaN()
	}
	z := twoSidedZ(confidence)
	nf := float64(n)
	p := float64(successes) / nf
	z2 := z * z
	center := (p + z2/(2*nf)) / (1 + z2/nf)
	half := z / (1 + z2/nf) * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return math.Max(0, center-half), math.Min(1, center+half)
}

// ErrorRatioInterval returns the error ratio R = (1 − a_f)/(1 − a) of a factor
// and its confidence interval by the delta method on log R, where a_f =
// factorCorrect/factorN is the accuracy over the factor's images and a =
// correct/n the accuracy over all n images, the factor's images among them.
//
// Why the log scale: R is a ratio of two error rates, skewed for small
// counts; the interval exp(log R ± z·se) stays positive. Why this variance:
// the factor's images are part of all images, so the two error rates are
// correlated. Writing the overall error rate as e = (n_f·e_f + m·e_r)/n, with
// e_r the error rate of the m = n − n_f other images (independent of e_f),
//
//	log R = log e_f − log(n_f·e_f + m·e_r) + log n
//	Var(log R) ≈ (1/e_f − n_f/(n·e))²·e_f(1−e_f)/n_f + (m/(n·e))²·e_r(1−e_r)/m
//
// which is never negative and is 0 when the factor covers every image.
// Where either error rate is 0 the logarithm is undefined and the bounds are
// NaN (R itself is 0 when only e_f is 0).
func ErrorRatioInterval(factorCorrect, factorN, correct, n int, confidence float64) (ratio, lo, hi float64) {
	if factorN <= 0 || n <= 0 || factorN > n || factorCorrect < 0 || factorCorrect > factorN ||
		correct < 0 || correct > n || factorCorrect > correct || (n-correct) < (factorN-factorCorrect) {
		return math.NaN(), math.NaN(), math.NaN()
	}
	nf, m := float64(factorN), float64(n-factorN)
	ef := float64(factorN-factorCorrect) / nf
	e := float64(n-correct) / float64(n)
	ratio = ef / e
	if ef == 0 || e == 0 {
		return ratio, math.NaN(), math.NaN()
	}
	dRest := m / (float64(n) * e)
	v := math.Pow(1/ef-nf/(float64(n)*e), 2) * ef * (1 - ef) / nf
	if m > 0 {
		er := (float64(n-correct) - float64(factorN-factorCorrect)) / m
		v += dRest * dRest * er * (1 - er) / m
	}
	half := twoSidedZ(confidence) * math.Sqrt(v)
	return ratio, ratio * math.Exp(-half), ratio * math.Exp(half)
}
