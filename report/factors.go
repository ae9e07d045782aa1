package report

import (
	"fmt"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/analysis"
	"github.com/imagenetx/imagenetx/eval/stats"
	"github.com/imagenetx/imagenetx/report/chart"
)

// factorTable is the page's main table: one row per factor, hardest first,
// with its image count, each model's accuracy and error ratio with their
// intervals, and the number of misclassified images, which opens their
// list.
func (m *models) factorTable() *table {
	t := &table{ID: "factor-table", Sortable: true, Head: []column{
		{Text: "factor"},
		{Text: "images", Title: "annotated images with the factor (the most any model predicted)"},
	}}
	several := len(m.rows) > 1
	if several {
		t.Groups = []group{{Span: 2}}
	}
	for _, r := range m.rows {
		t.Head = append(t.Head, column{Text: "accuracy", Title: "95% Wilson interval"})
		if m.k > 1 {
			t.Head = append(t.Head, column{Text: fmt.Sprintf("top-%d", m.k), Title: fmt.Sprintf("accuracy counting the first %d ranked classes; 95%% Wilson interval", m.k)})
		}
		t.Head = append(t.Head, column{Text: "error ratio", Title: "(1 − accuracy on the factor) / (1 − accuracy on all annotated images), 95% interval"})
		if several {
			t.Groups = append(t.Groups, group{Text: r.Model, Span: m.columnsPerModel()})
		}
	}
	missed := "misclassified"
	if len(m.outcomes) > 1 {
		missed = "missed by any model"
	}
	if several {
		t.Groups = append(t.Groups, group{Span: 1})
	}
	t.Head = append(t.Head, column{Text: missed, Title: "images with the factor that were misclassified; click to list them"})
	wrong := m.wrongCounts()
	for _, f := range m.order {
		n := m.factorImages(f)
		row := []cell{{Text: eval.Factors[f]}, countCell(n)}
		row[0].Class = fewClass(n, m.minImages)
		for _, r := range m.rows {
			fs := m.factor(r, f)
			row = append(row, m.accuracyCell(fs.Top1))
			if m.k > 1 {
				row = append(row, m.accuracyCell(fs.TopK))
			}
			row = append(row, m.ratioCell(r, f))
		}
		t.Rows = append(t.Rows, append(row, m.missedCell(f, n, wrong[f])))
	}
	return t
}

// columnsPerModel is the number of the factor table's columns per model.
func (m *models) columnsPerModel() int {
	if m.k > 1 {
		return 3
	}
	return 2
}

// wrongCounts counts, per factor, the images some model misclassified.
func (m *models) wrongCounts() [eval.NumFactors]int {
	var out [eval.NumFactors]int
	ds := m.acc.Dataset()
	wrong, _ := m.mistakes()
	for i, w := range wrong {
		if w == 0 {
			continue
		}
		for f := range eval.NumFactors {
			if ds.Images[i].Has(f) {
				out[f]++
			}
		}
	}
	return out
}

// mistakes returns, per image of the dataset, the number of models that
// misclassified it and the highest probability among those wrong answers.
func (m *models) mistakes() (wrong []int, confidence []float64) {
	n := len(m.acc.Dataset().Images)
	wrong, confidence = make([]int, n), make([]float64, n)
	for _, o := range m.outcomes {
		for i := range n {
			if o.joined[i] && !o.correct[i] {
				wrong[i]++
				confidence[i] = max(confidence[i], o.model.Prob[i])
			}
		}
	}
	return wrong, confidence
}

// accuracyCell is an accuracy (top-1 or top-k) on a factor's images.
func (m *models) accuracyCell(p eval.Proportion) cell {
	if p.N == 0 {
		return cell{Text: "–", Title: "no image"}
	}
	return cell{Text: fmt3(p.Value), Sort: sortKey(p.Value), Class: fewClass(p.N, m.minImages),
		Title: fmt.Sprintf("95%% interval %s; %s of %s images correct", bracket(p.Lo, p.Hi, fmt3), count(p.Correct), count(p.N))}
}

