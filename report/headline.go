package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/stats"
)

// notedFactors caps the factors a card names as clearly worse (the rest are
// counted) and as clearly better.
const (
	notedWorse  = 5
	notedBetter = 3
)

// cards gives each model with predictions its headline.
func (m *models) cards() []card {
	var out []card
	for i, r := range m.rows {
		if _, ok := m.acc.Model(r.Model); !ok {
			continue
		}
		x := m.extra[r.Model]
		c := card{Model: r.Model, Color: cssColor(i), Failed: len(x.Failed), FailedID: failedID(i)}
		c.Metrics = m.metrics(r, x.Score)
		c.Counts = m.coverageWords(r.Model)
		worse, better := m.notable(r)
		c.Worse = m.factorNotes(r, worse, notedWorse, "worse")
		c.Better = m.factorNotes(r, better, notedBetter, "better")
		c.Threshold = fmt.Sprintf("Error ratio with its 95%% interval; a factor is named when the interval lies above (or below) 1 and at least %s images carry it.", count(m.minImages))
		if len(worse) == 0 {
			c.NoneWorse = fmt.Sprintf("No factor with at least %s images is clearly harder than the average image.", count(m.minImages))
		}
		out = append(out, c)
	}
	return out
}

// metrics are a model's headline numbers: top-1 and top-k over every
// labelled image it scored when known, and its accuracy (and top-k when
// only the annotated images give it) on the annotated images.
func (m *models) metrics(r *eval.Row, s Score) []metric {
	var out []metric
	of := func(n int) string { return "of " + plural(n, "labelled image", "labelled images") }
	if s.Labeled > 0 {
		out = append(out, proportion("top-1", s.Top1, s.Labeled, of(s.Labeled)))
		if s.K > 1 {
			out = append(out, proportion(fmt.Sprintf("top-%d", s.K), s.TopK, s.Labeled, of(s.Labeled)))
		}
	}
	sum := m.summaries[r.Model]
	annotated := "of " + plural(sum.Top1.N, "annotated image", "annotated images")
	out = append(out, metricOf(m.annotatedAccuracy()+" images", sum.Top1, annotated))
	if sum.K > 1 && s.K < 2 {
		out = append(out, metricOf(fmt.Sprintf("top-%d, annotated images", sum.K), sum.TopK, annotated))
	}
	return out
}

// annotatedAccuracy names the accuracy on the annotated images: top-1
// when correct means the annotated class.
func (m *models) annotatedAccuracy() string {
	if m.et == eval.ErrorClass {
		return "top-1, annotated"
	}
	return "accuracy, annotated"
}

// proportion is a headline metric: k of n as a percentage with its 95%
// Wilson interval.
func proportion(name string, k, n int, of string) metric {
	lo, hi := stats.WilsonInterval(k, n, stats.DefaultConfidence)
	return metric{Name: name, Value: pct(float64(k) / float64(n)), Interval: bracket(lo, hi, pct), Of: of}
}

// metricOf is a headline metric from eval's proportion.
func metricOf(name string, p eval.Proportion, of string) metric {
	return metric{Name: name, Value: pct(p.Value), Interval: bracket(p.Lo, p.Hi, pct), Of: of}
}

// coverageWords says how a model's predictions met the annotations.
func (m *models) coverageWords(model string) string {
	mp, ok := m.acc.Model(model)
	if !ok {
		return ""
	}
	c := mp.Coverage()
	var parts []string
	if c.Missing > 0 {
		parts = append(parts, fmt.Sprintf("predicted %s of the %s annotated images", count(c.Joined), count(c.Annotated)))
	}
	if c.Unannotated > 0 {
		parts = append(parts, fmt.Sprintf("%s predicted images have no annotation", count(c.Unannotated)))
	}
	return strings.Join(parts, "; ")
}

// notable returns the factors clearly worse than average for the row,
// hardest first, and those clearly better, easiest first.
func (m *models) notable(r *eval.Row) (worse, better []int) {
	for f := range eval.NumFactors {
		switch m.verdict(r, f) {
		case "worse":
			worse = append(worse, f)
		case "better":
			better = append(better, f)
		}
	}
	byRatio := func(a, b int) int { return cmp.Compare(r.ErrorRatio(a), r.ErrorRatio(b)) }
	slices.SortStableFunc(worse, func(a, b int) int { return byRatio(b, a) })
	slices.SortStableFunc(better, byRatio)
	return worse, better
}

