package chart

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one model's values over the categories of a Grouped chart.
type Series struct {
	Name   string
	Values []float64
	// Lo and Hi bound an interval around each value (Intervals only); NaN
	// bounds draw no interval.
	Lo, Hi []float64
	// Err, when set (Bars only), is a spread drawn as a whisker from
	// value − Err to value + Err (a standard deviation); NaN draws none.
	Err []float64
}

// Grouped is the data of a chart with one category per x position (a
// factor) and one mark per series (a model) in each category. NaN values
// are left out.
type Grouped struct {
	Categories []string
	Series     []Series
	YLabel     string
	// References are values marked by dashed horizontal lines (1 for error
	// ratios, where a factor is as hard as the average image).
	References []float64
	// Faded, when set, marks categories drawn pale (Bars only): those whose
	// differences between series are not significant.
	Faded []bool
}

func (g *Grouped) validate(needIntervals bool) error {
	if len(g.Categories) == 0 || len(g.Series) == 0 {
		return fmt.Errorf("chart: nothing to draw (%d categories, %d series)", len(g.Categories), len(g.Series))
	}
	for _, s := range g.Series {
		if len(s.Values) != len(g.Categories) {
			return fmt.Errorf("chart: series %q has %d values for %d categories", s.Name, len(s.Values), len(g.Categories))
		}
		if s.Err != nil && len(s.Err) != len(s.Values) {
			return fmt.Errorf("chart: series %q has %d spreads for %d values", s.Name, len(s.Err), len(s.Values))
		}
		if needIntervals && (len(s.Lo) != len(s.Values) || len(s.Hi) != len(s.Values)) {
			return fmt.Errorf("chart: series %q needs %d interval bounds, has %d and %d", s.Name, len(s.Values), len(s.Lo), len(s.Hi))
		}
	}
	if g.Faded != nil && len(g.Faded) != len(g.Categories) {
		return fmt.Errorf("chart: %d faded flags for %d categories", len(g.Faded), len(g.Categories))
	}
	return nil
}

// Bars draws a grouped bar chart: for each category, one bar per series,
// starting at 0.
func Bars(g Grouped) (*Chart, error) {
	if err := g.validate(false); err != nil {
		return nil, err
	}
	p := newPlot("", g.YLabel)
	p.NominalX(g.Categories...)
	rotateXTicks(p)
	bars := &groupedBars{series: g.Series, faded: g.Faded}
	p.Add(bars)
	hi := 0.0
	for _, s := range g.Series {
		hi = maxFinite(hi, s.Values...)
		for i, e := range s.Err {
			hi = maxFinite(hi, s.Values[i]+e)
		}
	}
	hi = maxFinite(hi, g.References...)
	p.Y.Min, p.Y.Max = 0, hi*1.05
	if hi == 0 {
		p.Y.Max = 1
	}
	addReferences(p, g.References, len(g.Categories))
	return finish(p, g), nil
}

// Intervals draws, for each category, one point per series with its
// interval as a vertical bar (accuracies with their Wilson intervals).
func Intervals(g Grouped) (*Chart, error) {
	if err := g.validate(true); err != nil {
		return nil, err
	}
	p := newPlot("", g.YLabel)
	p.NominalX(g.Categories...)
	rotateXTicks(p)
	p.Add(&groupedIntervals{series: g.Series})
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range g.Series {
		lo = minFinite(minFinite(lo, s.Values...), s.Lo...)
		hi = maxFinite(maxFinite(hi, s.Values...), s.Hi...)
	}
	if lo > hi {
		lo, hi = 0, 1
	}
	pad := math.Max((hi-lo)*0.05, 0.01)
	p.Y.Min, p.Y.Max = lo-pad, hi+pad
	addReferences(p, g.References, len(g.Categories))
	return finish(p, g), nil
}

// finish adds the series legend and sizes a grouped chart by its number of
// categories.
func finish(p *plot.Plot, g Grouped) *Chart {
	p.X.Min, p.X.Max = -0.5, float64(len(g.Categories))-0.5
	var legend *plot.Legend
	if len(g.Series) > 1 {
		legend = newLegend()
		for i, s := range g.Series {
			legend.Add(s.Name, swatch{SeriesColor(i)})
		}
	}
	perCategory := vg.Length(22 + 9*len(g.Series))
	width := max(480, 110+perCategory*vg.Length(len(g.Categories)))
	marks := 0
	for _, s := range g.Series {
		marks += countFinite([][]float64{s.Values})
	}
	return &Chart{plot: p, legend: legend, Width: min(width, 900), Height: 300, Marks: marks}
}