func (m *models) ratioCell(r *eval.Row, f int) cell {
	if r.Count[f] == 0 {
		return cell{Text: "–", Title: "no image"}
	}
	fs := m.factor(r, f)
	title := fmt.Sprintf("%s images", count(r.Count[f]))
	if !fs.Enough {
		title += fmt.Sprintf(": fewer than %d, not singled out", m.minImages)
	}
	return cell{Text: withInterval(fs.ErrorRatio, fs.ERLo, fs.ERHi, fmt2), Sort: sortKey(fs.ErrorRatio), Class: m.styleClass(r, f), Title: title}
}

// missedCell is a factor's count of misclassified images, linking to their
// list; it tells a factor without images from one without mistakes.
func (m *models) missedCell(f, images, wrong int) cell {
	switch {
	case images == 0:
		return cell{Text: "no images", Sort: noKey, Class: "none"}
	case wrong == 0:
		return cell{Text: "no mistakes", Sort: "0", Class: "none", Href: "#" + misclassifiedID(f)}
	}
	return cell{Text: count(wrong), Sort: fmt.Sprint(wrong), Href: "#" + misclassifiedID(f)}
}

func fewClass(n, minImages int) string {
	if !eval.Enough(n, minImages) {
		return "few"
	}
	return ""
}

// errorRatioChart draws each model's error ratio per factor with its
// interval.
func (m *models) errorRatioChart(p *page) error {
	g := chart.Grouped{Categories: m.factorNames(), YLabel: "error ratio", References: []float64{1}}
	for _, r := range m.rows {
		s := chart.Series{Name: r.Model}
		for _, f := range m.order {
			fs := m.factor(r, f)
			s.Values, s.Lo, s.Hi = append(s.Values, fs.ErrorRatio), append(s.Lo, fs.ERLo), append(s.Hi, fs.ERHi)
		}
		g.Series = append(g.Series, s)
	}
	c, err := chart.Intervals(g)
	if err != nil {
		return fmt.Errorf("report: error ratio chart: %w", err)
	}
	p.ErrorRatio, err = newFigure(c, "error-ratio", "points", "Error ratio per factor with 95% intervals",
		fmt.Sprintf("Error ratio = (1 − accuracy on the factor's images) / (1 − accuracy on all annotated images). Above the dashed line at 1 a model errs more often on images with the factor than on average; an interval that stays above 1 means clearly more often. Factors are sorted by their error ratio averaged over the models, hardest first, those with fewer than %d images after the others; the table above gives the counts.", m.minImages))
	return err
}

// accuracyChart draws each model's accuracy per factor with its Wilson
// interval.
func (m *models) accuracyChart(p *page) error {
	g := chart.Grouped{Categories: m.factorNames(), YLabel: "accuracy"}
	for _, r := range m.rows {
		s := chart.Series{Name: r.Model}
		for _, f := range m.order {
			p := m.factor(r, f).Top1
			s.Values, s.Lo, s.Hi = append(s.Values, p.Value), append(s.Lo, p.Lo), append(s.Hi, p.Hi)
		}
		g.Series = append(g.Series, s)
	}
	c, err := chart.Intervals(g)
	if err != nil {
		return fmt.Errorf("report: accuracy chart: %w", err)
	}
	p.Accuracy, err = newFigure(c, "accuracy", "points", "Accuracy per factor with 95% Wilson intervals",
		"Accuracy over the images annotated with each factor; bars are 95% Wilson score intervals. Wide intervals mean few images.")
	return err
}

