package population

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/tabular"
)

// Significance is the level below which a factor's test says the groups
// differ; the figures fade the factors above it.
const Significance = 0.05

// GroupColumn is the name of the group column in a comparison's table:
// "model_type" or "architecture".
func (c *Comparison) GroupColumn() string { return c.By }

// Records returns the comparison as
// factor,<model_type|architecture>,n_models,mean_error_ratio,std_error_ratio,p_alexander_govern,
// one row per factor and group.
func (c *Comparison) Records() *tabular.Records {
	rec := &tabular.Records{Header: []string{"factor", c.GroupColumn(), "n_models", "mean_error_ratio", "std_error_ratio", "p_alexander_govern"}}
	for _, r := range c.Rows {
		rec.Rows = append(rec.Rows, []any{eval.Factors[r.Factor], r.Group, r.NModels, r.MeanErrorRatio, r.StdErrorRatio, r.P})
	}
	return rec
}

// WriteComparison writes a comparison: CSV or JSON in long form
// (Records); markdown as one row per factor, a "mean ± std" column per
// group and the p-value, followed by the consistency of the groups.
func WriteComparison(w io.Writer, c *Comparison, cons Consistency, format tabular.Format) error {
	if format != tabular.Markdown {
		return c.Records().Write(w, format)
	}
	header := append([]string{"factor"}, c.Groups...)
	header = append(header, "p (Alexander–Govern)")
	var rows [][]string
	for f := range eval.NumFactors {
		row := []string{eval.Factors[f]}
		for _, g := range c.Groups {
			for _, r := range c.Rows {
				if r.Factor == f && r.Group == g {
					row = append(row, tabular.FormatFixed(r.MeanErrorRatio)+" ± "+tabular.FormatFixed(r.StdErrorRatio))
				}
			}
		}
		p := tabular.FormatP(c.P(f))
		if c.P(f) >= Significance {
			p += " (n.s.)"
		}
		rows = append(rows, append(row, p))
	}
	if err := tabular.WriteMarkdown(w, header, rows, 1); err != nil {
		return err
	}
	var n []string
	for _, g := range c.Groups {
		for _, r := range c.Rows {
			if r.Factor == 0 && r.Group == g {
				n = append(n, g+" "+strconv.Itoa(r.NModels))
			}
		}
	}
	_, err := fmt.Fprintf(w, "\nMean error ratio ± std (n−1) over %d models (%s). %s\n", c.Models, strings.Join(n, ", "), cons.Sentence())
	return err
}

// Sentence says the consistency in words, for the markdown and terminal
// outputs.
func (cons Consistency) Sentence() string {
	return fmt.Sprintf("Consistency: Kendall's W of the factor rankings across the %d groups = %s; mean pairwise Spearman ρ of the %d models' error ratios = %s (%d pairs).",
		cons.Groups, tabular.FormatFixed(cons.KendallW), cons.Models, tabular.FormatFixed(cons.MeanSpearman), cons.Pairs)
}

// PlacementColumns are the columns of a placement table.
var PlacementColumns = []string{"model", "factor", "error_ratio", "percentile", "expected_error_ratio", "expected_lo", "expected_hi", "residual"}

// PlacementRecords returns placements as a table with PlacementColumns.
func PlacementRecords(ps []Placement) *tabular.Records {
	rec := &tabular.Records{Header: PlacementColumns}
	for _, p := range ps {
		rec.Rows = append(rec.Rows, []any{p.Model, eval.Factors[p.Factor], p.ErrorRatio, p.Percentile, p.Expected, p.ExpectedLo, p.ExpectedHi, p.Residual})
	}
	return rec
}

// Notes says in sentences what a model's placement shows: the images it
// rests on (and that it is indicative when the model was scored on part of
// the annotated images), then only the factors whose own interval and
// prediction interval separate. populationSize is the number of models
// placed against.
func Notes(row *eval.Row, ps []Placement, populationSize int) []string {
	var out []string
	switch {
	case row.N == 0:
		out = append(out, fmt.Sprintf("%s among the paper's %d models: error ratios from a table without counts; no interval, so no factor is singled out.", row.Model, populationSize))
	case Indicative(row):
		out = append(out, fmt.Sprintf("%s among the paper's %d models: scored on %d of the %d annotated images, so the placement is indicative (error ratios depend on which images were scored).", row.Model, populationSize, row.N, row.Annotated))
	default:
		out = append(out, fmt.Sprintf("%s among the paper's %d models: scored on all %d annotated images.", row.Model, populationSize, row.N))
	}
	said := false
	for _, p := range ps {
		if !p.Separate {
			continue
		}
		said = true
		dir := "below"
		if p.Above() {
			dir = "above"
		}
		out = append(out, fmt.Sprintf("  %s: error ratio %s [%s, %s] on %d images, %s the %s–%s expected at its accuracy (percentile %.0f).",
			eval.Factors[p.Factor], tabular.FormatFixed(p.ErrorRatio), tabular.FormatFixed(p.Lo), tabular.FormatFixed(p.Hi), p.Images, dir,
			tabular.FormatFixed(p.ExpectedLo), tabular.FormatFixed(p.ExpectedHi), p.Percentile))
	}
	if !said && row.N > 0 {
		out = append(out, "  No factor's interval separates from what its accuracy predicts: its failure modes are the population's.")
	}
	return out
}
