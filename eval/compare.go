package eval

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/imagenetx/imagenetx/eval/stats"
)

// Correction is a multiple-testing correction across the factors.
type Correction int

const (
	// CorrectionHolm controls the family-wise error rate (stats.HolmAdjust).
	CorrectionHolm Correction = iota
	// CorrectionBH controls the false discovery rate (stats.BHAdjust).
	CorrectionBH
	// CorrectionNone reports the raw p-values.
	CorrectionNone
)

func (c Correction) String() string {
	switch c {
	case CorrectionHolm:
		return "holm"
	case CorrectionBH:
		return "bh"
	case CorrectionNone:
		return "none"
	}
	return fmt.Sprintf("Correction(%d)", int(c))
}

// ParseCorrection reads "holm", "bh" (or "fdr_bh") or "none".
func ParseCorrection(s string) (Correction, error) {
	switch s {
	case "holm":
		return CorrectionHolm, nil
	case "bh", "fdr_bh":
		return CorrectionBH, nil
	case "none":
		return CorrectionNone, nil
	}
	return 0, fmt.Errorf("unknown correction %q (want holm, bh or none)", s)
}

// Adjust returns the corrected p-values; NaN entries stay NaN and are left
// out of the family.
func (c Correction) Adjust(p []float64) []float64 {
	switch c {
	case CorrectionHolm:
		return stats.HolmAdjust(p)
	case CorrectionBH:
		return stats.BHAdjust(p)
	}
	return append([]float64(nil), p...)
}

// ErrDifferentImages reports two models whose predictions cover different
// annotated images.
var ErrDifferentImages = errors.New("the models were run on different images")

// CompareOptions configures Compare.
type CompareOptions struct {
	ErrorType  ErrorType
	Correction Correction
	// Alpha is the significance level applied to the corrected p-values.
	Alpha float64
	// AllowPartial compares on the images both models predicted even when
	// either predicted others; otherwise differing image sets are an error
	// (ErrDifferentImages).
	AllowPartial bool
}

// ComparisonRow is one factor (or AverageFactor: all shared images) of a
// paired comparison of models A and B.
type ComparisonRow struct {
	Factor string
	// N shared images carry the factor; CorrectA and CorrectB of them were
	// predicted correctly by each model.
	N, CorrectA, CorrectB int
	AccuracyA, AccuracyB  float64
	// Difference is AccuracyB − AccuracyA.
	Difference float64
	// OnlyA counts images A got right and B wrong; OnlyB the reverse. These
	// discordant pairs are all the exact McNemar test looks at.
	OnlyA, OnlyB int
	// P is the two-sided exact McNemar p-value; PAdjusted is P corrected
	// across the 16 factors (the AverageFactor row is a family of one, so
	// there PAdjusted = P). NaN for a factor without shared images.
	P, PAdjusted float64
	// Significant is PAdjusted < Alpha.
	Significant bool
}

// Comparison is a paired comparison of two models on the images both
// predicted: one row per factor in Factors order, then AverageFactor.
type Comparison struct {
	ModelA, ModelB string
	Options        CompareOptions
	// Shared images have predictions of both models; InAOnly and InBOnly
	// have a prediction of one model only and are left out.
	Shared, InAOnly, InBOnly int
	Rows                     []ComparisonRow
}

// Compare runs paired exact McNemar tests between models a and b of acc,
// per factor and overall, on the images both predicted.
func Compare(acc *Accumulator, a, b string, opt CompareOptions) (*Comparison, error) {
	if !(opt.Alpha > 0 && opt.Alpha < 1) {
		return nil, fmt.Errorf("significance level %g: want a value between 0 and 1, e.g. 0.05", opt.Alpha)
	}
	if a == b {
		return nil, fmt.Errorf("compare needs two different models, got %q twice", a)
	}
	if opt.ErrorType == ErrorReal && acc.Dataset().Real == nil {
		return nil, fmt.Errorf("error type real needs %s in the annotations folder", RealLabelsFile)
	}
	ma, okA := acc.Model(a)
	mb, okB := acc.Model(b)
	if !okA || !okB {
		return nil, fmt.Errorf("compare: models %q and %q not both loaded (have %v)", a, b, acc.Models())
	}
	correctA, joinedA := acc.Correct(ma, opt.ErrorType)
	correctB, joinedB := acc.Correct(mb, opt.ErrorType)
	c := &Comparison{ModelA: a, ModelB: b, Options: opt}
	shared := make([]bool, len(joinedA))
	for i := range joinedA {
		shared[i] = joinedA[i] && joinedB[i]
		switch {
		case shared[i]:
			c.Shared++
		case joinedA[i]:
			c.InAOnly++
		case joinedB[i]:
			c.InBOnly++
		}
	}
	if err := c.checkImageSets(opt.AllowPartial); err != nil {
		return nil, err
	}
	c.Rows = pairedRows(acc.Dataset(), shared, correctA, correctB)
	c.applyCorrection()
	return c, nil
}

