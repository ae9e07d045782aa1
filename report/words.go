package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/imagenetx/imagenetx/eval"
)

// worstShown is how many factors a sentence names.
const worstShown = 3

// findings says in words what the tables show: which factors are hardest
// across the models, how the models compare, which factors rest on few
// images and which images failed.
func findings(m *models) []string {
	var out []string
	if s := acrossModels(m); s != "" {
		out = append(out, s)
	}
	out = append(out, comparisonFindings(m)...)
	if s := fewImagesFinding(m); s != "" {
		out = append(out, s)
	}
	return out
}

// acrossModels names the hardest and easiest factors on average, among
// those with enough images in every model.
func acrossModels(m *models) string {
	var ranked []int
	for _, f := range m.order {
		if finite(m.meanRatio[f]) && m.enoughImages(f) {
			ranked = append(ranked, f)
		}
	}
	if len(ranked) < 2*worstShown {
		return ""
	}
	describe := func(fs []int) string {
		parts := make([]string, len(fs))
		for i, f := range fs {
			parts[i] = fmt.Sprintf("%s (%s)", eval.Factors[f], fmt2(m.meanRatio[f]))
		}
		return joinWords(parts)
	}
	easiest := slices.Clone(ranked[len(ranked)-worstShown:])
	slices.Reverse(easiest)
	who := "the model"
	if n := len(m.rows); n > 1 {
		who = fmt.Sprintf("the %d models", n)
	}
	return fmt.Sprintf("Averaged over %s, the hardest factors are %s, and the easiest %s (mean error ratio in brackets; 1 is the average image; factors with at least %d images).",
		who, describe(ranked[:worstShown]), describe(easiest), m.minImages)
}

// enoughImages reports whether every model has at least minImages images
// of factor f.
func (m *models) enoughImages(f int) bool {
	for _, r := range m.rows {
		if !eval.Enough(r.Count[f], m.minImages) {
			return false
		}
	}
	return true
}

// comparisonFindings says, per comparison, on how many factors the model
// is significantly more or less accurate than the baseline.
func comparisonFindings(m *models) []string {
	var out []string
	for _, c := range m.comparisons {
		var better, worse []string
		for _, r := range c.Rows[:eval.NumFactors] {
			switch significance(r) {
			case "better":
				better = append(better, r.Factor)
			case "worse":
				worse = append(worse, r.Factor)
			}
		}
		all := c.Rows[eval.NumFactors]
		factors := fmt.Sprintf("significantly more accurate on %s, less accurate on %s (exact McNemar, %s-corrected)",
			factorCount(better), factorCount(worse), c.Options.Correction)
		var s string
		if v := m.extra[c.ModelB].VsBaseline; m.pairedOnLabels() && v != nil {
			// The audit's own comparison, with the leaderboard's numbers.
			s = fmt.Sprintf("%s vs %s: %s top-1, %s (p(%s) %s) over the %s labelled images both scored; on the %s annotated images both predicted, %s.",
				c.ModelB, c.ModelA, verdictWords(pairedClass(v)), Points(v.Difference), v.Correction, pWords3(v.PAdjusted), count(v.Images), count(all.N), factors)
		} else {
			s = fmt.Sprintf("%s vs %s, on the %s annotated images both predicted: %s accuracy overall, %s (p(%s) %s); %s.",
				c.ModelB, c.ModelA, count(all.N), verdictWords(significance(all)), Points(all.Difference), c.Options.Correction, pWords3(all.PAdjusted), factors)
		}
		out = append(out, s)
	}
	return out
}

// verdictWords says a comparison's verdict before what it is about.
func verdictWords(class string) string {
	switch class {
	case "better":
		return "significantly higher"
	case "worse":
		return "significantly lower"
	}
	return "no significant difference in"
}

// pWords3 writes a p-value after "p": "= 0.0115" (PValue3).
func pWords3(p float64) string {
	if !finite(p) {
		return "–"
	}
	return "= " + PValue3(p)
}

// factorCount writes "no factor", or "3 factors (pose, color and shape)".
func factorCount(names []string) string {
	switch len(names) {
	case 0:
		return "no factor"
	case 1:
		return "1 factor (" + names[0] + ")"
	case len(eval.Factors):
		return "all 16 factors"
	}
	if len(names) > 6 {
		return fmt.Sprintf("%d factors", len(names))
	}
	return fmt.Sprintf("%d factors (%s)", len(names), joinWords(names))
}

// fewImagesFinding lists the factors whose numbers rest on few images.
func fewImagesFinding(m *models) string {
	var few []string
	for _, f := range m.order {
		if n := m.factorImages(f); !eval.Enough(n, m.minImages) {
			few = append(few, fmt.Sprintf("%s (%d)", eval.Factors[f], n))
		}
	}
	if len(few) == 0 {
		return ""
	}
	return fmt.Sprintf("Fewer than %d images carry %s: their numbers are uncertain, shown in italics, and the headline does not single them out.", m.minImages, joinWords(few))
}

// joinWords joins "a", "b" and "c" as "a, b and c".
func joinWords(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
