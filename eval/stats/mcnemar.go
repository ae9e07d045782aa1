package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Discordant counts the discordant pairs of two paired correctness vectors:
// b is the number of items a got right and b got wrong, c the reverse.
func Discordant(a, b []bool) (onlyA, onlyB int, err error) {
	if len(a) != len(b) {
		return 0, 0, fmt.Errorf("discordant pairs: %d against %d items", len(a), len(b))
	}
	for i := range a {
		switch {
		case a[i] && !b[i]:
			onlyA++
		case !a[i] && b[i]:
			onlyB++
		}
	}
	return onlyA, onlyB, nil
}

// McNemarExact returns the two-sided exact McNemar p-value for b and c
// discordant pairs: under the null each discordant pair falls either way with
// probability ½, so p = min(1, 2·P(X ≤ min(b, c))) with X ~ Binomial(b+c, ½),
// as statsmodels' mcnemar(exact=True). With no discordant pair p = 1.
func McNemarExact(b, c int) float64 {
	if b < 0 || c < 0 {
		return math.NaN()
	}
	if b+c == 0 {
		return 1
	}
	bin := distuv.Binomial{N: float64(b + c), P: 0.5}
	return math.Min(1, 2*bin.CDF(float64(min(b, c))))
}

// McNemarMidP returns the mid-p variant of the exact McNemar test,
// 2·P(X ≤ k) − P(X = k) with k = min(b, c), capped at 1: less conservative
// than McNemarExact, with a type I error close to the nominal level.
func McNemarMidP(b, c int) float64 {
	if b < 0 || c < 0 {
		return math.NaN()
	}
	if b+c == 0 {
		return 1
	}
	k := float64(min(b, c))
	bin := distuv.Binomial{N: float64(b + c), P: 0.5}
	return math.Min(1, 2*bin.CDF(k)-bin.Prob(k))
}
