package chart

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Grid is the data of a heatmap of ratios: Values[r][c] for row r (a
// metaclass) and column c (a factor). Cells are coloured on a log scale
// diverging at 1: blue below (easier than average), red above (harder).
// NaN cells (no image) are left blank and are not data marks.
type Grid struct {
	Rows, Columns []string
	Values        [][]float64
	// Faint, when set (same shape as Values), pales cells whose value rests
	// on too few images to be read as strongly as the others.
	Faint [][]bool
	// Saturation is the ratio (and its inverse) at which the colours reach
	// full strength; 0 means 4.
	Saturation float64
}

// Heatmap draws a grid of ratios with each value printed in its cell.
func Heatmap(g Grid) (*Chart, error) {
	if len(g.Rows) == 0 || len(g.Columns) == 0 {
		return nil, fmt.Errorf("chart: empty heatmap (%d rows, %d columns)", len(g.Rows), len(g.Columns))
	}
	if len(g.Values) != len(g.Rows) {
		return nil, fmt.Errorf("chart: heatmap has %d value rows for %d row names", len(g.Values), len(g.Rows))
	}
	if g.Faint != nil && len(g.Faint) != len(g.Values) {
		return nil, fmt.Errorf("chart: heatmap has %d rows of faint flags for %d rows", len(g.Faint), len(g.Values))
	}
	for i, r := range g.Values {
		if len(r) != len(g.Columns) {
			return nil, fmt.Errorf("chart: heatmap row %q has %d values for %d columns", g.Rows[i], len(r), len(g.Columns))
		}
		if g.Faint != nil && len(g.Faint[i]) != len(r) {
			return nil, fmt.Errorf("chart: heatmap row %q has %d faint flags for %d values", g.Rows[i], len(g.Faint[i]), len(r))
		}
	}
	sat := g.Saturation
	if sat == 0 {
		sat = 4
	}
	if !(sat > 1) {
		return nil, fmt.Errorf("chart: heatmap saturation %v must be above 1", sat)
	}
	cmap := moreland.SmoothBlueRed()
	cmap.SetMin(-1)
	cmap.SetMax(1)
	p := newPlot("", "")
	p.NominalX(g.Columns...)
	rotateXTicks(p)
	// NominalY puts the first name at the bottom; reverse so the first row
	// reads at the top, as in a table.
	reversed := make([]string, len(g.Rows))
	for i, r := range g.Rows {
		reversed[len(g.Rows)-1-i] = r
	}
	p.NominalY(reversed...)
	p.X.Min, p.X.Max = -0.5, float64(len(g.Columns))-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(len(g.Rows))-0.5
	p.Add(&heatCells{grid: g, cmap: cmap, logSat: math.Log(sat)})
	width := 120 + 34*vg.Length(len(g.Columns))
	height := 90 + 17*vg.Length(len(g.Rows))
	return &Chart{plot: p, Width: width, Height: height, Marks: countFinite(g.Values)}, nil
}

// heatCells draws the cells of a Grid.
type heatCells struct {
	grid   Grid
	cmap   palette.ColorMap
	logSat float64
}

// missing stands in for a colour that cannot be computed.
var missing = color.NRGBA{0xEE, 0xEE, 0xEE, 0xFF}

// pale mixes c with three times as much white.
func pale(c color.Color) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	mix := func(v uint8) uint8 { return uint8((int(v) + 3*255) / 4) }
	return color.NRGBA{mix(n.R), mix(n.G), mix(n.B), n.A}
}

// Plot implements plot.Plotter.
func (h *heatCells) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	label := text.Style{XAlign: draw.XCenter, YAlign: draw.YCenter, Handler: p.TextHandler}
	setFont(&label, cellSize)
	n := len(h.grid.Rows)
	for r, row := range h.grid.Values {
		y := float64(n - 1 - r)
		for col, v := range row {
			x := float64(col)
			cell := []vg.Point{
				{X: trX(x - 0.5), Y: trY(y - 0.5)}, {X: trX(x - 0.5), Y: trY(y + 0.5)},
				{X: trX(x + 0.5), Y: trY(y + 0.5)}, {X: trX(x + 0.5), Y: trY(y - 0.5)},
			}
			if !finite(v) {
				continue
			}
			fill := h.color(v)
			if h.grid.Faint != nil && h.grid.Faint[r][col] {
				fill = pale(fill)
			}
			c.FillPolygon(mark(fill), cell)
			label.Color = textOn(fill)
			c.FillText(label, vg.Point{X: trX(x), Y: trY(y)}, formatCell(v))
		}
	}
}

// color maps a ratio to the diverging colour map on a log scale.
func (h *heatCells) color(v float64) color.Color {
	t := 1.0
	if v > 0 {
		t = math.Log(v) / h.logSat
	} else {
		t = -1
	}
	t = math.Max(-1, math.Min(1, t))
	c, err := h.cmap.At(t)
	if err != nil { // t is clamped into the map's range, so this is unreachable
		return missing
	}
	return c
}

// textOn returns black or white, whichever reads better on bg.
func textOn(bg color.Color) color.Color {
	r, g, b, _ := bg.RGBA()
	luma := (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)) / 0xFFFF
	if luma < 0.5 {
		return color.White
	}
	return color.Black
}

// formatCell prints a ratio with two decimals, one for large values.
func formatCell(v float64) string {
	if v >= 10 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}
