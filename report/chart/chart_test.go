package chart

import (
	"bytes"
	"image/png"
	"math"
	"strings"
	"testing"
)

var nan = math.NaN()

func twoModels() Grouped {
	return Grouped{
		Categories: []string{"pose", "texture", "darker"},
		Series: []Series{
			{Name: "A", Values: []float64{1.2, 0.8, nan}, Lo: []float64{1.0, 0.7, nan}, Hi: []float64{1.4, 0.9, nan}},
			{Name: "B<&>", Values: []float64{2.5, 0.0, 1.0}, Lo: []float64{2.0, nan, 0.9}, Hi: []float64{3.0, nan, 1.1}},
		},
		YLabel:     "error ratio",
		References: []float64{1},
	}
}

// svgOf renders c as SVG and checks what every chart must satisfy: well
// formed numbers (no NaN/Inf in the geometry) and exactly c.Marks marks.
func svgOf(t *testing.T, c *Chart) string {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Write(&buf, SVG); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	for _, bad := range []string{"NaN", "Inf"} {
		if strings.Contains(s, bad) {
			t.Errorf("SVG contains %q", bad)
		}
	}
	if got := strings.Count(s, "fill-opacity:"+MarkOpacity); got != c.Marks {
		t.Errorf("SVG has %d marks, chart says %d", got, c.Marks)
	}
	return s
}

func TestChartsCountTheirMarks(t *testing.T) {
	tests := []struct {
		name  string
		draw  func() (*Chart, error)
		marks int
	}{
		{"bars", func() (*Chart, error) { return Bars(twoModels()) }, 5},
		{"intervals", func() (*Chart, error) { return Intervals(twoModels()) }, 5},
		{"heatmap", func() (*Chart, error) {
			return Heatmap(Grid{Rows: []string{"dog", "bird"}, Columns: []string{"pose", "color", "shape"},
				Values: [][]float64{{1, 0.25, nan}, {12, 0, 1.5}}})
		}, 5},
		{"lines", func() (*Chart, error) {
			return Lines(Curves{XLabel: "strength", YLabel: "error ratio", MutedLabel: "others", References: []float64{1},
				Curves: []Curve{
					{Name: "color", X: []float64{0, 0.5, 1}, Y: []float64{1, 0.8, 0.7}, FitX: []float64{0, 0.25, 0.5, 0.75, 1}, FitY: []float64{1, 0.9, 0.8, 0.75, 0.7}, Highlight: true},
					{Name: "pose", X: []float64{0, 0.5, 1}, Y: []float64{1, nan, 1.1}},
				}})
		}, 5},
		{"one strength", func() (*Chart, error) {
			return Lines(Curves{Curves: []Curve{{Name: "pose", X: []float64{0}, Y: []float64{1.3}}}})
		}, 1},
		{"bars with spreads, one category faded", func() (*Chart, error) {
			g := twoModels()
			g.Faded = []bool{false, true, false}
			for i := range g.Series {
				g.Series[i].Err = []float64{0.1, nan, 0.2}
			}
			return Bars(g)
		}, 5},
		{"scatter panels", func() (*Chart, error) {
			return ScatterPanels(Panels{Titles: []string{"pose", "texture"}, XLabel: "accuracy", YLabel: "factor", Identity: true,
				Groups: []PanelGroup{
					{Name: "type A", Points: [][]Point{{{0.7, 0.8}, {0.6, nan}}, {{0.7, 0.4}}}},
					{Name: "type B", Points: [][]Point{{{0.5, 0.6}}, {}}},
				},
				Highlights: []Highlight{{Name: "mine", Points: []Point{{0.75, 0.85}, {0.75, 0.5}}}, {Name: "other", Points: []Point{{0.6, 0.7}, {nan, 1}}}}})
		}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.draw()
			if err != nil {
				t.Fatal(err)
			}
			if c.Marks != tt.marks {
				t.Errorf("Marks = %d, want %d", c.Marks, tt.marks)
			}
			svgOf(t, c)
		})
	}
}

