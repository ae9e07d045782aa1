// Package stats holds the plain statistical functions imagenetx reports next
// to its numbers: confidence intervals for accuracies and error ratios, exact
// McNemar and Welch tests, multiple-testing corrections, paired bootstrap
// intervals, least-squares polynomial fits, the reference toolkit's expected
// calibration error and Spearman rank correlation.
//
// Every function works on slices or counts and reads no files. Numerics come
// from gonum (stat, distuv, mat); the functions here only arrange them so that
// the results match scipy/numpy, which the tests check against numbers
// computed with scipy 1.10 and numpy 1.24.
package stats

import "gonum.org/v1/gonum/stat/distuv"

// DefaultConfidence is the confidence level of the intervals imagenetx prints.
const DefaultConfidence = 0.95

// twoSidedZ returns the standard normal quantile z with P(|Z| ≤ z) = confidence.
func twoSidedZ(confidence float64) float64 {
	return distuv.UnitNormal.Quantile(1 - (1-confidence)/2)
}
