package report

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/analysis"
	"github.com/imagenetx/imagenetx/eval/stats"
	"github.com/imagenetx/imagenetx/report/chart"
)

// FewImages is the number of images below which a factor's numbers are
// flagged as resting on few images.
const FewImages = 50

// FewCellImages is the number of images below which a metaclass × factor
// cell is drawn pale: with so few images its ratio is mostly noise.
const FewCellImages = 20

// build computes everything the page shows.
func build(ctx context.Context, in Input) (*page, error) {
	css, err := fontCSS()
	if err != nil {
		return nil, err
	}
	p := &page{Title: cmp.Or(in.Title, "ImageNet-X audit"), Notes: in.Notes, FontCSS: css}
	if in.Accumulator != nil {
		if err := in.Accumulator.KeepsImages(); err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		if err := addModels(ctx, p, in); err != nil {
			return nil, err
		}
	}
	for i, s := range in.Sweeps {
		v, err := sweepSection(s, i)
		if err != nil {
			return nil, err
		}
		p.Sweeps = append(p.Sweeps, v)
	}
	return p, nil
}

// models is the per-model data the sections share.
type models struct {
	acc   *eval.Accumulator
	et    eval.ErrorType
	table *eval.Table
	// order lists factor indices as the paper sorts them: by error ratio
	// averaged over the models, hardest first.
	order []int
	// meanRatio is each factor's error ratio averaged over the models.
	meanRatio []float64
}

func addModels(ctx context.Context, p *page, in Input) error {
	table, err := in.Accumulator.Table(in.ErrorType)
	if err != nil {
		return fmt.Errorf("report: factor table: %w", err)
	}
	if len(table.Rows) == 0 {
		return fmt.Errorf("report: no model has predictions")
	}
	m := &models{acc: in.Accumulator, et: in.ErrorType, table: table}
	m.order, m.meanRatio = factorOrder(table.Rows)
	p.Facts = m.facts()
	p.Findings = findings(m)
	for i, r := range table.Rows {
		p.Models = append(p.Models, swatch{Name: r.Model, Color: cssColor(i)})
	}
	steps := []func(*page) error{m.errorRatioSection, m.accuracySection, m.heatmapSection, m.calibrationSection}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := step(p); err != nil {
			return err
		}
	}
	if in.ImagesDir != "" {
		strips, note, err := exampleStrips(ctx, m, in.ImagesDir, cmp.Or(in.ExamplesPerFactor, DefaultExamplesPerFactor), in.Decode)
		if err != nil {
			return err
		}
		p.Examples, p.ExamplesNote = strips, note
	}
	return nil
}

func (m *models) facts() []fact {
	ds := m.acc.Dataset()
	names := make([]string, len(m.table.Rows))
	for i, r := range m.table.Rows {
		names[i] = r.Model
	}
	return []fact{
		{"annotated images", strconv.Itoa(len(ds.Images))},
		{"annotations", fmt.Sprintf("%s, %s factor", cmp.Or(string(ds.Options.Partition), "val"), ds.Options.Factors)},
		{"correct means", errorTypeWords(m.et)},
		{"models", fmt.Sprint(len(names))},
	}
}

func errorTypeWords(et eval.ErrorType) string {
	switch et {
	case eval.ErrorMetaclass:
		return "predicted class in the true metaclass"
	case eval.ErrorReal:
		return "predicted class among the ReaL labels"
	}
	return "predicted class is the annotated class"
}

// factorOrder sorts the factors by their error ratio averaged over the
// rows, descending, as the paper's figures do; factors without a value go
// last, ties keep the reference order. It also returns the averages (NaN
// for a factor without a value).
func factorOrder(rows []eval.Row) (order []int, mean []float64) {
	mean = make([]float64, eval.NumFactors)
	for f := range mean {
		sum, n := 0.0, 0
		for i := range rows {
			if v := rows[i].ErrorRatio(f); finite(v) {
				sum += v
				n++
			}
		}
		mean[f] = math.NaN()
		if n > 0 {
			mean[f] = sum / float64(n)
		}
	}
	order = make([]int, eval.NumFactors)
	for i := range order {
		order[i] = i
	}
	key := func(f int) float64 { return nanTo(mean[f], math.Inf(-1)) }
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(key(b), key(a)) })
	return order, mean
}

// nanTo returns v, or alt when v is NaN.
func nanTo(v, alt float64) float64 {
	if math.IsNaN(v) {
		return alt
	}
	return v
}

// factorNames returns the names of the factors in order.
func (m *models) factorNames() []string {
	names := make([]string, len(m.order))
	for i, f := range m.order {
		names[i] = eval.Factors[f]
	}
	return names
}

