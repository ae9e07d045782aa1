package sweep

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/tabular"
)

// Columns is the header of the spill-over table (long form, one line per
// factor and strength), as ReadCSV reads it back. The spillover column is
// each row's Spillover verdict.
var Columns = []string{"factor", "strength", "n", "accuracy", "error_ratio", "change", "change_lo", "change_hi",
	"only_base", "only_variant", "pval", "pval_adj", "spillover"}

// Records returns the spill-over table in long form (Columns), factor by
// factor, strengths ascending.
func (r *Result) Records() *tabular.Records {
	rec := &tabular.Records{Header: Columns}
	for _, row := range r.Rows {
		rec.Rows = append(rec.Rows, []any{row.Factor, row.Strength, row.N, row.Accuracy, row.ErrorRatio,
			row.Change, row.ChangeLo, row.ChangeHi, row.OnlyBase, row.OnlyVariant, row.P, row.PAdjusted,
			string(r.spillover(&row))})
	}
	return rec
}

// FactorTable returns one factor-accuracy row per level (the reference's
// columns after a leading strength column), from each level's own table.
func FactorTable(levels []Level, et eval.ErrorType) (*tabular.Records, error) {
	rec := &tabular.Records{Header: append(append([]string{"strength", "model"}, eval.Factors[:]...), "worst_factor", "average", "worst_100_classes")}
	for _, l := range levels {
		tbl, err := l.Acc.Table(et)
		if err != nil {
			return nil, fmt.Errorf("factor table at strength %v: %w", l.Strength, err)
		}
		row, ok := tbl.Row(l.Model)
		if !ok {
			return nil, fmt.Errorf("factor table at strength %v: no row for %s", l.Strength, l.Model)
		}
		cells := []any{l.Strength, l.Model}
		for _, a := range row.Factor {
			cells = append(cells, a)
		}
		rec.Rows = append(rec.Rows, append(cells, row.WorstFactor, row.Average, row.Worst100Classes))
	}
	return rec, nil
}

// WriteMarkdown writes a summary for humans: the overall accuracy at each
// strength, then per factor the error ratios, the change at the strongest
// strength with its interval, the factor's accuracy there against the
// baseline with the corrected McNemar p-value, and a verdict in words.
func WriteMarkdown(w io.Writer, r *Result, title string) error {
	last := len(r.Strengths) - 1
	sLast := g(r.Strengths[last])
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n%d annotated images predicted at every strength", title, r.Images)
	if r.Unpaired > 0 {
		fmt.Fprintf(&b, " (%d left out: not predicted at every strength)", r.Unpaired)
	}
	b.WriteString("; overall accuracy")
	for s, acc := range r.Accuracy {
		fmt.Fprintf(&b, " %s at %s", tabular.FormatFixed(acc), g(r.Strengths[s]))
	}
	b.WriteString(".\n\n")
	header := []string{"factor", "n"}
	for _, s := range r.Strengths {
		header = append(header, "ER@"+g(s))
	}
	header = append(header, "ΔER@"+sLast+" [95% CI]", "acc@"+g(r.Strengths[0])+"→"+sLast, "p_adj ("+r.Options.Correction.String()+")", "verdict")
	var rows [][]string
	for f := range eval.Factors {
		rows = append(rows, r.markdownRow(f))
	}
	if err := tabular.WriteMarkdown(&b, header, rows, 1); err != nil {
		return err
	}
	b.WriteString("\n" + r.Sentences() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func (r *Result) markdownRow(f int) []string {
	last := len(r.Strengths) - 1
	end := r.Row(f, last)
	cells := []string{eval.Factors[f], strconv.Itoa(end.N)}
	for s := range r.Strengths {
		cells = append(cells, tabular.FormatFixed(r.Row(f, s).ErrorRatio))
	}
	accuracy := ""
	if end.N > 0 {
		accuracy = tabular.FormatFixed(r.Row(f, 0).Accuracy) + "→" + tabular.FormatFixed(end.Accuracy)
	}
	return append(cells, changeCell(end), accuracy, tabular.FormatP(end.PAdjusted), r.verdictText(f))
}

// verdictText sums up a factor over the strengths: the direction of its
// error ratio at the strongest strength and where its accuracy changed
// significantly.
func (r *Result) verdictText(f int) string {
	last := len(r.Strengths) - 1
	v := r.Verdict(f, last)
	if r.Row(f, last).N == 0 {
		return "no images"
	}
	var parts []string
	switch {
	case v.FewImages:
		parts = append(parts, fmt.Sprintf("too few images to judge (< %d)", r.Options.MinImages))
	case v.Ratio == 1:
		parts = append(parts, "relatively worse")
	case v.Ratio == -1:
		parts = append(parts, "relatively better")
	default:
		parts = append(parts, "ratio unchanged")
	}
	var at []string
	for s := 1; s < len(r.Strengths); s++ {
		if r.Verdict(f, s).Accuracy != 0 {
			at = append(at, g(r.Strengths[s]))
		}
	}
	if len(at) > 0 {
		parts = append(parts, "accuracy changes significantly at "+strings.Join(at, ", "))
	}
	return strings.Join(parts, "; ")
}

// Sentences names the factors (with enough images) whose error ratio
// interval at the strongest strength excludes 0, with the change, interval
// and corrected p-value.
func (r *Result) Sentences() string {
	last := len(r.Strengths) - 1
	var worse, better []string
	for f := range eval.Factors {
		row := r.Row(f, last)
		item := fmt.Sprintf("%s (%s, p_adj %s)", row.Factor, changeCell(row), tabular.FormatP(row.PAdjusted))
		switch r.Verdict(f, last).Ratio {
		case 1:
			worse = append(worse, item)
		case -1:
			better = append(better, item)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "At strength %s against %s (error ratio change, paired bootstrap 95%% interval over images, factors with at least %d images; McNemar on the factor's accuracy, %s-corrected): ",
		g(r.Strengths[last]), g(r.Strengths[0]), r.Options.MinImages, r.Options.Correction)
	if len(worse)+len(better) == 0 {
		b.WriteString("no factor's error ratio moves beyond its interval.")
		return b.String()
	}
	if len(worse) > 0 {
		fmt.Fprintf(&b, "relatively worse: %s. ", strings.Join(worse, "; "))
	}
	if len(better) > 0 {
		fmt.Fprintf(&b, "relatively better: %s.", strings.Join(better, "; "))
	}
	return strings.TrimSpace(b.String())
}

// changeCell prints "+0.123 [0.010, 0.240]".
func changeCell(row *Row) string {
	if math.IsNaN(row.Change) {
		return ""
	}
	s := strconv.FormatFloat(row.Change, 'f', 3, 64)
	if row.Change > 0 {
		s = "+" + s
	}
	return fmt.Sprintf("%s [%s, %s]", s, strconv.FormatFloat(row.ChangeLo, 'f', 3, 64), strconv.FormatFloat(row.ChangeHi, 'f', 3, 64))
}

func g(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