func (c *Comparison) checkImageSets(allowPartial bool) error {
	if c.Shared == 0 {
		return fmt.Errorf("%w: no annotated image has predictions from both %s (%d images) and %s (%d images)",
			ErrDifferentImages, c.ModelA, c.InAOnly, c.ModelB, c.InBOnly)
	}
	if !allowPartial && c.InAOnly+c.InBOnly > 0 {
		return fmt.Errorf("%w: %d annotated images have predictions from both, %d only from %s, %d only from %s",
			ErrDifferentImages, c.Shared, c.InAOnly, c.ModelA, c.InBOnly, c.ModelB)
	}
	return nil
}

// pairCounts tallies one group of shared images.
type pairCounts struct{ n, correctA, correctB, onlyA, onlyB int }

func (p *pairCounts) add(a, b bool) {
	p.n++
	switch {
	case a && b:
		p.correctA++
		p.correctB++
	case a:
		p.correctA++
		p.onlyA++
	case b:
		p.correctB++
		p.onlyB++
	}
}

func pairedRows(ds *Dataset, shared, correctA, correctB []bool) []ComparisonRow {
	var factor [NumFactors]pairCounts
	var all pairCounts
	for i, ok := range shared {
		if !ok {
			continue
		}
		all.add(correctA[i], correctB[i])
		for f := range factor {
			if ds.Images[i].Has(f) {
				factor[f].add(correctA[i], correctB[i])
			}
		}
	}
	rows := make([]ComparisonRow, 0, NumFactors+1)
	for f := range factor {
		rows = append(rows, factor[f].row(Factors[f]))
	}
	return append(rows, all.row(AverageFactor))
}

func (p *pairCounts) row(factor string) ComparisonRow {
	r := ComparisonRow{Factor: factor, N: p.n, CorrectA: p.correctA, CorrectB: p.correctB,
		OnlyA: p.onlyA, OnlyB: p.onlyB, AccuracyA: math.NaN(), AccuracyB: math.NaN(), Difference: math.NaN(), P: math.NaN()}
	if p.n > 0 {
		r.AccuracyA = float64(p.correctA) / float64(p.n)
		r.AccuracyB = float64(p.correctB) / float64(p.n)
		r.Difference = float64(p.correctB-p.correctA) / float64(p.n)
		r.P = stats.McNemarExact(p.onlyA, p.onlyB)
	}
	return r
}

// applyCorrection adjusts the factor rows' p-values as one family.
func (c *Comparison) applyCorrection() {
	p := make([]float64, NumFactors)
	for f := range p {
		p[f] = c.Rows[f].P
	}
	adj := c.Options.Correction.Adjust(p)
	for i := range c.Rows {
		r := &c.Rows[i]
		r.PAdjusted = r.P
		if i < NumFactors {
			r.PAdjusted = adj[i]
		}
		r.Significant = r.PAdjusted < c.Options.Alpha
	}
}

// ComparisonColumns is the long-form header of a comparison.
var ComparisonColumns = []string{"model_a", "model_b", "factor", "n", "correct_a", "correct_b",
	"accuracy_a", "accuracy_b", "difference", "a_only", "b_only", "pval", "pval_adj", "significant"}

// Records returns the comparison in long form (ComparisonColumns).
func (c *Comparison) Records() *Records {
	rec := &Records{Header: ComparisonColumns}
	for _, r := range c.Rows {
		rec.Rows = append(rec.Rows, []any{c.ModelA, c.ModelB, r.Factor, r.N, r.CorrectA, r.CorrectB,
			r.AccuracyA, r.AccuracyB, r.Difference, r.OnlyA, r.OnlyB, r.P, r.PAdjusted, r.Significant})
	}
	return rec
}

