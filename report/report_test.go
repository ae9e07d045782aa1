package report

import (
	"context"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/sweep"
)

// figureMarks maps each figure's id to the number of marks it declares.
func figureMarks(t *testing.T, page string) map[string]int {
	t.Helper()
	re := regexp.MustCompile(`<figure class="chart" id="([^"]+)" data-kind="[a-z]+" data-marks="(\d+)">`)
	out := map[string]int{}
	for _, m := range re.FindAllStringSubmatch(page, -1) {
		n, _ := strconv.Atoi(m[2])
		out[m[1]] = n
	}
	return out
}

func TestWriteFixtureReport(t *testing.T) {
	fx := makeFixture(t)
	page := writeReport(t, fx.input(t))
	// 2 models × 16 factors, every factor having images; heatmaps: 4
	// metaclasses × 16 factors, less the cells without an image; the sweep
	// has 11 finite points.
	want := map[string]int{"error-ratio": 32, "accuracy": 32, "calibration": 32, "heatmap-0": 64, "heatmap-1": 64, "sweep-0": 11}
	got := figureMarks(t, page)
	for id, n := range want {
		if id == "heatmap-0" || id == "heatmap-1" {
			if got[id] < 40 || got[id] > n {
				t.Errorf("figure %s has %d marks, want between 40 and %d", id, got[id], n)
			}
			continue
		}
		if got[id] != n {
			t.Errorf("figure %s has %d marks, want %d", id, got[id], n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("figures %v, want the ids of %v", got, want)
	}
	for _, s := range []string{
		`Content-Security-Policy" content="default-src 'none'`,
		"fixture &lt;audit&gt;", "What stands out", "alpha (accuracy", "beta (accuracy",
		"true: class name", "why &lt;0&gt;", "Liberation Sans", "tiny × colorjitter",
		"color: the error ratio falls from 1.40 at strength 0 to 0.90 at 1 (p = 0.001)",
		"decode ", // the corrupt JPEG says why it has no thumbnail
	} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	for _, s := range []string{"<script", "src=\"http", "url(http", "NaN", "<?xml", "ZgotmplZ"} {
		if strings.Contains(page, s) {
			t.Errorf("page contains %q", s)
		}
	}
	if n := strings.Count(page, `<img src="data:image/jpeg;base64,`); n == 0 {
		t.Error("no thumbnail")
	}
}

func TestWriteNeedsSomething(t *testing.T) {
	if err := Write(context.Background(), &strings.Builder{}, Input{}); err == nil {
		t.Error("empty input accepted")
	}
	bad := Input{Sweeps: []sweep.Curves{{Title: "s", Strengths: []float64{0, 1}, Factors: []sweep.FactorCurve{{Name: "pose", ErrorRatio: []float64{1}}}}}}
	if err := Write(context.Background(), &strings.Builder{}, bad); err == nil || !strings.Contains(err.Error(), "pose") {
		t.Errorf("ragged sweep: err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fx := makeFixture(t)
	if err := Write(ctx, &strings.Builder{}, fx.input(t)); err == nil {
		t.Error("cancelled context ignored")
	}
}

func TestSweepOnlyReport(t *testing.T) {
	page := writeReport(t, Input{Sweeps: []sweep.Curves{fixtureSweep()}})
	if got := figureMarks(t, page); len(got) != 1 || got["sweep-0"] != 11 {
		t.Errorf("figures %v, want only sweep-0 with 11 marks", got)
	}
}

func TestFactorOrder(t *testing.T) {
	row := func(acc map[int]float64, avg float64) eval.Row {
		r := eval.Row{Average: avg}
		for f := range r.Factor {
			r.Factor[f] = math.NaN()
		}
		for f, a := range acc {
			r.Factor[f] = a
		}
		return r
	}
	// Error ratios: model 1 pose 2, color 1; model 2 pose 1, color 4 →
	// means pose 1.5, color 2.5; texture only in model 1 at 3.
	rows := []eval.Row{
		row(map[int]float64{0: 0.8, 3: 0.9, 8: 0.7}, 0.9),
		row(map[int]float64{0: 0.9, 3: 0.6}, 0.9),
	}
	order, mean := factorOrder(rows)
	if want := []int{8, 3, 0}; !slices.Equal(order[:3], want) {
		t.Errorf("order starts %v, want %v", order[:3], want)
	}
	if math.Abs(mean[3]-2.5) > 1e-9 || !math.IsNaN(mean[1]) {
		t.Errorf("mean color %v, background %v; want 2.5 and NaN", mean[3], mean[1])
	}
	// Factors without values keep the reference order after the others.
	if want := []int{1, 2, 4}; !slices.Equal(order[3:6], want) {
		t.Errorf("order continues %v, want %v", order[3:6], want)
	}
}

func TestChartKinds(t *testing.T) {
	fx := makeFixture(t)
	in := fx.input(t)
	for _, kind := range ChartKinds {
		model := ""
		if kind == "heatmap" {
			model = "beta"
		}
		c, err := Chart(context.Background(), kind, in, model)
		if err != nil {
			t.Errorf("%s: %v", kind, err)
			continue
		}
		if c.Marks == 0 {
			t.Errorf("%s: no mark", kind)
		}
	}
	for _, tc := range []struct{ kind, model, want string }{
		{"pie", "", "unknown chart"},
		{"heatmap", "", "needs --model"},
		{"heatmap", "gamma", "no heatmap for model"},
	} {
		if _, err := Chart(context.Background(), tc.kind, in, tc.model); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Chart(%s, %q): err = %v, want %q", tc.kind, tc.model, err, tc.want)
		}
	}
	if _, err := Chart(context.Background(), "accuracy", Input{Sweeps: in.Sweeps}, ""); err == nil {
		t.Error("accuracy chart without predictions accepted")
	}
}
