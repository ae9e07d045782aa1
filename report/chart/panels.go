package chart

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Point is one model in a scatter panel.
type Point struct{ X, Y float64 }

// PanelGroup is a set of points drawn in one colour across every panel
// (the models of one type); Points[p] are panel p's.
type PanelGroup struct {
	Name   string
	Points [][]Point
}

// Highlight is a model drawn large and labelled on top of every panel
// (the user's model among the paper's).
type Highlight struct {
	Name   string
	Points []Point // one per panel; NaN points are left out
}

// Panels is the data of a grid of scatter panels that share their axes,
// one per category (a factor): the paper's high-level scatter.
type Panels struct {
	Titles         []string
	XLabel, YLabel string
	Groups         []PanelGroup
	Highlights     []Highlight
	// Identity draws the line y = x in every panel.
	Identity bool
	// Columns is the number of panels a row (0: 6).
	Columns int
}

func (ps *Panels) validate() error {
	if len(ps.Titles) == 0 {
		return fmt.Errorf("chart: no panel to draw")
	}
	for _, g := range ps.Groups {
		if len(g.Points) != len(ps.Titles) {
			return fmt.Errorf("chart: group %q has points for %d panels, want %d", g.Name, len(g.Points), len(ps.Titles))
		}
	}
	for _, h := range ps.Highlights {
		if len(h.Points) != len(ps.Titles) {
			return fmt.Errorf("chart: highlight %q has %d points, want one per panel (%d)", h.Name, len(h.Points), len(ps.Titles))
		}
	}
	return nil
}

// Panel size and the gaps of a grid.
const (
	panelSide = 150
	legendRow = 22
)

// highlightColor is the colour of highlighted models: near black, so that
// they stand out of the coloured population.
var highlightColor = color.NRGBA{0x11, 0x11, 0x11, 0xFF}

// ScatterPanels draws one scatter per panel, sharing the axes: the groups'
// points in their series colours, the highlights large and ringed on top,
// and the identity line when asked.
func ScatterPanels(ps Panels) (*Chart, error) {
	if err := ps.validate(); err != nil {
		return nil, err
	}
	cols := ps.Columns
	if cols <= 0 {
		cols = 6
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	extend := func(p Point) {
		if finite(p.X) && finite(p.Y) {
			lo, hi = math.Min(lo, math.Min(p.X, p.Y)), math.Max(hi, math.Max(p.X, p.Y))
		}
	}
	for _, g := range ps.Groups {
		for _, pts := range g.Points {
			for _, p := range pts {
				extend(p)
			}
		}
	}
	for _, h := range ps.Highlights {
		for _, p := range h.Points {
			extend(p)
		}
	}
	if lo > hi {
		lo, hi = 0, 1
	}
	lo, hi = padRange(lo, hi, 0.04, 0.01)
	c := &Chart{panelCols: cols}
	for i, title := range ps.Titles {
		p := newPlot("", "")
		p.Title.Text = title
		setFont(&p.Title.TextStyle, tickSize)
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lo, hi, lo, hi
		if i/cols == (len(ps.Titles)-1)/cols {
			p.X.Label.Text = ps.XLabel
		}
		if i%cols == 0 {
			p.Y.Label.Text = ps.YLabel
		}
		if ps.Identity {
			p.Add(identityLine{lo, hi})
		}
		sc := &panelPoints{}
		for gi, g := range ps.Groups {
			sc.layers = append(sc.layers, pointLayer{points: g.Points[i], color: SeriesColor(gi), radius: 1.6})
		}
		for hi, h := range ps.Highlights {
			sc.layers = append(sc.layers, pointLayer{points: []Point{h.Points[i]}, color: highlightColorOf(hi), radius: 3.6, ring: true, shape: highlightShape(hi)})
		}
		p.Add(sc)
		c.Marks += sc.count()
		c.panels = append(c.panels, p)
	}
	if len(ps.Groups)+len(ps.Highlights) > 1 {
		c.legend = newLegend()
		for gi, g := range ps.Groups {
			c.legend.Add(g.Name, swatch{SeriesColor(gi)})
		}
		for hi, h := range ps.Highlights {
			c.legend.Add(h.Name, glyphSwatch{highlightColorOf(hi), highlightShape(hi)})
		}
	}
	rows := (len(ps.Titles) + cols - 1) / cols
	c.Width = vg.Length(cols*panelSide + 40)
	c.Height = vg.Length(rows*panelSide + 30)
	if c.legend != nil {
		c.Width += 200
	}
	return c, nil
}

// drawPanels lays the panels out in a grid over dc.
func (c *Chart) drawPanels(dc draw.Canvas) {
	rows := (len(c.panels) + c.panelCols - 1) / c.panelCols
	w := (dc.Max.X - dc.Min.X) / vg.Length(c.panelCols)
	h := (dc.Max.Y - dc.Min.Y) / vg.Length(rows)
	for i, p := range c.panels {
		r, col := i/c.panelCols, i%c.panelCols
		cell := dc
		cell.Min.X = dc.Min.X + vg.Length(col)*w
		cell.Max.X = cell.Min.X + w
		cell.Max.Y = dc.Max.Y - vg.Length(r)*h
		cell.Min.Y = cell.Max.Y - h
		p.Draw(draw.Crop(cell, 2, -2, 2, -2))
	}
}

// identityLine is the dashed line y = x from lo to hi.
type identityLine struct{ lo, hi float64 }

// Plot implements plot.Plotter.
func (l identityLine) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	style := draw.LineStyle{Color: gridColor, Width: 0.8, Dashes: []vg.Length{3, 2}}
	c.StrokeLines(style, c.ClipLinesXY([]vg.Point{{X: trX(l.lo), Y: trY(l.lo)}, {X: trX(l.hi), Y: trY(l.hi)}})...)
}