// heatmapSection draws one metaclass × factor heatmap of error ratios per
// model; metaclasses without images are left out.
func (m *models) heatmapSection(p *page) error {
	meta, err := m.acc.MetaclassTable(m.et)
	if err != nil {
		return fmt.Errorf("report: metaclass table: %w", err)
	}
	for i, r := range m.rows {
		g := chart.Grid{Columns: m.factorNames()}
		for _, mr := range meta.Rows {
			if mr.Model != r.Model || mr.N == 0 {
				continue
			}
			vals := make([]float64, len(m.order))
			faint := make([]bool, len(m.order))
			for j, f := range m.order {
				vals[j], faint[j] = mr.ErrorRatio(f), mr.Count[f] < FewCellImages
			}
			g.Rows, g.Values, g.Faint = append(g.Rows, mr.Metaclass), append(g.Values, vals), append(g.Faint, faint)
		}
		if len(g.Rows) == 0 {
			continue
		}
		c, err := chart.Heatmap(g)
		if err != nil {
			return fmt.Errorf("report: heatmap of %s: %w", r.Model, err)
		}
		fig, err := newFigure(c, fmt.Sprintf("heatmap-%d", i), "cells", r.Model,
			fmt.Sprintf("Error ratio within each metaclass: (1 − accuracy on the metaclass's images with the factor) / (1 − accuracy on the metaclass). Pale: fewer than %d images; blank: none.", FewCellImages))
		if err != nil {
			return err
		}
		p.Heatmaps = append(p.Heatmaps, fig)
	}
	return nil
}

// calibrationSection charts the expected calibration error per factor of
// the models that have predicted probabilities.
func (m *models) calibrationSection(p *page) error {
	ds := m.acc.Dataset()
	factors := make([]uint16, len(ds.Images))
	metaclass := make([]int, len(ds.Images))
	for i, im := range ds.Images {
		factors[i], metaclass[i] = im.Factors, im.Metaclass
	}
	g := chart.Grouped{Categories: m.factorNames(), YLabel: "expected calibration error"}
	t := &table{ID: "calibration-table", Sortable: true, Head: []column{{Text: "factor"}, {Text: "images"}}}
	var reports []analysis.CalibrationReport
	var rows []*eval.Row
	for _, o := range m.outcomes {
		r, _ := m.rowOf(o.model.Name)
		cal, err := analysis.FactorCalibration(&analysis.Predictions{Correct: o.correct, Prob: o.model.Prob, Factors: factors, Metaclass: metaclass, Joined: o.joined}, stats.DefaultCalibrationBins)
		if err != nil {
			return fmt.Errorf("report: calibration of %s: %w", o.model.Name, err)
		}
		s := chart.Series{Name: o.model.Name}
		for _, f := range m.order {
			s.Values = append(s.Values, cal.Factor[f])
		}
		g.Series = append(g.Series, s)
		t.Head = append(t.Head, column{Text: o.model.Name})
		reports, rows = append(reports, cal), append(rows, r)
	}
	if len(g.Series) == 0 {
		return nil
	}
	overall := []cell{{Text: "all annotated images"}, countCell(rows[0].N)}
	for _, cal := range reports {
		overall = append(overall, cell{Text: fmt3(cal.Overall), Sort: sortKey(cal.Overall)})
	}
	t.Rows = append(t.Rows, overall)
	for _, f := range m.order {
		n := m.factorImages(f)
		row := []cell{{Text: eval.Factors[f], Class: fewClass(n, m.minImages)}, countCell(n)}
		for j, cal := range reports {
			row = append(row, cell{Text: fmt3(cal.Factor[f]), Sort: sortKey(cal.Factor[f]), Class: fewClass(rows[j].Count[f], m.minImages)})
		}
		t.Rows = append(t.Rows, row)
	}
	c, err := chart.Bars(g)
	if err != nil {
		return fmt.Errorf("report: calibration chart: %w", err)
	}
	p.Calibration, err = newFigure(c, "calibration", "bars", "Calibration per factor",
		"Expected calibration error over the images of each factor (15 equal-width confidence bins): the gap between how confident a model is and how often it is right. Lower is better.")
	p.CalibrationTable = t
	return err
}

// rowOf is the named model's row.
func (m *models) rowOf(model string) (*eval.Row, bool) {
	for _, r := range m.rows {
		if r.Model == model {
			return r, true
		}
	}
	return nil, false
}
