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
	Title   string
	Notes   []string
	Facts   []fact
	FontCSS template.CSS
	// ThumbCSS holds one rule per thumbnail (class t<N>, the image as a
	// data: URI), so that an image shown in several places is embedded once.
	ThumbCSS template.CSS
	// Script is the page's one script and CSP its Content-Security-Policy,
	// which allows that script by its hash (see script.go).
	Script template.JS
	CSP    template.HTMLAttr
	Models []swatch

	// Cards give each model's headline numbers; Leaderboard ranks several
	// models with their paired comparison to the baseline.
	Cards       []card
	Leaderboard *table
	// LeaderboardNote says which images each leaderboard figure is over.
	LeaderboardNote string
	Findings        []string
	// Factors is the factor table: one row per factor, with counts and,
	// per model, accuracy and error ratio with intervals.
	Factors *table
	// FactorsNote says why the factor table is empty, when it is.
	FactorsNote string
	// Comparison sets the models side by side, factor by factor.
	Comparison *comparisonView

	ErrorRatio, Accuracy, Calibration *figure
	CalibrationTable                  *table
	Heatmaps                          []*figure
	// Misclassified lists, per factor, every misclassified image.
	Misclassified     []factorImages
	MisclassifiedNote string
	// Failed lists the images each model could not score.
	Failed []modelFailures
	Sweeps []sweepView
	// Population places the audited models among the paper's.
	Population *populationView
}

type fact struct{ Name, Value string }

// swatch is a model's name with its chart colour.
type swatch struct {
	Name  string
	Color template.CSS
}

// card is one model's headline: its top-1 (and top-k) over every labelled
// image it scored, and the factors on which it is clearly worse or better
// than on average.
type card struct {
	Model   string
	Color   template.CSS
	Metrics []metric
	Counts  string
	// FailedLink is set when images failed: the count, linking to the list.
	Failed               int
	FailedID             string
	Worse, Better        []factorNote
	NoneWorse, Threshold string
}

// metric is a headline number: its name, its value as a percentage, its
// interval and what it was measured on.
type metric struct{ Name, Value, Interval, Of string }

// factorNote is a factor named in a headline, with its numbers; Kind is
// "worse" or "better". A note without Href only says how many more.
type factorNote struct {
	Kind, Factor, Ratio, Interval, Images, Href string
}

// figure is one chart inlined as SVG; Kind and Marks let the browser test
// check what rendered.
type figure struct {
	ID, Kind, Title, Caption string
	Marks                    int
	SVG                      template.HTML
	chart                    *chart.Chart
}

// table is a table of the page. When Sortable, clicking a column head
// sorts the rows by it (the page's script).
type table struct {
	ID       string
	Sortable bool
	// Class styles the table ("list": text, aligned left).
	Class string
	// Groups, when set, is a header row above Head whose cells span
	// columns (a model's name over its columns).
	Groups []group
	Head   []column
	Rows   [][]cell
}

type group struct {
	Text string
	Span int
}

// column is a column head: Title is its tooltip; Fixed keeps a column of a
// sortable table from being sorted by (thumbnails).
type column struct {
	Text, Title string
	Fixed       bool
}

// cell is a table cell: Title is its tooltip (intervals, counts), Class
// styles it (e.g. "few" for factors with few images), Sort is the value the
// script sorts by when Text is not it ("" sorts last), Href makes the text
// a link, Thumb shows a thumbnail (a class of ThumbCSS) before the text.
type cell struct {
	Text, Title, Class, Sort, Href string
	Thumb                          string
}

// comparisonView is the paired comparison of the models with the baseline.
type comparisonView struct {
	Baseline string
	Notes    []string
	Table    *table
}

type sweepView struct {
	Title    string
	Figure   *figure
	Table    *table
	Findings []string
}

// factorImages is one factor's misclassified images: a few as cards with
// thumbnails and the annotators' words, all of them in a table.
type factorImages struct {
	ID, Factor string
	// Summary is shown on the closed line; Empty says why there is no
	// list ("no image has this factor", "no mistakes").
	Summary, Empty string
	Cards          []example
	Table          *table
}

type example struct {
	Thumb, ThumbError string
	File, True        string
	Predictions       []prediction
	OneWord, Why      string
}

// prediction is one model's answer on an example.
type prediction struct {
	Text  string
	Wrong bool
}

// modelFailures is the list of one model's failed images.
type modelFailures struct {
	ID, Model string
	Total     int
	// Reasons counts the failures by stage and reason; Table lists the
	// first MaxFailuresListed of them.
	Reasons *table
	Table   *table
	More    int
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