type pointLayer struct {
	points []Point
	color  color.Color
	radius vg.Length
	ring   bool
	shape  draw.GlyphDrawer // nil: a circle
}

// highlightShapes tell highlighted models apart: all are drawn dark, so
// that they stand out of the coloured population, each in its own filled
// shape (gonum's outline glyphs would not be data marks), then in a second
// and third dark colour.
var highlightShapes = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}}

var highlightColors = []color.NRGBA{highlightColor, {0x5B, 0x2A, 0x86, 0xFF}, {0x7F, 0x3B, 0x08, 0xFF}}

func highlightShape(i int) draw.GlyphDrawer { return highlightShapes[i%len(highlightShapes)] }

func highlightColorOf(i int) color.NRGBA {
	return highlightColors[(i/len(highlightShapes))%len(highlightColors)]
}

// glyphSwatch is a legend thumbnail: one glyph, not a data mark.
type glyphSwatch struct {
	color color.Color
	shape draw.GlyphDrawer
}

// Thumbnail implements plot.Thumbnailer.
func (s glyphSwatch) Thumbnail(c *draw.Canvas) {
	at := vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: (c.Min.Y + c.Max.Y) / 2}
	c.DrawGlyph(draw.GlyphStyle{Color: s.color, Radius: 4, Shape: s.shape}, at)
}

// panelPoints draws a panel's points, layer over layer.
type panelPoints struct{ layers []pointLayer }

func (s *panelPoints) count() int {
	n := 0
	for _, l := range s.layers {
		for _, p := range l.points {
			if finite(p.X) && finite(p.Y) {
				n++
			}
		}
	}
	return n
}

// Plot implements plot.Plotter.
func (s *panelPoints) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, l := range s.layers {
		for _, pt := range l.points {
			if !finite(pt.X) || !finite(pt.Y) {
				continue
			}
			at := vg.Point{X: trX(pt.X), Y: trY(pt.Y)}
			if !c.Contains(at) {
				continue
			}
			shape := l.shape
			if shape == nil {
				shape = draw.CircleGlyph{}
			}
			if l.ring {
				c.DrawGlyph(draw.GlyphStyle{Color: color.White, Radius: l.radius + 1.2, Shape: shape}, at)
			}
			c.DrawGlyph(draw.GlyphStyle{Color: mark(l.color), Radius: l.radius, Shape: shape}, at)
		}
	}
}
