package chart

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Typeface is the font family the charts use. The SVG names it
// "Liberation Sans"; the HTML report embeds that font so that text is laid
// out in the browser with the metrics gonum measured.
var Typeface = font.Font{Typeface: "Liberation", Variant: "Sans"}

// seriesPalette is the Okabe–Ito colour-blind-safe palette (yellow left out: it
// is unreadable on white), one colour per model.
var seriesPalette = []color.NRGBA{
	{0x00, 0x72, 0xB2, 0xFF}, // blue
	{0xE6, 0x9F, 0x00, 0xFF}, // orange
	{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	{0x33, 0x33, 0x33, 0xFF}, // near black
}

// SeriesColor returns the colour of the i-th series (model), as CSS hex, so
// that the HTML can use the same colours as the charts.
func SeriesColor(i int) color.NRGBA { return seriesPalette[i%len(seriesPalette)] }

// muted is the colour of series drawn for context only.
var muted = color.NRGBA{0xB8, 0xB8, 0xB8, 0xFF}

// gridColor is the colour of reference lines.
var gridColor = color.NRGBA{0x55, 0x55, 0x55, 0xFF}

// mark returns c at the data-mark alpha (see MarkOpacity).
func mark(c color.Color) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = markAlpha
	return n
}

// Font sizes of the charts.
const (
	tickSize   = 10
	labelSize  = 11
	legendSize = 10
	cellSize   = 8
)

// newPlot returns a plot with the report's typeface and sizes.
func newPlot(xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	setFont(&p.Title.TextStyle, labelSize+1)
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		setFont(&ax.Label.TextStyle, labelSize)
		setFont(&ax.Tick.Label, tickSize)
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.X.Tick.Marker = niceTicks{}
	p.Y.Tick.Marker = niceTicks{}
	return p
}

// newLegend returns a legend in the report's typeface.
func newLegend() *plot.Legend {
	l := plot.NewLegend()
	setFont(&l.TextStyle, legendSize)
	l.Top = true
	l.Left = true
	l.ThumbnailWidth = 12
	l.Padding = 3
	return &l
}

func setFont(s *text.Style, size vg.Length) {
	s.Font = font.From(Typeface, size)
}

// rotateXTicks turns the x tick labels by 40° so that long factor names fit.
func rotateXTicks(p *plot.Plot) {
	p.X.Tick.Label.Rotation = 0.7
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
}

// swatch is a legend thumbnail: a filled square that is not a data mark.
type swatch struct{ color color.Color }

// Thumbnail implements plot.Thumbnailer.
func (s swatch) Thumbnail(c *draw.Canvas) {
	h := c.Max.Y - c.Min.Y
	side := min(h, c.Max.X-c.Min.X)
	y := c.Min.Y + (h-side)/2
	c.FillPolygon(s.color, []vg.Point{
		{X: c.Min.X, Y: y}, {X: c.Min.X, Y: y + side},
		{X: c.Min.X + side, Y: y + side}, {X: c.Min.X + side, Y: y},
	})
}

// lineSwatch is a legend thumbnail for a curve: a short line with a dot.
type lineSwatch struct {
	color color.Color
	width vg.Length
}

// Thumbnail implements plot.Thumbnailer.
func (s lineSwatch) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(draw.LineStyle{Color: s.color, Width: s.width}, c.Min.X, y, c.Max.X, y)
	c.DrawGlyph(draw.GlyphStyle{Color: s.color, Radius: 2.5, Shape: draw.CircleGlyph{}}, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: y})
}
