package sweep

import "github.com/imagenetx/imagenetx/eval"

// Verdict says, for one row, how the factor moved against the baseline.
// Row.Judge is the one rule that decides it: the markdown summary, the
// spillover column of the table, the report and ReadCSV all go by it.
type Verdict struct {
	// FewImages marks a factor with fewer images than the minimum
	// (eval.Enough): it is not singled out, so neither its error ratio
	// nor its accuracy is judged (Ratio and Accuracy stay 0).
	FewImages bool
	// Ratio is +1 when the error ratio's interval lies above 0 (the factor
	// became relatively harder), −1 below 0, 0 when it spans 0.
	Ratio int
	// Accuracy is +1 or −1 when the McNemar test (corrected) finds the
	// factor's accuracy rose or fell, 0 otherwise.
	Accuracy int
}

// Judge returns the verdict of a row at significance level alpha, judging
// only factors with at least minImages images (eval.Enough).
func (row *Row) Judge(alpha float64, minImages int) Verdict {
	v := Verdict{FewImages: !eval.Enough(row.N, minImages)}
	switch {
	case v.FewImages:
		return v
	case row.ChangeLo > 0:
		v.Ratio = 1
	case row.ChangeHi < 0:
		v.Ratio = -1
	}
	if row.PAdjusted < alpha {
		v.Accuracy = sign(row.OnlyVariant - row.OnlyBase)
	}
	return v
}

// Verdict is the verdict of factor f at strength index s under the
// result's options (Alpha, MinImages).
func (r *Result) Verdict(f, s int) Verdict {
	return r.Row(f, s).Judge(r.Options.Alpha, r.Options.MinImages)
}

func sign(d int) int {
	switch {
	case d > 0:
		return 1
	case d < 0:
		return -1
	}
	return 0
}

// Spillover is the verdict on a factor's error ratio at one strength, as
// the spillover column of the table spells it.
type Spillover string

// The spill-over verdicts.
const (
	// SpilloverBaseline marks the baseline strength itself.
	SpilloverBaseline Spillover = "baseline"
	// SpilloverFewImages: too few images to judge (Verdict.FewImages).
	SpilloverFewImages Spillover = "few_images"
	// SpilloverWorse: the error ratio's interval lies above 0.
	SpilloverWorse Spillover = "worse"
	// SpilloverBetter: the error ratio's interval lies below 0.
	SpilloverBetter Spillover = "better"
	// SpilloverNone: the interval spans 0.
	SpilloverNone Spillover = "none"
)

// Significant reports a verdict of spill-over, worse or better: the
// factors a report highlights.
func (s Spillover) Significant() bool { return s == SpilloverWorse || s == SpilloverBetter }

func parseSpillover(s string) (Spillover, bool) {
	switch v := Spillover(s); v {
	case SpilloverBaseline, SpilloverFewImages, SpilloverWorse, SpilloverBetter, SpilloverNone:
		return v, true
	}
	return "", false
}

// spillover is the Spillover verdict of a row of r.
func (r *Result) spillover(row *Row) Spillover {
	if len(r.Strengths) > 0 && row.Strength == r.Strengths[0] {
		return SpilloverBaseline
	}
	v := row.Judge(r.Options.Alpha, r.Options.MinImages)
	switch {
	case v.FewImages:
		return SpilloverFewImages
	case v.Ratio > 0:
		return SpilloverWorse
	case v.Ratio < 0:
		return SpilloverBetter
	}
	return SpilloverNone
}
