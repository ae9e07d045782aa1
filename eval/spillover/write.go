package spillover

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/imagenetx/imagenetx/eval/tabular"
)

// CSVHeader is the header of the spill-over CSV.
var CSVHeader = []string{"factor", "effect", "pval", "n_models", "strength_low", "strength_high", "images", "few_images"}

// Write writes the results as CSV (WriteCSV) or markdown (WriteMarkdown).
func Write(w io.Writer, results []Result, format tabular.Format) error {
	switch format {
	case tabular.CSV:
		return WriteCSV(w, results)
	case tabular.Markdown:
		return WriteMarkdown(w, results)
	}
	return fmt.Errorf("spill-over results are written as csv or markdown, not %s", format)
}

// WriteCSV writes one line per result under CSVHeader, floats at full
// precision (tabular.FormatFloat; NaN as an empty field); images and
// few_images are empty when the table carried no counts.
func WriteCSV(w io.Writer, results []Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, r := range results {
		rec := []string{r.Factor, tabular.FormatFloat(r.Effect), tabular.FormatFloat(r.PValue), strconv.Itoa(r.NModels),
			tabular.FormatFloat(r.StrengthLow), tabular.FormatFloat(r.StrengthHigh), "", ""}
		if r.Images > 0 {
			rec[6], rec[7] = strconv.Itoa(r.Images), map[bool]string{false: "False", true: "True"}[r.FewImages]
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteMarkdown writes the results as an aligned table followed by one
// sentence per significant factor (p < Significance): first the factors whose
// error ratio falls as the strength rises, largest effect first, then those
// whose error ratio rises, most negative effect first.
func WriteMarkdown(w io.Writer, results []Result) error {
	var b strings.Builder
	writeMarkdownTable(&b, results)
	improve, worsen := splitSignificant(results)
	var few []string
	for _, r := range results {
		if r.FewImages {
			few = append(few, r.Factor)
		}
	}
	if len(few) > 0 {
		fmt.Fprintf(&b, "\n\\* too few images behind %s (the images column: the fewest any model of the fit saw): not called significant, whatever the p-value.\n", strings.Join(few, ", "))
	}
	b.WriteString("\n")
	if len(improve)+len(worsen) == 0 {
		fmt.Fprintf(&b, "No factor's error ratio changes significantly with the strength (p < %g).\n", Significance)
	}
	if len(improve) > 0 {
		b.WriteString("Error ratio falls as the strength rises (the augmentation helps):\n\n")
		for _, r := range improve {
			b.WriteString(sentence(r))
		}
	}
	if len(worsen) > 0 {
		if len(improve) > 0 {
			b.WriteString("\n")
		}
		b.WriteString("Error ratio rises as the strength rises (the augmentation hurts):\n\n")
		for _, r := range worsen {
			b.WriteString(sentence(r))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func splitSignificant(results []Result) (improve, worsen []Result) {
	for _, r := range results {
		switch {
		case !r.Significant():
		case r.Effect > 0:
			improve = append(improve, r)
		case r.Effect < 0:
			worsen = append(worsen, r)
		}
	}
	slices.SortStableFunc(improve, func(a, b Result) int { return cmp.Compare(b.Effect, a.Effect) })
	slices.SortStableFunc(worsen, func(a, b Result) int { return cmp.Compare(a.Effect, b.Effect) })
	return improve, worsen
}

func sentence(r Result) string {
	verb := "falls"
	if r.Effect < 0 {
		verb = "rises"
	}
	return fmt.Sprintf("- %s: the error ratio %s from %.3f at strength %s (%d models) to %.3f at strength %s (%d models); Welch t = %.2f, p = %s.\n",
		r.Factor, verb, r.MeanLow, num(r.StrengthLow), r.NLow, r.MeanHigh, num(r.StrengthHigh), r.NHigh, r.Effect, pval(r.PValue))
}

func writeMarkdownTable(b *strings.Builder, results []Result) {
	header := []string{"factor", "effect", "pval", "n_models", "strength_low", "strength_high", "ratio_low", "ratio_high"}
	counted := slices.ContainsFunc(results, func(r Result) bool { return r.Images > 0 })
	if counted {
		header = append(header, "images")
	}
	rows := make([][]string, len(results))
	for i, r := range results {
		rows[i] = []string{r.Factor, fixed(r.Effect, 2), pval(r.PValue), strconv.Itoa(r.NModels), num(r.StrengthLow),
			num(r.StrengthHigh), fixed(r.MeanLow, 3), fixed(r.MeanHigh, 3)}
		if counted {
			images := strconv.Itoa(r.Images)
			if r.FewImages {
				images += "*"
			}
			rows[i] = append(rows[i], images)
		}
	}
	width := make([]int, len(header))
	for j, h := range header {
		width[j] = len(h)
		for _, r := range rows {
			width[j] = max(width[j], len(r[j]))
		}
	}
	line := func(cells []string) {
		b.WriteString("|")
		for j, c := range cells {
			if j == 0 {
				fmt.Fprintf(b, " %-*s |", width[j], c)
			} else {
				fmt.Fprintf(b, " %*s |", width[j], c)
			}
		}
		b.WriteString("\n")
	}
	line(header)
	sep := make([]string, len(header))
	for j := range header {
		sep[j] = strings.Repeat("-", width[j]-1) + ":"
	}
	sep[0] = strings.Repeat("-", width[0])
	line(sep)
	for _, r := range rows {
		line(r)
	}
}

func fixed(v float64, digits int) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', digits, 64)
}

func pval(p float64) string {
	if math.IsNaN(p) {
		return ""
	}
	return strconv.FormatFloat(p, 'g', 2, 64)
}

func num(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