func (m *models) errorRatioSection(p *page) error {
	g := chart.Grouped{Categories: m.factorNames(), YLabel: "error ratio", References: []float64{1}}
	t := &table{Head: append([]string{"model", "accuracy"}, m.factorNames()...)}
	for _, r := range m.table.Rows {
		s := chart.Series{Name: r.Model}
		row := []cell{{Text: r.Model}, {Text: fmt3(r.Average), Title: fmt.Sprintf("%d of %d images", r.NCorrect, r.N)}}
		for _, f := range m.order {
			ratio, lo, hi := stats.ErrorRatioInterval(r.Correct[f], r.Count[f], r.NCorrect, r.N, stats.DefaultConfidence)
			s.Values = append(s.Values, ratio)
			row = append(row, cell{Text: fmt2(ratio), Class: ratioClass(ratio, r.Count[f]),
				Title: fmt.Sprintf("95%% CI [%s, %s], %d images", fmt2(lo), fmt2(hi), r.Count[f])})
		}
		g.Series = append(g.Series, s)
		t.Rows = append(t.Rows, row)
	}
	c, err := chart.Bars(g)
	if err != nil {
		return fmt.Errorf("report: error ratio chart: %w", err)
	}
	p.ErrorRatio, err = newFigure(c, "error-ratio", "bars", "Error ratio per factor",
		"Error ratio = (1 − accuracy on the factor's images) / (1 − overall accuracy). Above the dashed line at 1 a model errs more often on images with the factor than on average. Factors are sorted by their error ratio averaged over the models, hardest first.")
	p.ErrorRatioTable = t
	return err
}

func (m *models) accuracySection(p *page) error {
	g := chart.Grouped{Categories: m.factorNames(), YLabel: "accuracy"}
	t := &table{Head: append([]string{"model", "average", "worst factor"}, m.factorNames()...)}
	for _, r := range m.table.Rows {
		s := chart.Series{Name: r.Model}
		row := []cell{{Text: r.Model}, {Text: fmt3(r.Average)}, {Text: fmt3(r.WorstFactor)}}
		for _, f := range m.order {
			lo, hi := stats.WilsonInterval(r.Correct[f], r.Count[f], stats.DefaultConfidence)
			s.Values, s.Lo, s.Hi = append(s.Values, r.Factor[f]), append(s.Lo, lo), append(s.Hi, hi)
			row = append(row, cell{Text: fmt3(r.Factor[f]), Class: fewClass(r.Count[f]),
				Title: fmt.Sprintf("95%% Wilson CI [%s, %s], %d of %d images", fmt3(lo), fmt3(hi), r.Correct[f], r.Count[f])})
		}
		g.Series = append(g.Series, s)
		t.Rows = append(t.Rows, row)
	}
	c, err := chart.Intervals(g)
	if err != nil {
		return fmt.Errorf("report: accuracy chart: %w", err)
	}
	p.Accuracy, err = newFigure(c, "accuracy", "points", "Accuracy per factor with 95% Wilson intervals",
		"Accuracy over the images annotated with each factor; bars are 95% Wilson score intervals. Wide intervals mean few images.")
	p.AccuracyTable = t
	return err
}

// heatmapSection draws one metaclass × factor heatmap of error ratios per
// model; metaclasses without images are left out.
func (m *models) heatmapSection(p *page) error {
	meta, err := m.acc.MetaclassTable(m.et)
	if err != nil {
		return fmt.Errorf("report: metaclass table: %w", err)
	}
	for i, r := range m.table.Rows {
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
			"Error ratio within each metaclass: (1 − accuracy on the metaclass's images with the factor) / (1 − accuracy on the metaclass). Pale: fewer than 20 images; blank: none.")
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
	t := &table{Head: append([]string{"model", "overall", "worst factor"}, m.factorNames()...)}
	for _, r := range m.table.Rows {
		mp, ok := m.acc.Model(r.Model)
		if !ok { // the human baseline of ReaL tables has no probabilities
			continue
		}
		correct, joined := m.acc.Correct(mp, m.et)
		cal, err := analysis.FactorCalibration(&analysis.Predictions{Correct: correct, Prob: mp.Prob, Factors: factors, Metaclass: metaclass, Joined: joined}, stats.DefaultCalibrationBins)
		if err != nil {
			return fmt.Errorf("report: calibration of %s: %w", r.Model, err)
		}
		s := chart.Series{Name: r.Model}
		row := []cell{{Text: r.Model}, {Text: fmt3(cal.Overall)}, {Text: fmt3(cal.WorstFactor)}}
		for _, f := range m.order {
			s.Values = append(s.Values, cal.Factor[f])
			row = append(row, cell{Text: fmt3(cal.Factor[f]), Class: fewClass(r.Count[f]), Title: fmt.Sprintf("%d images", r.Count[f])})
		}
		g.Series = append(g.Series, s)
		t.Rows = append(t.Rows, row)
	}
	if len(g.Series) == 0 {
		return nil
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

// ratioClass styles an error-ratio cell: clearly harder or easier than
// average, and flagged when few images back it.
func ratioClass(v float64, n int) string {
	c := ""
	switch {
	case v >= 1.25:
		c = "worse"
	case v <= 0.8:
		c = "better"
	}
	if n < FewImages {
		c += " few"
	}
	return c
}

func fewClass(n int) string {
	if n < FewImages {
		return "few"
	}
	return ""
}

// cssColor is the colour of series i as CSS.
func cssColor(i int) template.CSS {
	c := chart.SeriesColor(i)
	return template.CSS(fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B))
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func fmtN(v float64, digits int) string {
	if !finite(v) {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', digits, 64)
}

func fmt2(v float64) string { return fmtN(v, 2) }
func fmt3(v float64) string { return fmtN(v, 3) }
