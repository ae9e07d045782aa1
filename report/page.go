package report

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html"
	"html/template"
	"strings"
	"sync"

	"gonum.org/v1/plot/font"

	"github.com/imagenetx/imagenetx/report/chart"
)

//go:embed page.html
var pageSource string

var pageTemplate = template.Must(template.New("page").Parse(pageSource))

// page is what the template lays out.
type page struct {
	Title    string
	Notes    []string
	Facts    []fact
	Findings []string
	FontCSS  template.CSS
	Models   []swatch

	ErrorRatio, Accuracy, Calibration                *figure
	ErrorRatioTable, AccuracyTable, CalibrationTable *table
	Heatmaps                                         []*figure
	Sweeps                                           []sweepView
	Examples                                         []strip
	ExamplesNote                                     string
}

type fact struct{ Name, Value string }

// swatch is a model's name with its chart colour.
type swatch struct {
	Name  string
	Color template.CSS
}

// figure is one chart inlined as SVG; Kind and Marks let the browser test
// check what rendered.
type figure struct {
	ID, Kind, Title, Caption string
	Marks                    int
	SVG                      template.HTML
	chart                    *chart.Chart
}

type table struct {
	Head []string
	Rows [][]cell
}

// cell is a table cell: Title is its tooltip (intervals, counts), Class
// styles it (e.g. "few" for factors with few images).
type cell struct{ Text, Title, Class string }

type sweepView struct {
	Title    string
	Figure   *figure
	Table    *table
	Findings []string
}

// strip is one factor's examples.
type strip struct {
	Factor string
	Note   string
	Items  []example
}

type example struct {
	Thumb         template.URL
	ThumbError    string
	File, True    string
	Predictions   []prediction
	OneWord, Why  string
	Width, Height int
}

// prediction is one model's answer on an example.
type prediction struct {
	Text  string
	Wrong bool
}

// newFigure renders a chart as inline SVG.
func newFigure(c *chart.Chart, id, kind, title, caption string) (*figure, error) {
	var buf bytes.Buffer
	if err := c.Write(&buf, chart.SVG); err != nil {
		return nil, fmt.Errorf("report: chart %s: %w", id, err)
	}
	svg := buf.String()
	start := strings.Index(svg, "<svg")
	if start < 0 {
		return nil, fmt.Errorf("report: chart %s: renderer wrote no <svg> element", id)
	}
	// Drop the XML prologue (not allowed inside HTML) and label the image
	// for screen readers.
	svg = `<svg role="img" aria-label="` + html.EscapeString(title) + `"` + svg[start+len("<svg"):]
	return &figure{ID: id, Kind: kind, Title: title, Caption: caption, Marks: c.Marks, SVG: template.HTML(svg), chart: c}, nil
}

// fontCSS returns the @font-face rule that embeds the charts' typeface, so
// that the browser lays text out with the metrics the charts were measured
// with, whatever fonts the reader's machine has.
var fontCSS = sync.OnceValues(func() (template.CSS, error) {
	face := font.DefaultCache.Lookup(chart.Typeface, 10)
	if face.Face == nil {
		return "", fmt.Errorf("report: font %v not found", chart.Typeface)
	}
	name, err := face.Face.Name(nil, 1) // 1: the family name ("Liberation Sans")
	if err != nil {
		return "", fmt.Errorf("report: font name: %w", err)
	}
	var ttf bytes.Buffer
	if _, err := face.Face.WriteSourceTo(nil, &ttf); err != nil {
		return "", fmt.Errorf("report: font data: %w", err)
	}
	css := fmt.Sprintf("@font-face{font-family:%q;src:url(data:font/ttf;base64,%s) format(\"truetype\");}",
		name, base64.StdEncoding.EncodeToString(ttf.Bytes()))
	return template.CSS(css), nil
})
