package eval

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/imagenetx/imagenetx/eval/tabular"
)

// ComparisonColumns is the long-form header of a comparison.
var ComparisonColumns = []string{"model_a", "model_b", "factor", "n", "correct_a", "correct_b",
	"accuracy_a", "accuracy_b", "difference", "a_only", "b_only", "pval", "pval_adj", "significant", "few_images"}

// Records returns the comparison in long form (ComparisonColumns).
func (c *Comparison) Records() *tabular.Records {
	rec := &tabular.Records{Header: ComparisonColumns}
	for _, r := range c.Rows {
		rec.Rows = append(rec.Rows, []any{c.ModelA, c.ModelB, r.Factor, r.N, r.CorrectA, r.CorrectB,
			r.AccuracyA, r.AccuracyB, r.Difference, r.OnlyA, r.OnlyB, r.P, r.PAdjusted, r.Significant, r.FewImages})
	}
	return rec
}

// WriteComparison writes a comparison: CSV and JSON in long form
// (ComparisonColumns), markdown as a table followed by sentences naming the
// significant differences.
func WriteComparison(w io.Writer, c *Comparison, format tabular.Format) error {
	if format == tabular.Markdown {
		return writeComparisonMarkdown(w, c)
	}
	return c.Records().Write(w, format)
}

func writeComparisonMarkdown(w io.Writer, c *Comparison) error {
	header := []string{"factor", "n", c.ModelA, c.ModelB, c.ModelB + " − " + c.ModelA,
		c.ModelA + " only", c.ModelB + " only", "p", "p (" + c.Options.Correction.String() + ")"}
	var rows [][]string
	for _, r := range c.Rows {
		rows = append(rows, []string{r.Factor, strconv.Itoa(r.N), tabular.FormatFixed(r.AccuracyA), tabular.FormatFixed(r.AccuracyB),
			signedPoints(r.Difference), strconv.Itoa(r.OnlyA), strconv.Itoa(r.OnlyB), tabular.FormatP(r.P), tabular.FormatP(r.PAdjusted)})
	}
	if err := tabular.WriteMarkdown(w, header, rows, 1); err != nil {
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
		fmt.Fprintf(&b, " Overall the accuracies do not differ significantly (%s points, %s).", signedPoints(overall.Difference), tabular.PClause("p", overall.P))
	}
	var better, worse, few []string
	for _, r := range c.Rows[:NumFactors] {
		if r.FewImages && r.N > 0 {
			few = append(few, r.Factor)
		}
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
	if len(few) > 0 {
		fmt.Fprintf(&b, " Not judged, with fewer than %d shared images: %s.", c.Options.MinImages, strings.Join(few, ", "))
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
	p := tabular.PClause("p", r.P)
	if r.Factor != AverageFactor && c.Options.Correction != CorrectionNone {
		p = tabular.PClause("corrected p", r.PAdjusted)
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