// factorNotes names up to limit of the factors fs with their error ratio,
// interval and count, and says how many more there are.
func (m *models) factorNotes(r *eval.Row, fs []int, limit int, kind string) []factorNote {
	var out []factorNote
	for _, f := range fs[:min(limit, len(fs))] {
		fs := m.factor(r, f)
		out = append(out, factorNote{Kind: kind, Factor: eval.Factors[f], Ratio: fmt2(fs.ErrorRatio), Interval: bracket(fs.ERLo, fs.ERHi, fmt2),
			Images: count(r.Count[f]), Href: "#" + misclassifiedID(f)})
	}
	if len(fs) > limit {
		out = append(out, factorNote{Kind: kind, Factor: fmt.Sprintf("and %d more in the factor table", len(fs)-limit)})
	}
	return out
}

// leaderboard ranks several models: top-1/top-k over all their labelled
// images, accuracy on the annotated ones, and the paired comparison with
// the baseline. The note under it says which images each figure is over;
// a count is a column only where it differs between the models, so that
// four models fit a 1,400-pixel page.
func (m *models) leaderboard() (*table, string) {
	if len(m.outcomes) < 2 {
		return nil, ""
	}
	k, labelled := 0, false
	var nLabelled, nAnnotated, nPaired []int
	for _, r := range m.rows {
		if _, ok := m.acc.Model(r.Model); !ok {
			continue
		}
		s := m.extra[r.Model].Score
		k, labelled = max(k, s.K), labelled || s.Labeled > 0
		nLabelled, nAnnotated = append(nLabelled, s.Labeled), append(nAnnotated, r.N)
		if r.Model != m.baseline() {
			nPaired = append(nPaired, m.pairedImages(r.Model))
		}
	}
	if !labelled {
		k = 0
	}
	labelledVary, annotatedVary, pairedVary := varies(nLabelled), varies(nAnnotated), varies(nPaired)
	t := &table{ID: "leaderboard", Sortable: true, Head: []column{{Text: "model"}}}
	var over []string
	if labelled {
		t.Head = append(t.Head, column{Text: "top-1", Title: "over every labelled image the model scored, 95% Wilson interval"})
		if k > 1 {
			t.Head = append(t.Head, column{Text: fmt.Sprintf("top-%d", k)})
		}
		which := "top-1 is"
		if k > 1 {
			which = fmt.Sprintf("top-1 and top-%d are", k)
		}
		if labelledVary {
			t.Head = append(t.Head, column{Text: "labelled images"})
			over = append(over, which+" over the labelled images each model scored")
		} else {
			over = append(over, fmt.Sprintf("%s over the %s labelled images", which, count(nLabelled[0])))
		}
	}
	t.Head = append(t.Head, column{Text: m.annotatedAccuracy(), Title: "accuracy on the annotated images, 95% Wilson interval"})
	if annotatedVary {
		t.Head = append(t.Head, column{Text: "annotated images"})
		over = append(over, "“"+m.annotatedAccuracy()+"” is over the annotated images each model predicted")
	} else {
		over = append(over, fmt.Sprintf("“%s” is over the %s annotated images", m.annotatedAccuracy(), count(nAnnotated[0])))
	}
	paired := "labelled images both scored"
	test := "exact McNemar test, " + m.pairedCorrection() + "-corrected across the models, as in the terminal and leaderboard.csv"
	diff := column{Text: "vs " + m.baseline(), Title: "top-1 difference with the baseline in points, on the labelled images both scored"}
	pcol := column{Text: "p (" + m.pairedCorrection() + ")", Title: "exact McNemar test on the labelled images exactly one of the two got right"}
	if !m.pairedOnLabels() {
		paired = "annotated images both predicted"
		test = "exact McNemar test, " + m.annotatedCorrection() + "-corrected, as in the comparison section"
		diff = column{Text: "vs " + m.baseline(), Title: "accuracy difference with the baseline on the annotated images both predicted"}
		pcol = column{Text: "p (" + m.annotatedCorrection() + ")", Title: "exact McNemar test on the annotated images exactly one of the two got right"}
	}
	t.Head = append(t.Head, diff)
	if pairedVary {
		t.Head = append(t.Head, column{Text: "paired images", Title: paired})
		over = append(over, fmt.Sprintf("“vs %s” is over the %s (%s)", m.baseline(), paired, test))
	} else if len(nPaired) > 0 {
		over = append(over, fmt.Sprintf("“vs %s” is over the %s %s (%s)", m.baseline(), count(nPaired[0]), paired, test))
	}
	t.Head = append(t.Head, pcol, column{Text: "failed"})
	for i, r := range m.rows {
		if _, ok := m.acc.Model(r.Model); !ok {
			continue
		}
		x := m.extra[r.Model]
		s := x.Score
		row := []cell{{Text: r.Model}}
		if labelled {
			row = append(row, proportionCell(s.Top1, s.Labeled, pct))
			if k > 1 {
				if s.K > 1 {
					row = append(row, proportionCell(s.TopK, s.Labeled, pct))
				} else {
					row = append(row, cell{Text: "–"})
				}
			}
			if labelledVary {
				row = append(row, countCell(s.Labeled))
			}
		}
		row = append(row, proportionCell(r.NCorrect, r.N, pct))
		if annotatedVary {
			row = append(row, countCell(r.N))
		}
		vs := m.baselineCells(r.Model)
		row = append(row, vs[0])
		if pairedVary {
			row = append(row, vs[1])
		}
		row = append(row, vs[2])
		failed := countCell(len(x.Failed))
		if len(x.Failed) > 0 {
			failed.Href = "#" + failedID(i)
		}
		t.Rows = append(t.Rows, append(row, failed))
	}
	note := strings.Join(over, "; ") + "."
	if c := note[0]; 'a' <= c && c <= 'z' { // "“top-1, annotated” …" stays as it is
		note = string(c-'a'+'A') + note[1:]
	}
	return t, note
}

