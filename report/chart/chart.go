// Package chart draws the figures of the imagenetx report with
// gonum.org/v1/plot. It only draws: every number it shows (accuracies,
// intervals, error ratios, fitted curves) arrives already computed in its
// input, so the statistics live in one place (eval and eval/stats).
//
// Every data mark (a bar, a point, a heatmap cell) is filled with the
// opacity MarkOpacity and nothing else is, so the report's browser test can
// count the marks a chart rendered without parsing its geometry.
package chart

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// markAlpha is the alpha of every data mark: visually opaque, but unique in
// the SVG so that marks can be told from axes, legends and backgrounds.
const markAlpha = 254

// MarkOpacity is the fill-opacity attribute value vgsvg writes for data
// marks (markAlpha/255 printed with 5 significant digits).
const MarkOpacity = "0.99608"

// Chart is a drawn figure, ready to be written as SVG or PNG.
type Chart struct {
	plot   *plot.Plot
	legend *plot.Legend
	// Width and Height are the chart's size.
	Width, Height vg.Length
	// Marks is the number of data marks drawn (bars, points or cells).
	Marks int
	// panels, when set, are drawn in a grid of panelCols columns instead
	// of plot (ScatterPanels).
	panels    []*plot.Plot
	panelCols int
}

// Format is an output format of a chart.
type Format string

// The formats a chart can be written in.
const (
	SVG Format = "svg"
	PNG Format = "png"
)

// FormatOf picks the format a file name's extension asks for: .svg or .png
// (any case).
func FormatOf(name string) (Format, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".svg":
		return SVG, nil
	case ".png":
		return PNG, nil
	}
	return "", fmt.Errorf("%s: a chart is written as a .svg or .png file", name)
}

// pngDPI is the resolution of PNG output: sharp enough to paste into papers.
const pngDPI = 192

// Write writes the chart in the given format.
func (c *Chart) Write(w io.Writer, f Format) error {
	var canvas interface {
		vg.CanvasSizer
		io.WriterTo
	}
	switch f {
	case SVG:
		canvas = vgsvg.New(c.Width, c.Height)
	case PNG:
		canvas = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(c.Width, c.Height), vgimg.UseDPI(pngDPI))}
	default:
		return fmt.Errorf("chart: unknown format %q (want svg or png)", f)
	}
	c.draw(draw.New(canvas))
	if _, err := canvas.WriteTo(w); err != nil {
		return fmt.Errorf("chart: write %s: %w", f, err)
	}
	return nil
}

// legendGap separates the plot from a legend drawn to its right.
const legendGap = 8 * vg.Millimeter / 4

// draw paints the background, the plot, and the legend to the right of the
// plot (outside the data area so that it never hides a bar).
func (c *Chart) draw(dc draw.Canvas) {
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	area := dc
	if c.legend != nil {
		r := c.legend.Rectangle(dc)
		width := r.Max.X - r.Min.X
		area.Max.X -= width + 2*legendGap
		legendArea := dc
		legendArea.Min.X = area.Max.X + legendGap
		legendArea.Max.Y -= legendGap
		c.legend.Draw(legendArea)
	}
	if c.panels != nil {
		c.drawPanels(area)
		return
	}
	c.plot.Draw(area)
}

// finite reports whether v is a number that can be drawn.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// countFinite counts the finite values of a matrix.
func countFinite(rows [][]float64) int {
	n := 0
	for _, r := range rows {
		for _, v := range r {
			if finite(v) {
				n++
			}
		}
	}
	return n
}