// WriteComparison writes a comparison: CSV and JSON in long form
// (ComparisonColumns), markdown as a table followed by sentences naming the
// significant differences.
func WriteComparison(w io.Writer, c *Comparison, format Format) error {
	switch format {
	case FormatCSV:
		return c.Records().WriteCSV(w)
	case FormatJSON:
		return c.Records().WriteJSON(w)
	case FormatMarkdown:
		return writeComparisonMarkdown(w, c)
	}
	return fmt.Errorf("unknown format %d", format)
}

func writeComparisonMarkdown(w io.Writer, c *Comparison) error {
	header := []string{"factor", "n", c.ModelA, c.ModelB, c.ModelB + " − " + c.ModelA,
		c.ModelA + " only", c.ModelB + " only", "p", "p (" + c.Options.Correction.String() + ")"}
	var rows [][]string
	for _, r := range c.Rows {
		rows = append(rows, []string{r.Factor, strconv.Itoa(r.N), FormatFixed(r.AccuracyA), FormatFixed(r.AccuracyB),
			signedPoints(r.Difference), strconv.Itoa(r.OnlyA), strconv.Itoa(r.OnlyB), FormatP(r.P), FormatP(r.PAdjusted)})
	}
	if err := WriteMarkdownTable(w, header, rows, 1); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n"+c.Summary()+"\n")
	return err
}

// Summary is a paragraph naming the overall difference and the factors
// whose difference is significant after correction.
func (c *Comparison) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Comparing %s with %s on %d shared images (%s error, exact McNemar test, %s correction across factors, α = %g).",
		c.ModelB, c.ModelA, c.Shared, c.Options.ErrorType, c.Options.Correction, c.Options.Alpha)
	overall := c.Rows[len(c.Rows)-1]
	if overall.Significant {
		fmt.Fprintf(&b, " Overall %s.", c.difference(overall))
	} else {
		fmt.Fprintf(&b, " Overall the accuracies do not differ significantly (%s points, %s).", signedPoints(overall.Difference), pClause("p", overall.P))
	}
	var better, worse []string
	for _, r := range c.Rows[:NumFactors] {
		switch {
		case !r.Significant:
		case r.Difference > 0:
			better = append(better, r.Factor+" ("+c.detail(r)+")")
		case r.Difference < 0:
			worse = append(worse, r.Factor+" ("+c.detail(r)+")")
		}
	}
	if len(better)+len(worse) == 0 {
		b.WriteString(" No factor differs significantly.")
	}
	if len(better) > 0 {
		fmt.Fprintf(&b, " %s is more accurate on %s.", c.ModelB, strings.Join(better, ", "))
	}
	if len(worse) > 0 {
		fmt.Fprintf(&b, " %s is more accurate on %s.", c.ModelA, strings.Join(worse, ", "))
	}
	return b.String()
}

// difference names the better model of a row with the size and p-value.
func (c *Comparison) difference(r ComparisonRow) string {
	better := c.ModelB
	if r.Difference < 0 {
		better = c.ModelA
	}
	return fmt.Sprintf("%s is more accurate (%s)", better, c.detail(r))
}

func (c *Comparison) detail(r ComparisonRow) string {
	p := pClause("p", r.P)
	if r.Factor != AverageFactor && c.Options.Correction != CorrectionNone {
		p = pClause("corrected p", r.PAdjusted)
	}
	return fmt.Sprintf("%s points, %s", strconv.FormatFloat(100*math.Abs(r.Difference), 'f', 2, 64), p)
}

// signedPoints prints an accuracy difference in percentage points, "+2.09".
func signedPoints(d float64) string {
	if math.IsNaN(d) {
		return ""
	}
	s := strconv.FormatFloat(100*d, 'f', 2, 64)
	if d > 0 {
		s = "+" + s
	}
	return s
}

// FormatP prints a p-value with three significant digits for humans
// ("" for NaN); values below MinReportedP (where the binomial tail
// underflows to 0) print as "<1e-300" rather than a misleading 0.
func FormatP(p float64) string {
	switch {
	case math.IsNaN(p):
		return ""
	case p < MinReportedP:
		return "<" + strconv.FormatFloat(MinReportedP, 'g', -1, 64)
	}
	return strconv.FormatFloat(p, 'g', 3, 64)
}

// MinReportedP is the smallest p-value the markdown outputs print as a
// number.
const MinReportedP = 1e-300

// pClause writes "name = p", or "name < 1e-300" for p below MinReportedP.
func pClause(name string, p float64) string {
	if s := FormatP(p); strings.HasPrefix(s, "<") {
		return name + " " + s[:1] + " " + s[1:]
	}
	return name + " = " + FormatP(p)
}