// varies reports whether the counts are not all the same.
func varies(ns []int) bool {
	for _, n := range ns {
		if n != ns[0] {
			return true
		}
	}
	return false
}

// pairedImages is the number of images the model's comparison with the
// baseline is over (0 without one).
func (m *models) pairedImages(model string) int {
	if m.pairedOnLabels() {
		if v := m.extra[model].VsBaseline; v != nil {
			return v.Images
		}
		return 0
	}
	if c := m.comparison(model); c != nil {
		return c.Rows[len(c.Rows)-1].N
	}
	return 0
}

// pairedOnLabels reports whether the models carry the audit's comparison
// on the labelled images (Model.VsBaseline), which the leaderboard and
// findings then show.
func (m *models) pairedOnLabels() bool {
	for _, x := range m.input {
		if x.VsBaseline != nil {
			return true
		}
	}
	return false
}

// pairedCorrection names the correction of the labelled comparisons.
func (m *models) pairedCorrection() string {
	for _, x := range m.input {
		if x.VsBaseline != nil {
			return x.VsBaseline.Correction.String()
		}
	}
	return ""
}

// annotatedCorrection names the correction of the comparisons on the
// annotated images.
func (m *models) annotatedCorrection() string {
	if len(m.comparisons) == 0 {
		return "McNemar"
	}
	return m.comparisons[0].Options.Correction.String()
}

// pairedClass is a labelled comparison's cell class, as significance's.
func pairedClass(v *Paired) string {
	switch {
	case !v.Significant:
		return ""
	case v.Difference > 0:
		return "better"
	case v.Difference < 0:
		return "worse"
	}
	return ""
}

// baselineCells are a leaderboard row's difference with the baseline, the
// images it is over and its p-value: the audit's top-1 comparison on the
// labelled images when given (the numbers of the terminal and
// leaderboard.csv), else eval.Compare's on the annotated images.
func (m *models) baselineCells(model string) []cell {
	if model == m.baseline() {
		return []cell{{Text: "baseline", Sort: "0"}, {Text: "", Sort: noKey}, {Text: "", Sort: noKey}}
	}
	if m.pairedOnLabels() {
		v := m.extra[model].VsBaseline
		if v == nil || v.Images == 0 {
			return []cell{{Text: "–"}, {Text: "–"}, {Text: "–"}}
		}
		class := pairedClass(v)
		return []cell{
			{Text: Points(v.Difference), Sort: sortKey(v.Difference), Class: class,
				Title: fmt.Sprintf("%d right only with %s, %d only with %s", v.OnlyModel, model, v.OnlyBaseline, m.baseline())},
			countCell(v.Images),
			{Text: PValue3(v.PAdjusted), Sort: sortKey(v.PAdjusted), Class: class, Title: "before correction: " + PValue3(v.P)},
		}
	}
	c := m.comparison(model)
	if c == nil {
		return []cell{{Text: "–"}, {Text: "–"}, {Text: "–"}}
	}
	all := c.Rows[len(c.Rows)-1] // AverageFactor
	return []cell{
		{Text: Points(all.Difference), Sort: sortKey(all.Difference), Class: significance(all),
			Title: fmt.Sprintf("%d right only with %s, %d only with %s", all.OnlyB, c.ModelB, all.OnlyA, c.ModelA)},
		countCell(all.N),
		{Text: PValue3(all.PAdjusted), Sort: sortKey(all.PAdjusted), Class: significance(all), Title: "before correction: " + PValue3(all.P)},
	}
}

// proportionCell is k of n with its Wilson interval.
func proportionCell(k, n int, format func(float64) string) cell {
	if n == 0 {
		return cell{Text: "–"}
	}
	v := float64(k) / float64(n)
	lo, hi := stats.WilsonInterval(k, n, stats.DefaultConfidence)
	return cell{Text: format(v) + " " + bracket(lo, hi, pct1), Sort: sortKey(v), Title: fmt.Sprintf("%s of %s", count(k), count(n))}
}

func countCell(n int) cell { return cell{Text: count(n), Sort: fmt.Sprint(n)} }
