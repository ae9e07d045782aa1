package stats

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// AlexanderGovern tests whether two or more groups share a mean when their
// variances may differ (Alexander & Govern, 1994), as
// scipy.stats.alexandergovern: each group's one-sample t statistic against
// the variance-weighted common mean, normalised and summed into A, with p
// from the χ² distribution with k−1 degrees of freedom. A group that is
// constant, or any NaN, gives NaN (scipy warns and returns NaN there);
// fewer than two groups, a group of fewer than two values, or an infinite
// value is an error, as in scipy.
func AlexanderGovern(groups ...[]float64) (a, p float64, err error) {
	if len(groups) < 2 {
		return 0, 0, fmt.Errorf("alexander-govern: %d group(s), need at least 2", len(groups))
	}
	for i, g := range groups {
		if len(g) < 2 {
			return 0, 0, fmt.Errorf("alexander-govern: group %d has %d value(s), need at least 2", i, len(g))
		}
		for _, v := range g {
			if math.IsInf(v, 0) {
				return 0, 0, errors.New("alexander-govern: values must be finite")
			}
		}
	}
	nan := math.NaN()
	for _, g := range groups {
		constant := true
		for _, v := range g {
			if math.IsNaN(v) {
				return nan, nan, nil
			}
			if v != g[0] {
				constant = false
			}
		}
		if constant {
			return nan, nan, nil
		}
	}
	k := len(groups)
	means := make([]float64, k)
	se := make([]float64, k)
	weights := make([]float64, k)
	sumInv := 0.0
	for i, g := range groups {
		n := float64(len(g))
		var sd float64
		means[i], sd = stat.MeanStdDev(g, nil) // n−1 in the denominator, as np.std(ddof=1)
		se[i] = sd / math.Sqrt(n)
		weights[i] = 1 / (se[i] * se[i])
		sumInv += weights[i]
	}
	common := 0.0
	for i := range weights {
		weights[i] /= sumInv
		common += weights[i] * means[i]
	}
	for i, g := range groups {
		t := (means[i] - common) / se[i]
		v := float64(len(g) - 1)
		av := v - 0.5
		b := 48 * av * av
		c := math.Sqrt(av * math.Log(1+t*t/v))
		c3, c5, c7 := c*c*c, math.Pow(c, 5), math.Pow(c, 7)
		z := c + (c3+3*c)/b - (4*c7+33*c5+240*c3+855*c)/(b*b*10+8*b*c*c*c*c+1000*b)
		a += z * z
	}
	return a, distuv.ChiSquared{K: float64(k - 1)}.Survival(a), nil
}

// KendallW returns Kendall's coefficient of concordance of m raters over n
// items: ranks[r][i] is rater r's score of item i (any numbers: they are
// ranked here, ties sharing their average rank). It is
// W = 12·S / (m²(n³−n) − m·ΣT), S the sum of squared deviations of the
// items' rank sums from their mean and T = Σ(t³−t) over each rater's tied
// groups: 1 when every rater ranks the items alike, near 0 when they do
// not agree. NaN scores, fewer than 2 raters or 2 items give NaN.
func KendallW(scores [][]float64) float64 {
	m := len(scores)
	if m < 2 {
		return math.NaN()
	}
	n := len(scores[0])
	if n < 2 {
		return math.NaN()
	}
	sums := make([]float64, n)
	ties := 0.0
	for _, s := range scores {
		if len(s) != n {
			return math.NaN()
		}
		for _, v := range s {
			if math.IsNaN(v) {
				return math.NaN()
			}
		}
		r := Rank(s)
		for i, v := range r {
			sums[i] += v
		}
		counts := map[float64]float64{}
		for _, v := range r {
			counts[v]++
		}
		for _, t := range counts {
			ties += t*t*t - t
		}
	}
	mean := 0.0
	for _, v := range sums {
		mean += v
	}
	mean /= float64(n)
	s := 0.0
	for _, v := range sums {
		s += (v - mean) * (v - mean)
	}
	fm, fn := float64(m), float64(n)
	return 12 * s / (fm*fm*(fn*fn*fn-fn) - fm*ties)
}
