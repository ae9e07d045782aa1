package report

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/eval/sweep"
	"github.com/imagenetx/imagenetx/predictions"
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
		`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'; script-src 'sha256-`,
		"fixture &lt;audit&gt;", "What stands out", "Liberation Sans", "tiny × colorjitter",
		// the headline: top-1 and top-5 over all labelled images
		`<p class="name">beta</p>`, `<span class="label">top-1</span><span class="value">82.00%</span><span class="ci">[78.39%, 85.12%]</span><span class="of">of 500 labelled images</span>`,
		`<span class="label">top-5</span><span class="value">94.00%</span>`,
		// clearly harder factors with their intervals and counts
		`<td><a href="#mis-pose">pose</a><td>1.54<td>[1.02, 2.04]<td>30`,
		// the comparison with the baseline (beta: the first of Input.Models)
		"alpha vs beta, on the 480 annotated images both predicted: significantly lower accuracy overall, -8.3 pts (p(holm) = 0.00392)", `<th colspan="2">alpha vs beta</th>`,
		// the lists of misclassified images, with cards
		`<details class="list" id="mis-pose"><summary><b>pose</b> <span>20 misclassified by at least one model, of 30 images</span>`,
		"true: class name", "why &lt;0&gt;",
		// failed images, with their reasons
		`<a class="failed" href="#failed-0">2 failed</a>`, "<td>broken &lt;1&gt;.JPEG<td>decode<td class=\"wrap\">unexpected EOF",
		"color: the error ratio falls from 1.40 at strength 0 to 0.90 at 1 (p = 0.001)",
	} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	for _, s := range []string{"src=\"http", "url(http", "NaN", "<?xml", "ZgotmplZ", "no images"} {
		if strings.Contains(page, s) {
			t.Errorf("page contains %q", s)
		}
	}
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("%d scripts, want the page's one", n)
	}
	// Thumbnails are CSS classes, each image embedded once.
	thumbs := regexp.MustCompile(`\.t\d+\{background-image:url\(data:image/jpeg;base64,`).FindAllString(page, -1)
	if len(thumbs) == 0 || len(thumbs) > fx.thumbs {
		t.Errorf("%d thumbnails embedded, want 1 to %d", len(thumbs), fx.thumbs)
	}
}

