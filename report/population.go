package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/population"
	"github.com/imagenetx/imagenetx/eval/tabular"
	"github.com/imagenetx/imagenetx/report/chart"
)

// Population is the audited models placed among the paper's published
// models (Input.Population): the models of the paper's high-level scatter,
// its panel order, and per audited model its row and placement.
type Population struct {
	// Scatter are the paper's models, Order the factors in panel order
	// (population.ScatterOrder).
	Scatter []population.Model
	Order   []int
	// Rows are the audited models' rows; Placements[i] are Rows[i]'s
	// placements, one per factor.
	Rows       []eval.Row
	Placements [][]population.Placement
	// Size is the number of models placed against (the type population).
	Size int
	// Notes say what the placements show (population.Notes).
	Notes []string
}

// PopulationChartKinds are the charts of the paper's published models that
// the plot command draws besides ChartKinds: the model-type comparison
// (TypeChart) and the high-level scatter (ScatterChart).
var PopulationChartKinds = []string{"model-types", "population-scatter"}

// accuracyLabel names the accuracy of an error type on a chart axis.
func accuracyLabel(et eval.ErrorType) string {
	switch et {
	case eval.ErrorReal:
		return "ReaL accuracy"
	case eval.ErrorMetaclass:
		return "Metaclass accuracy"
	}
	return "Top-1 accuracy"
}

// ScatterChart draws the paper's high-level scatter: one panel per factor
// in order, x the models' accuracy and y their accuracy on the factor's
// images, the identity line, the paper's models coloured by type and the
// highlighted rows (audited models) large on top.
func ScatterChart(models []population.Model, order []int, highlights []eval.Row, et eval.ErrorType) (*chart.Chart, error) {
	groups := slices.Clone(population.ComparedTypes)
	for _, m := range models {
		if !slices.Contains(groups, m.Group) {
			groups = append(groups, m.Group)
		}
	}
	ps := chart.Panels{XLabel: accuracyLabel(et), YLabel: "accuracy on the factor", Identity: true}
	for _, f := range order {
		ps.Titles = append(ps.Titles, eval.Factors[f])
	}
	for _, g := range groups {
		pg := chart.PanelGroup{Name: g, Points: make([][]chart.Point, len(order))}
		for _, m := range models {
			if m.Group != g {
				continue
			}
			for i, f := range order {
				pg.Points[i] = append(pg.Points[i], chart.Point{X: m.Row.Average, Y: m.Row.Factor[f]})
			}
		}
		ps.Groups = append(ps.Groups, pg)
	}
	for _, r := range highlights {
		h := chart.Highlight{Name: r.Model}
		for _, f := range order {
			h.Points = append(h.Points, chart.Point{X: r.Average, Y: r.Factor[f]})
		}
		ps.Highlights = append(ps.Highlights, h)
	}
	return chart.ScatterPanels(ps)
}

// TypeChart draws a comparison as the paper does: the mean error ratio per
// factor and group with ± one standard deviation, factors ordered by their
// mean error ratio over all models (lowest first), and the factors whose
// test is not significant at population.Significance drawn pale.
func TypeChart(c *population.Comparison) (*chart.Chart, error) {
	type overall struct {
		factor int
		mean   float64
	}
	var order []overall
	for f := range eval.NumFactors {
		sum, n := 0.0, 0
		for _, r := range c.Rows {
			if r.Factor == f {
				sum += r.MeanErrorRatio * float64(r.NModels)
				n += r.NModels
			}
		}
		order = append(order, overall{f, sum / float64(n)})
	}
	slices.SortStableFunc(order, func(a, b overall) int { return cmp.Compare(a.mean, b.mean) })
	g := chart.Grouped{YLabel: "error ratio", References: []float64{1}}
	for _, o := range order {
		g.Categories = append(g.Categories, eval.Factors[o.factor])
		g.Faded = append(g.Faded, !(c.P(o.factor) < population.Significance))
	}
	for _, name := range c.Groups {
		s := chart.Series{Name: name}
		for _, o := range order {
			mean, std := math.NaN(), math.NaN()
			for _, r := range c.Rows {
				if r.Factor == o.factor && r.Group == name {
					mean, std = r.MeanErrorRatio, r.StdErrorRatio
				}
			}
			s.Values, s.Err = append(s.Values, mean), append(s.Err, std)
		}
		g.Series = append(g.Series, s)
	}
	return chart.Bars(g)
}

// populationSection is the "Among the paper's models" section: the
// scatter with the audited models highlighted, what their placements show
// and the placement table.
func populationSection(pop *Population, et eval.ErrorType) (*populationView, error) {
	c, err := ScatterChart(pop.Scatter, pop.Order, pop.Rows, et)
	if err != nil {
		return nil, fmt.Errorf("report: population scatter: %w", err)
	}
	fig, err := newFigure(c, "population-scatter", "points", "The audited models among the paper's",
		fmt.Sprintf("One panel per factor, in the paper's order (lowest accuracy of the 20 most accurate models first): each of the paper's %d models of the four types it compares (small points, coloured by type) and each audited model (large dark points) at its %s (x) and its accuracy on the images with the factor (y); the dashed line is y = x.",
			pop.Size, accuracyLabel(et)))
	if err != nil {
		return nil, err
	}
	v := &populationView{Figure: fig, Notes: pop.Notes}
	t := &table{ID: "placement", Sortable: true, Head: []column{{Text: "model"}, {Text: "factor"}, {Text: "error ratio [95% CI]"}, {Text: "images"},
		{Text: "percentile", Title: "share of the paper's models with a lower error ratio (ties count half)"},
		{Text: "expected [95% PI]", Title: "the error ratio the paper's models' line predicts at this model's accuracy, with its prediction interval"},
		{Text: "residual"}}}
	for i, ps := range pop.Placements {
		for _, p := range ps {
			ratio := cell{Text: tabular.IntervalCell(p.ErrorRatio, p.Lo, p.Hi), Sort: sortKey(p.ErrorRatio)}
			if p.Separate {
				ratio.Class, ratio.Title = "better", "below the prediction interval: fewer mistakes on this factor than its accuracy predicts"
				if p.Above() {
					ratio.Class, ratio.Title = "worse", "above the prediction interval: more mistakes on this factor than its accuracy predicts"
				}
			}
			t.Rows = append(t.Rows, []cell{{Text: pop.Rows[i].Model}, {Text: eval.Factors[p.Factor]}, ratio,
				{Text: strconv.Itoa(p.Images), Sort: strconv.Itoa(p.Images)},
				{Text: strconv.FormatFloat(p.Percentile, 'f', 0, 64), Sort: sortKey(p.Percentile)},
				{Text: tabular.IntervalCell(p.Expected, p.ExpectedLo, p.ExpectedHi), Sort: sortKey(p.Expected)},
				{Text: tabular.FormatSigned(p.Residual, 3), Sort: sortKey(p.Residual)}})
		}
	}
	v.Table = t
	return v, nil
}

// populationView is the page's "Among the paper's models" section.
type populationView struct {
	Figure *figure
	Notes  []string
	Table  *table
}
