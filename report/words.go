package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/stats"
)

// worstShown is how many factors a sentence names.
const worstShown = 3

// findings says in words which factors hurt the models most.
func findings(m *models) []string {
	var out []string
	if s := acrossModels(m); s != "" {
		out = append(out, s)
	}
	for i := range m.table.Rows {
		if s := modelFinding(&m.table.Rows[i]); s != "" {
			out = append(out, s)
		}
	}
	if s := fewImagesFinding(m); s != "" {
		out = append(out, s)
	}
	return out
}

// acrossModels names the hardest and easiest factors on average.
func acrossModels(m *models) string {
	var ranked []int
	for _, f := range m.order {
		if finite(m.meanRatio[f]) {
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
	if n := len(m.table.Rows); n > 1 {
		who = fmt.Sprintf("the %d models", n)
	}
	return fmt.Sprintf("Averaged over %s, the hardest factors are %s, and the easiest %s (mean error ratio in brackets; 1 is the average image).",
		who, describe(ranked[:worstShown]), describe(easiest))
}

// modelFinding names a model's worst factors with their intervals.
func modelFinding(r *eval.Row) string {
	type item struct {
		f             int
		ratio, lo, hi float64
	}
	var items []item
	for _, f := range r.WorstFactors(worstShown, 0) {
		ratio, lo, hi := stats.ErrorRatioInterval(r.Correct[f], r.Count[f], r.NCorrect, r.N, stats.DefaultConfidence)
		items = append(items, item{f, ratio, lo, hi})
	}
	if len(items) == 0 {
		return ""
	}
	parts := make([]string, len(items))
	for i, it := range items {
		few := ""
		if r.Count[it.f] < FewImages {
			few = ", few images"
		}
		parts[i] = fmt.Sprintf("%s (error ratio %s, 95%% CI %s–%s, %d images%s)",
			eval.Factors[it.f], fmt2(it.ratio), fmt2(it.lo), fmt2(it.hi), r.Count[it.f], few)
	}
	top := items[0]
	return fmt.Sprintf("%s (accuracy %s on %d images) is least robust to %s: on %s images it errs %s× as often as on average.",
		r.Model, fmt3(r.Average), r.N, joinWords(parts), eval.Factors[top.f], fmt2(top.ratio))
}

// fewImagesFinding lists the factors whose numbers rest on few images.
func fewImagesFinding(m *models) string {
	var few []string
	for _, f := range m.order {
		n := 0
		for _, r := range m.table.Rows {
			n = max(n, r.Count[f])
		}
		if n < FewImages {
			few = append(few, fmt.Sprintf("%s (%d)", eval.Factors[f], n))
		}
	}
	if len(few) == 0 {
		return ""
	}
	return fmt.Sprintf("Fewer than %d images carry %s; their numbers are uncertain and shown in italics in the tables.", FewImages, joinWords(few))
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