func TestLegendAndLabelsAreEscaped(t *testing.T) {
	c, err := Bars(twoModels())
	if err != nil {
		t.Fatal(err)
	}
	s := svgOf(t, c)
	for _, want := range []string{"B&lt;&amp;&gt;", ">texture<", "Liberation Sans", ">error ratio<"} {
		if !strings.Contains(s, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}

func TestFormatOf(t *testing.T) {
	for name, want := range map[string]Format{"a.svg": SVG, "dir.x/B.PNG": PNG, "c.Svg": SVG} {
		if got, err := FormatOf(name); err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", name, got, err, want)
		}
	}
	for _, name := range []string{"a.gif", "svg", "-", ""} {
		if _, err := FormatOf(name); err == nil || !strings.Contains(err.Error(), ".svg or .png") {
			t.Errorf("%q: %v", name, err)
		}
	}
}

func TestPNG(t *testing.T) {
	c, err := Bars(twoModels())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := c.Write(&buf, PNG); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	wantW := int(math.Round(c.Width.Points() / 72 * pngDPI))
	if got := img.Bounds().Dx(); got != wantW {
		t.Errorf("PNG width %d, want %d", got, wantW)
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name string
		draw func() (*Chart, error)
	}{
		{"no categories", func() (*Chart, error) { return Bars(Grouped{Series: []Series{{Name: "a"}}}) }},
		{"short series", func() (*Chart, error) {
			return Bars(Grouped{Categories: []string{"a", "b"}, Series: []Series{{Name: "m", Values: []float64{1}}}})
		}},
		{"intervals without bounds", func() (*Chart, error) {
			return Intervals(Grouped{Categories: []string{"a"}, Series: []Series{{Name: "m", Values: []float64{1}}}})
		}},
		{"ragged heatmap", func() (*Chart, error) {
			return Heatmap(Grid{Rows: []string{"r"}, Columns: []string{"a", "b"}, Values: [][]float64{{1}}})
		}},
		{"heatmap saturation", func() (*Chart, error) {
			return Heatmap(Grid{Rows: []string{"r"}, Columns: []string{"a"}, Values: [][]float64{{1}}, Saturation: 0.5})
		}},
		{"no curves", func() (*Chart, error) { return Lines(Curves{}) }},
		{"spreads of another length", func() (*Chart, error) {
			return Bars(Grouped{Categories: []string{"a"}, Series: []Series{{Name: "m", Values: []float64{1}, Err: []float64{1, 2}}}})
		}},
		{"faded flags of another length", func() (*Chart, error) {
			return Bars(Grouped{Categories: []string{"a"}, Series: []Series{{Name: "m", Values: []float64{1}}}, Faded: []bool{true, false}})
		}},
		{"no panel", func() (*Chart, error) { return ScatterPanels(Panels{}) }},
		{"group without a panel's points", func() (*Chart, error) {
			return ScatterPanels(Panels{Titles: []string{"a", "b"}, Groups: []PanelGroup{{Name: "g", Points: [][]Point{{}}}}})
		}},
		{"highlight without a panel's point", func() (*Chart, error) {
			return ScatterPanels(Panels{Titles: []string{"a", "b"}, Highlights: []Highlight{{Name: "h", Points: []Point{{1, 1}}}}})
		}},
		{"curve lengths", func() (*Chart, error) {
			return Lines(Curves{Curves: []Curve{{Name: "c", X: []float64{1, 2}, Y: []float64{1}}}})
		}},
		{"only NaN points", func() (*Chart, error) {
			return Lines(Curves{Curves: []Curve{{Name: "c", X: []float64{1}, Y: []float64{nan}}}})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.draw(); err == nil {
				t.Error("no error")
			}
		})
	}
	if err := (&Chart{}).Write(&bytes.Buffer{}, "gif"); err == nil {
		t.Error("gif format accepted")
	}
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		labels []string
	}{
		{0, 2.5, []string{"0.0", "0.5", "1.0", "1.5", "2.0", "2.5"}},
		{0, 0.27, []string{"0.00", "0.05", "0.10", "0.15", "0.20", "0.25"}},
		{0.2, 0.93, []string{"0.2", "0.4", "0.6", "0.8"}},
		{-0.1, 1.1, []string{"0.00", "0.25", "0.50", "0.75", "1.00"}},
		{0, 100, []string{"0", "20", "40", "60", "80", "100"}},
		{0, 1, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{3, 3, []string{"3"}},
	}
	for _, tt := range tests {
		var got []string
		for _, tk := range (niceTicks{}).Ticks(tt.lo, tt.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if strings.Join(got, " ") != strings.Join(tt.labels, " ") {
			t.Errorf("Ticks(%v, %v) labels %v, want %v", tt.lo, tt.hi, got, tt.labels)
		}
	}
}
