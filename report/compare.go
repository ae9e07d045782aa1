package report

import (
	"fmt"
	"strconv"

	"github.com/imagenetx/imagenetx/eval"
)

// CompareAlpha is the significance level of the comparisons the report
// makes itself (Input.Comparisons unset).
const CompareAlpha = 0.05

// baseline is the model the others are compared with.
func (m *models) baseline() string {
	if len(m.comparisons) > 0 {
		return m.comparisons[0].ModelA
	}
	if len(m.outcomes) > 0 {
		return m.outcomes[0].model.Name
	}
	return ""
}

// compare takes the input's comparisons, or compares every other model
// with the baseline (Input.Baseline or the first model) when there are
// several. A comparison that cannot be made (no image predicted by both)
// is said on the page, not an error.
func (m *models) compare(in Input) error {
	if len(in.Comparisons) > 0 {
		for _, c := range in.Comparisons {
			if c == nil || len(c.Rows) != eval.NumFactors+1 {
				return fmt.Errorf("report: a comparison needs %d rows (the factors, then %s)", eval.NumFactors+1, eval.AverageFactor)
			}
		}
		m.comparisons = in.Comparisons
		return nil
	}
	if len(m.outcomes) < 2 {
		return nil
	}
	base := in.Baseline
	if base == "" {
		base = m.outcomes[0].model.Name
	}
	if _, ok := m.acc.Model(base); !ok {
		return fmt.Errorf("report: baseline %q is not one of the models %v", base, m.acc.Models())
	}
	opt := eval.CompareOptions{ErrorType: m.et, Correction: eval.CorrectionHolm, Alpha: CompareAlpha, AllowPartial: true, MinImages: m.minImages}
	for _, o := range m.outcomes {
		if o.model.Name == base {
			continue
		}
		c, err := eval.Compare(m.acc, base, o.model.Name, opt)
		if err != nil {
			m.compareErr = err
			continue
		}
		m.comparisons = append(m.comparisons, c)
	}
	return nil
}

// comparison is the comparison of model with the baseline, or nil.
func (m *models) comparison(model string) *eval.Comparison {
	for _, c := range m.comparisons {
		if c.ModelB == model {
			return c
		}
	}
	return nil
}

// comparisonView tabulates the comparisons factor by factor: the
// difference in accuracy and the corrected p-value, significant ones in
// colour.
func (m *models) comparisonView() *comparisonView {
	if len(m.comparisons) == 0 {
		if m.compareErr != nil {
			return &comparisonView{Notes: []string{"The models could not be compared: " + m.compareErr.Error() + "."}}
		}
		return nil
	}
	first := m.comparisons[0]
	v := &comparisonView{Baseline: first.ModelA}
	t := &table{ID: "comparison-table", Sortable: true, Head: []column{{Text: "factor"}, {Text: "images", Title: "annotated images with the factor that both models predicted"}}}
	t.Groups = []group{{Span: 2}}
	for _, c := range m.comparisons {
		t.Groups = append(t.Groups, group{Text: c.ModelB + " vs " + c.ModelA, Span: 2})
		t.Head = append(t.Head,
			column{Text: "Δ accuracy", Title: fmt.Sprintf("accuracy of %s minus accuracy of %s", c.ModelB, c.ModelA)},
			column{Text: "p (" + c.Options.Correction.String() + ")", Title: "exact McNemar test, corrected over the 16 factors"})
		v.Notes = append(v.Notes, comparisonNote(c, c.ModelB+" vs "+c.ModelA))
	}
	if alike(m.comparisons) {
		v.Notes = []string{comparisonNote(first, "Each model vs "+first.ModelA)}
	}
	addRow := func(i int, name, href string) {
		row := []cell{{Text: name, Href: href}, countCell(first.Rows[i].N)}
		for _, c := range m.comparisons {
			r := c.Rows[i]
			title := fmt.Sprintf("%s images; right only with %s: %d, only with %s: %d; p = %s before correction",
				count(r.N), c.ModelB, r.OnlyB, c.ModelA, r.OnlyA, pValue(r.P))
			class := significance(r)
			if r.FewImages {
				class, title = "few", title+fmt.Sprintf("; fewer than %d images: not judged", c.Options.MinImages)
			}
			row = append(row,
				cell{Text: signed(r.Difference), Sort: sortKey(r.Difference), Class: class, Title: title},
				cell{Text: pValue(r.PAdjusted), Sort: sortKey(r.PAdjusted), Class: class, Title: title})
		}
		row[0].Class = fewClass(first.Rows[i].N, m.minImages)
		t.Rows = append(t.Rows, row)
	}
	addRow(eval.NumFactors, "all annotated images", "")
	for _, f := range m.order {
		href := ""
		if m.factorImages(f) > 0 {
			href = "#" + misclassifiedID(f)
		}
		addRow(f, eval.Factors[f], href)
	}
	v.Table = t
	return v
}

// alike reports whether several comparisons were made on the same images
// with the same options, so that one note describes them all.
func alike(cs []*eval.Comparison) bool {
	if len(cs) < 2 {
		return false
	}
	for _, c := range cs {
		if c.ModelA != cs[0].ModelA || c.Shared != cs[0].Shared || c.InAOnly+c.InBOnly > 0 || c.Options != cs[0].Options {
			return false
		}
	}
	return true
}

// comparisonNote says what a comparison was made on.
func comparisonNote(c *eval.Comparison, who string) string {
	s := fmt.Sprintf("%s: %s annotated images predicted by both", who, count(c.Shared))
	if c.InAOnly+c.InBOnly > 0 {
		s += fmt.Sprintf(" (left out: %s predicted only by %s, %s only by %s)", count(c.InAOnly), c.ModelA, count(c.InBOnly), c.ModelB)
	}
	s += fmt.Sprintf("; %s correction, significance level %s", c.Options.Correction, strconv.FormatFloat(c.Options.Alpha, 'g', -1, 64))
	if c.Options.MinImages > 0 {
		s += fmt.Sprintf("; factors with fewer than %d shared images are not judged (italics)", c.Options.MinImages)
	}
	return s + "."
}

// significance is the class of a comparison cell: "better" or "worse"
// when the difference is significant, "" otherwise.
func significance(r eval.ComparisonRow) string {
	switch {
	case !r.Significant:
		return ""
	case r.Difference > 0:
		return "better"
	case r.Difference < 0:
		return "worse"
	}
	return ""
}

// pValue writes a p-value with 2 significant digits, or "< 0.0001".
func pValue(p float64) string {
	switch {
	case !finite(p):
		return "–"
	case p < 1e-4:
		return "< 0.0001"
	}
	return strconv.FormatFloat(p, 'g', 2, 64)
}