// addReferences draws dashed horizontal lines across the categories.
func addReferences(p *plot.Plot, refs []float64, n int) {
	for _, r := range refs {
		if finite(r) {
			p.Add(referenceLine{y: r, xmin: -0.5, xmax: float64(n) - 0.5})
		}
	}
}

// slotWidth is the share of a category's width the series' marks fill.
const slotWidth = 0.8

// slot returns the x offset (in canvas units) of series s of n within a
// category whose width is spacing, and the width of one slot.
func slot(s, n int, spacing vg.Length) (offset, width vg.Length) {
	width = spacing * slotWidth / vg.Length(n)
	return (vg.Length(s) - vg.Length(n-1)/2) * width, width
}

// groupedBars draws the bars of a grouped bar chart, with their spreads.
type groupedBars struct {
	series []Series
	faded  []bool
}

// Plot implements plot.Plotter.
func (b *groupedBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	spacing := trX(1) - trX(0)
	for si, s := range b.series {
		off, w := slot(si, len(b.series), spacing)
		inner := w * 0.88 // a hairline gap between neighbouring bars
		for i, v := range s.Values {
			if !finite(v) {
				continue
			}
			x := trX(float64(i)) + off
			y0, y1 := trY(0), trY(v)
			fill := color.Color(SeriesColor(si))
			if b.faded != nil && b.faded[i] {
				fill = pale(fill)
			}
			c.FillPolygon(mark(fill), c.ClipPolygonY([]vg.Point{
				{X: x - inner/2, Y: y0}, {X: x - inner/2, Y: y1},
				{X: x + inner/2, Y: y1}, {X: x + inner/2, Y: y0},
			}))
			if s.Err != nil && finite(s.Err[i]) {
				lo, hi := trY(v-s.Err[i]), trY(v+s.Err[i])
				cap := min(inner*0.3, 3)
				c.StrokeLines(draw.LineStyle{Color: gridColor, Width: 1}, c.ClipLinesY(
					[]vg.Point{{X: x, Y: lo}, {X: x, Y: hi}},
					[]vg.Point{{X: x - cap, Y: lo}, {X: x + cap, Y: lo}},
					[]vg.Point{{X: x - cap, Y: hi}, {X: x + cap, Y: hi}},
				)...)
			}
		}
	}
}

// groupedIntervals draws points with interval bars.
type groupedIntervals struct{ series []Series }

// Plot implements plot.Plotter.
func (g *groupedIntervals) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	spacing := trX(1) - trX(0)
	for si, s := range g.series {
		off, w := slot(si, len(g.series), spacing)
		line := draw.LineStyle{Color: SeriesColor(si), Width: 1.2}
		cap := min(w*0.3, 3)
		for i, v := range s.Values {
			if !finite(v) {
				continue
			}
			x := trX(float64(i)) + off
			if finite(s.Lo[i]) && finite(s.Hi[i]) {
				lo, hi := trY(s.Lo[i]), trY(s.Hi[i])
				c.StrokeLines(line, c.ClipLinesY(
					[]vg.Point{{X: x, Y: lo}, {X: x, Y: hi}},
					[]vg.Point{{X: x - cap, Y: lo}, {X: x + cap, Y: lo}},
					[]vg.Point{{X: x - cap, Y: hi}, {X: x + cap, Y: hi}},
				)...)
			}
			c.DrawGlyph(draw.GlyphStyle{Color: mark(SeriesColor(si)), Radius: 2.6, Shape: draw.CircleGlyph{}}, vg.Point{X: x, Y: trY(v)})
		}
	}
}

// referenceLine is a dashed horizontal line at y from xmin to xmax.
type referenceLine struct{ y, xmin, xmax float64 }

// Plot implements plot.Plotter.
func (r referenceLine) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	y := trY(r.y)
	style := draw.LineStyle{Color: gridColor, Width: 1, Dashes: []vg.Length{4, 3}}
	c.StrokeLines(style, c.ClipLinesY([]vg.Point{{X: trX(r.xmin), Y: y}, {X: trX(r.xmax), Y: y}})...)
}

func maxFinite(m float64, vs ...float64) float64 {
	for _, v := range vs {
		if finite(v) && v > m {
			m = v
		}
	}
	return m
}

func minFinite(m float64, vs ...float64) float64 {
	for _, v := range vs {
		if finite(v) && v < m {
			m = v
		}
	}
	return m
}
