package chart

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Curve is one factor's measured values against a numeric x (error ratio
// against augmentation strength) and, optionally, a fitted curve.
type Curve struct {
	Name string
	// X and Y are the measured points; NaN points are left out.
	X, Y []float64
	// FitX and FitY trace the fitted curve; when empty the points are
	// joined by straight lines.
	FitX, FitY []float64
	// Highlight draws the curve in colour with a legend entry of its own;
	// the others are drawn grey behind it, for context.
	Highlight bool
}

// Curves is the data of a chart of several curves over one numeric axis.
type Curves struct {
	XLabel, YLabel string
	Curves         []Curve
	// References are values marked by dashed horizontal lines.
	References []float64
	// MutedLabel is the legend entry of the grey curves (e.g. "not
	// significant"); empty means no entry.
	MutedLabel string
}

func (cs *Curves) validate() error {
	if len(cs.Curves) == 0 {
		return fmt.Errorf("chart: no curve to draw")
	}
	for _, c := range cs.Curves {
		if len(c.X) != len(c.Y) {
			return fmt.Errorf("chart: curve %q has %d x and %d y values", c.Name, len(c.X), len(c.Y))
		}
		if len(c.FitX) != len(c.FitY) {
			return fmt.Errorf("chart: fit of curve %q has %d x and %d y values", c.Name, len(c.FitX), len(c.FitY))
		}
	}
	return nil
}

// Lines draws curves with their measured points, the highlighted ones in
// colour on top of the others in grey.
func Lines(cs Curves) (*Chart, error) {
	if err := cs.validate(); err != nil {
		return nil, err
	}
	p := newPlot(cs.XLabel, cs.YLabel)
	legend := newLegend()
	var muted, bright []styledCurve
	marks := 0
	for _, c := range cs.Curves {
		marks += countFinitePoints(c.X, c.Y)
		if !c.Highlight {
			muted = append(muted, styledCurve{Curve: c, color: mutedColor, width: 1})
			continue
		}
		sc := styledCurve{Curve: c, color: SeriesColor(len(bright)), width: 2}
		bright = append(bright, sc)
		legend.Add(c.Name, lineSwatch{sc.color, sc.width})
	}
	if len(muted) > 0 && cs.MutedLabel != "" {
		legend.Add(cs.MutedLabel, lineSwatch{mutedColor, 1})
	}
	xmin, xmax, ymin, ymax := curvesRange(cs.Curves, cs.References)
	if xmin > xmax {
		return nil, fmt.Errorf("chart: no finite point to draw")
	}
	for _, r := range cs.References {
		if finite(r) {
			p.Add(referenceLine{y: r, xmin: xmin, xmax: xmax})
		}
	}
	for _, c := range append(muted, bright...) {
		p.Add(c)
	}
	p.Y.Min, p.Y.Max = padRange(ymin, ymax, 0.06, 0.02)
	p.X.Min, p.X.Max = padRange(xmin, xmax, 0.03, 0.5) // 0.5: a single strength
	var l *plot.Legend
	if len(bright) > 0 || (len(muted) > 0 && cs.MutedLabel != "") {
		l = legend
	}
	return &Chart{plot: p, legend: l, Width: 620, Height: 340, Marks: marks}, nil
}

// mutedColor draws curves that are shown for context only.
var mutedColor = muted

// styledCurve is a Curve with its colour and line width.
type styledCurve struct {
	Curve
	color color.Color
	width vg.Length
}

// Plot implements plot.Plotter.
func (s styledCurve) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	xs, ys := s.FitX, s.FitY
	if len(xs) == 0 {
		xs, ys = s.X, s.Y
	}
	var line []vg.Point
	for i := range xs {
		if finite(xs[i]) && finite(ys[i]) {
			line = append(line, vg.Point{X: trX(xs[i]), Y: trY(ys[i])})
		}
	}
	if len(line) > 1 {
		c.StrokeLines(draw.LineStyle{Color: s.color, Width: s.width}, c.ClipLinesXY(line)...)
	}
	glyph := draw.GlyphStyle{Color: mark(s.color), Radius: 1.5 + s.width, Shape: draw.CircleGlyph{}}
	for i := range s.X {
		if finite(s.X[i]) && finite(s.Y[i]) {
			c.DrawGlyph(glyph, vg.Point{X: trX(s.X[i]), Y: trY(s.Y[i])})
		}
	}
}

// curvesRange returns the extent of the points, fits and reference lines.
func curvesRange(cs []Curve, refs []float64) (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, c := range cs {
		for _, pts := range [][2][]float64{{c.X, c.Y}, {c.FitX, c.FitY}} {
			for i := range pts[0] {
				if finite(pts[0][i]) && finite(pts[1][i]) {
					xmin, xmax = math.Min(xmin, pts[0][i]), math.Max(xmax, pts[0][i])
					ymin, ymax = math.Min(ymin, pts[1][i]), math.Max(ymax, pts[1][i])
				}
			}
		}
	}
	ymin, ymax = minFinite(ymin, refs...), maxFinite(ymax, refs...)
	return xmin, xmax, ymin, ymax
}

func countFinitePoints(x, y []float64) int {
	n := 0
	for i := range x {
		if finite(x[i]) && finite(y[i]) {
			n++
		}
	}
	return n
}

// padRange widens [lo, hi] by frac of its width, or by at least minPad,
// and always enough to change the bounds: for a single point at 1e100 an
// absolute pad of 0.5 would vanish in rounding and leave an empty range,
// which the plot turns into NaN coordinates.
func padRange(lo, hi, frac, minPad float64) (float64, float64) {
	pad := math.Max((hi-lo)*frac, minPad)
	pad = math.Max(pad, math.Max(math.Abs(lo), math.Abs(hi))*1e-6)
	return lo - pad, hi + pad
}