// TestPolicyHashesTheScript checks that the policy allows the page's script
// by the hash of the bytes the page holds.
func TestPolicyHashesTheScript(t *testing.T) {
	page := writeReport(t, Input{Sweeps: []sweep.Curves{fixtureSweep()}})
	m := regexp.MustCompile(`(?s)<script>(.*)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("page has no script")
	}
	sum := sha256.Sum256([]byte(m[1]))
	want := "script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'\""
	if !strings.Contains(page, want) {
		t.Errorf("page lacks %q", want)
	}
	if m[1] != pageScript {
		t.Error("the page's script differs from page.js")
	}
}

// TestNoImagesTellsFromNoMistakes: factors without images and factors
// without mistakes say so, differently, in the factor table and the lists.
func TestNoImagesTellsFromNoMistakes(t *testing.T) {
	// 64 images over the first 4 factors; the models err on factors 0 and
	// 1 only (every other image).
	fx := makeShapedFixture(t, fixtureShape{
		images: 64,
		factor: func(i int) int { return i % 4 },
		wrong:  func(i, m, factor int) bool { return factor < 2 && (i/4)%2 == 0 },
	})
	page := writeReport(t, fx.input(t))
	for f, want := range map[int][]string{
		0: {`<span>8 misclassified by at least one model, of 16 images</span>`},
		2: {`<span>16 images, no mistakes</span>`, "No mistakes: every model classified all 16 images with this factor correctly.",
			`<td class="none" data-v="0"><a href="#mis-` + eval.Factors[2] + `">no mistakes</a>`},
		5: {`<span>no images</span>`, "No annotated image has this factor.", `<td class="none" data-v="–">no images`},
	} {
		for _, s := range want {
			if !strings.Contains(page, s) {
				t.Errorf("factor %s: page lacks %q", eval.Factors[f], s)
			}
		}
	}
}

// TestMinImages: the headline names a factor as clearly harder only with
// at least MinImages images behind it.
func TestMinImages(t *testing.T) {
	// 16 images on each of 4 factors; alpha errs on half of factor 0's
	// images and on nothing else.
	shape := fixtureShape{
		images: 64,
		factor: func(i int) int { return i % 4 },
		wrong:  func(i, m, factor int) bool { return m == 0 && factor == 0 && (i/4)%2 == 0 },
	}
	fx := makeShapedFixture(t, shape)
	in := fx.input(t)
	in.Models = nil
	named := `<td><a href="#mis-` + eval.Factors[0] + `">`
	if page := writeReport(t, in); strings.Contains(page, named) || !strings.Contains(page, "No factor with at least 30 images is clearly harder") {
		t.Error("a factor of 16 images singled out with the default minimum of 30")
	}
	in.MinImages = 10
	if page := writeReport(t, in); !strings.Contains(page, named) || !strings.Contains(page, "No factor with at least 10 images is clearly harder") {
		t.Error("with a minimum of 10 images, alpha's factor of 16 is not singled out (or beta's card names a factor)")
	}
	in.MinImages = -1
	if err := Write(context.Background(), &strings.Builder{}, in); err == nil {
		t.Error("negative minimum accepted")
	}
}

// TestComparisonsAsGiven: comparisons in the input are shown as given,
// with their correction; a model that failed on every image still has its
// failures listed.
func TestComparisonsAsGiven(t *testing.T) {
	fx := makeFixture(t)
	in := fx.input(t)
	c, err := eval.Compare(in.Accumulator, "alpha", "beta", eval.CompareOptions{Correction: eval.CorrectionBH, Alpha: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	in.Comparisons = []*eval.Comparison{c}
	in.Models = append(in.Models, Model{Name: "gamma", Failed: []Failure{{File: "x.png", Stage: "infer", Reason: "output shape [1 10]"}}})
	page := writeReport(t, in)
	for _, s := range []string{"<h2>Comparison with alpha</h2>", "<button type=\"button\">p (bh)</button>", "bh correction, significance level 0.01",
		`<h3 id="failed-2">gamma: 1 failed</h3>`, "output shape [1 10]"} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	in.Comparisons = []*eval.Comparison{{ModelA: "alpha", ModelB: "beta"}}
	if err := Write(context.Background(), &strings.Builder{}, in); err == nil {
		t.Error("a comparison without rows accepted")
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
	row := func(acc map[int]float64, avg float64) *eval.Row {
		r := &eval.Row{Average: avg}
		for f := range r.Factor {
			r.Factor[f] = math.NaN()
		}
		for f, a := range acc {
			r.Factor[f], r.Count[f] = a, 100
		}
		return r
	}
	// Error ratios: model 1 pose 2, color 1; model 2 pose 1, color 4 →
	// means pose 1.5, color 2.5; texture only in model 1 at 3; style at 5
	// but on 2 images.
	rows := []*eval.Row{
		row(map[int]float64{0: 0.8, 3: 0.9, 8: 0.7, 5: 0.5}, 0.9),
		row(map[int]float64{0: 0.9, 3: 0.6}, 0.9),
	}
	rows[0].Count[5] = 2
	order, mean := factorOrder(rows, 30)
	if want := []int{8, 3, 0, 5}; !slices.Equal(order[:4], want) {
		t.Errorf("order starts %v, want %v (the factor on 2 images after those with enough)", order[:4], want)
	}
	if math.Abs(mean[3]-2.5) > 1e-9 || !math.IsNaN(mean[1]) {
		t.Errorf("mean color %v, background %v; want 2.5 and NaN", mean[3], mean[1])
	}
	// Factors without values keep the reference order after the others.
	if want := []int{1, 2, 4}; !slices.Equal(order[4:7], want) {
		t.Errorf("order continues %v, want %v", order[4:7], want)
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
		{"heatmap", "", "the heatmap is drawn for one model: one of"},
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

// TestTopKColumns: an accumulator that tallies top-k gives the factor
// table a top-k column per model and the headline the top-k accuracy on
// the annotated images.
func TestTopKColumns(t *testing.T) {
	fx := makeFixture(t)
	ds, err := load.Annotations(fx.annotations, eval.DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	acc := eval.NewAccumulatorWith(ds, eval.AccumulatorOptions{TopK: 2})
	for i, im := range ds.Images {
		pred := im.Class
		if i%4 == 0 {
			pred = (im.Class + 1) % 6
		}
		// The true class is always among the first two.
		p := predictions.Prediction{FileName: im.FileName, Class: pred, Prob: 0.6,
			TopK: []predictions.ClassProb{{Class: pred, Prob: 0.6}, {Class: im.Class, Prob: 0.3}}}
		if pred == im.Class {
			p.TopK[1].Class = (im.Class + 2) % 6
		}
		if err := acc.Add("solo", p); err != nil {
			t.Fatal(err)
		}
	}
	page := writeReport(t, Input{Accumulator: acc})
	for _, s := range []string{
		`<span class="label">top-1, annotated images</span><span class="value">75.00%</span>`,
		`<span class="label">top-2, annotated images</span><span class="value">100.00%</span>`,
		`<button type="button">top-2</button>`,
	} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

// TestLeaderboardNoteWithoutLabels: a report of prediction files whose
// scores over labelled images are unknown still says which images each
// leaderboard figure is over, its note starting with the annotated
// accuracy's name as written.
func TestLeaderboardNoteWithoutLabels(t *testing.T) {
	in := makeFixture(t).input(t)
	in.Models = nil // no scores over labelled images: the annotated ones only
	page := writeReport(t, in)
	for _, want := range []string{"<p class=\"note\">“top-1, annotated” is over the 480 annotated images; “vs alpha” is over the 480 annotated images both predicted"} {
		if !strings.Contains(page, want) {
			i := strings.Index(page, `id="leaderboard"`)
			t.Errorf("page lacks %q; leaderboard: %.2000s", want, page[max(i, 0):])
		}
	}
	if strings.Contains(page, "\uFFFD") {
		t.Error("the page holds a replacement character (a broken UTF-8 sequence)")
	}
}
