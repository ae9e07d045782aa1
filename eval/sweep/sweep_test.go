package sweep_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/eval/stats"
	"github.com/imagenetx/imagenetx/eval/sweep"
	"github.com/imagenetx/imagenetx/predictions"
	"github.com/imagenetx/imagenetx/report"
)

// The fixture: 240 annotated images of classes i%5; pose on images 0..119,
// color on 120..199, background on 200..239. At strengths 0 and 0.5 the
// model is right on the even images; at strength 1 it loses every colour
// image (and keeps the rest), so colour's error ratio rises from 1 to 1.5
// while pose's falls from 1 to 0.75 with its accuracy unchanged.
const fixtureImages = 240

func fixtureFactor(i int) string {
	switch {
	case i < 120:
		return "pose"
	case i < 200:
		return "color"
	}
	return "background"
}

func fixtureName(i int) string { return fmt.Sprintf("ILSVRC2012_val_%08d.JPEG", i+1) }

func loadFixture(t *testing.T) *eval.Dataset {
	t.Helper()
	dir := t.TempDir()
	var meta, ann strings.Builder
	meta.WriteString("wnid,name,metaclass\n")
	for c := 0; c < eval.NumClasses; c++ {
		fmt.Fprintf(&meta, "n%08d,tool,0\n", c)
	}
	for i := 0; i < fixtureImages; i++ {
		fmt.Fprintf(&ann, `{"file_name": %q, "class": %d`, fixtureName(i), i%5)
		for _, name := range eval.Factors {
			v := 0
			if name == fixtureFactor(i) {
				v = 1
			}
			fmt.Fprintf(&ann, `, %q: %d`, name, v)
		}
		ann.WriteString("}\n")
	}
	for name, content := range map[string]string{
		load.MetaclassFile: meta.String(), load.PrototypeFile: "file_name\n",
		load.AnnotationFile(eval.Val, eval.TopFactor): ann.String(),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := load.Annotations(dir, eval.DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// fixtureLevels predicts the fixture at strengths 0, 0.5 and 1; skip names
// an image left unpredicted at strength 1 (-1: none).
func fixtureLevels(t *testing.T, ds *eval.Dataset, skip int) []sweep.Level {
	t.Helper()
	var levels []sweep.Level
	for _, s := range []float64{0, 0.5, 1} {
		acc := eval.NewAccumulator(ds)
		for i := 0; i < fixtureImages; i++ {
			if s == 1 && i == skip {
				continue
			}
			right := i%2 == 0 && !(s == 1 && fixtureFactor(i) == "color")
			class := i % 5
			if !right {
				class = (class + 1) % 5
			}
			if err := acc.Add("m", predictions.Prediction{FileName: fixtureName(i), Class: class, Prob: 0.5}); err != nil {
				t.Fatal(err)
			}
		}
		levels = append(levels, sweep.Level{Strength: s, Acc: acc, Model: "m"})
	}
	return levels
}

var fixtureOptions = sweep.Options{Correction: eval.CorrectionHolm, Bootstrap: stats.DefaultBootstrap}

func factorIndex(t *testing.T, name string) int {
	t.Helper()
	f, err := eval.FactorIndex(name)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 || (math.IsNaN(a) && math.IsNaN(b)) }

func TestAnalyzeFixture(t *testing.T) {
	res, err := sweep.Analyze(context.Background(), fixtureLevels(t, loadFixture(t), -1), fixtureOptions)
	if err != nil {
		t.Fatal(err)
	}
	if res.Images != fixtureImages || res.Unpaired != 0 {
		t.Fatalf("%d paired, %d unpaired", res.Images, res.Unpaired)
	}
	if !near(res.Accuracy[0], 0.5) || !near(res.Accuracy[2], 1.0/3) {
		t.Fatalf("overall accuracy %v", res.Accuracy)
	}
	pColor := stats.McNemarExact(40, 0)
	for _, tc := range []struct {
		factor                      string
		s                           int
		n, correct, onlyB, onlyV    int
		acc, ratio, change, p, padj float64
	}{
		{"color", 0, 80, 40, 0, 0, 0.5, 1, 0, math.NaN(), math.NaN()},
		{"color", 1, 80, 40, 0, 0, 0.5, 1, 0, 1, 1},
		{"color", 2, 80, 0, 40, 0, 0, 1.5, 0.5, pColor, 3 * pColor}, // Holm: 3 factors have images
		{"pose", 2, 120, 60, 0, 0, 0.5, 0.75, -0.25, 1, 1},
		{"background", 2, 40, 20, 0, 0, 0.5, 0.75, -0.25, 1, 1},
		{"texture", 2, 0, 0, 0, 0, math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()},
	} {
		row := res.Row(factorIndex(t, tc.factor), tc.s)
		if row.Factor != tc.factor || row.N != tc.n || row.Correct != tc.correct || row.OnlyBase != tc.onlyB || row.OnlyVariant != tc.onlyV ||
			!near(row.Accuracy, tc.acc) || !near(row.ErrorRatio, tc.ratio) || !near(row.Change, tc.change) || !near(row.P, tc.p) || !near(row.PAdjusted, tc.padj) {
			t.Errorf("%s at strength index %d: %+v", tc.factor, tc.s, *row)
		}
	}
	color := res.Row(factorIndex(t, "color"), 2)
	if !(color.ChangeLo > 0 && color.ChangeLo < 0.5 && color.ChangeHi > 0.5) {
		t.Errorf("colour change interval [%v, %v] should hold 0.5 and exclude 0", color.ChangeLo, color.ChangeHi)
	}
	same := res.Row(factorIndex(t, "pose"), 1)
	if same.ChangeLo != 0 || same.ChangeHi != 0 {
		t.Errorf("identical predictions give interval [%v, %v]", same.ChangeLo, same.ChangeHi)
	}
	for _, tc := range []struct {
		min  int
		want sweep.Verdict
	}{{30, sweep.Verdict{Ratio: 1, Accuracy: -1}}, {81, sweep.Verdict{FewImages: true, Accuracy: -1}}} {
		if v := color.Judge(0.05, tc.min); v != tc.want {
			t.Errorf("colour verdict with at least %d images: %+v, want %+v", tc.min, v, tc.want)
		}
	}
}

func TestAnalyzeLeavesOutUnpairedImages(t *testing.T) {
	res, err := sweep.Analyze(context.Background(), fixtureLevels(t, loadFixture(t), 0), fixtureOptions)
	if err != nil {
		t.Fatal(err)
	}
	if res.Images != fixtureImages-1 || res.Unpaired != 1 {
		t.Fatalf("%d paired, %d unpaired", res.Images, res.Unpaired)
	}
	if row := res.Row(factorIndex(t, "pose"), 0); row.N != 119 || row.Correct != 59 {
		t.Fatalf("pose at the baseline counts the unpaired image: %+v", *row)
	}
}

func TestAnalyzeRejectsBadLevels(t *testing.T) {
	ds := loadFixture(t)
	levels := fixtureLevels(t, ds, -1)
	other := fixtureLevels(t, loadFixture(t), -1)
	for _, tc := range []struct {
		name   string
		levels []sweep.Level
		want   string
	}{
		{"one level", levels[:1], "at least one other strength"},
		{"falling strengths", []sweep.Level{levels[2], levels[0]}, "must rise"},
		{"two datasets", []sweep.Level{levels[0], other[1]}, "another dataset"},
		{"unknown model", []sweep.Level{levels[0], {Strength: 1, Acc: levels[1].Acc, Model: "x"}}, "no predictions of x"},
		{"nothing paired", []sweep.Level{levels[0], {Strength: 1, Acc: eval.NewAccumulator(ds), Model: "m"}}, ""},
	} {
		if tc.name == "nothing paired" {
			tc.levels[1].Acc.Add("m", predictions.Prediction{FileName: "elsewhere.JPEG", Class: 1, Prob: 1})
			tc.want = "no annotated image"
		}
		if _, err := sweep.Analyze(context.Background(), tc.levels, fixtureOptions); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestRecordsReadBackAsReportSweep(t *testing.T) {
	res, err := sweep.Analyze(context.Background(), fixtureLevels(t, loadFixture(t), -1), fixtureOptions)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := res.Records().WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1+eval.NumFactors*3 || lines[0] != strings.Join(sweep.Columns, ",") {
		t.Fatalf("%d lines, header %q", len(lines), lines[0])
	}
	s, err := report.ReadSweepCSV(&buf, "spillover.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Strengths) != 3 || len(s.Factors) != eval.NumFactors {
		t.Fatalf("read back %d strengths, %d factors", len(s.Strengths), len(s.Factors))
	}
	// The report must judge a factor as the sweep does: by the verdict on
	// its error ratio at the highest strength.
	last := len(res.Strengths) - 1
	judged := 0
	for _, f := range s.Factors {
		fi, err := eval.FactorIndex(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		want := res.Verdict(fi, last).Ratio != 0
		if f.Significant != want {
			t.Errorf("%s significant %v in the report, %v by the sweep's verdict", f.Name, f.Significant, want)
		}
		if want {
			judged++
		}
	}
	if judged == 0 {
		t.Error("fixture has no factor with a spill-over verdict: the check above tests nothing")
	}
}

func TestFactorTableAndMarkdown(t *testing.T) {
	levels := fixtureLevels(t, loadFixture(t), -1)
	tbl, err := sweep.FactorTable(levels, eval.ErrorClass)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tbl.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "strength,model,pose,background,") || !strings.HasPrefix(lines[3], "1.0,m,0.5,0.5,") {
		t.Fatalf("factor table:\n%s", buf.String())
	}
	res, err := sweep.Analyze(context.Background(), levels, fixtureOptions)
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := sweep.WriteMarkdown(&buf, res, "m × colorjitter"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"## m × colorjitter", "240 annotated images predicted at every strength", "| texture ", "no images", "| color ", "relatively worse; accuracy changes significantly at 1",
		"relatively worse: color (+0.500 [", "relatively better: pose (-0.250 ["} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

func TestMarkdownLeavesSmallFactorsUnjudged(t *testing.T) {
	opt := fixtureOptions
	opt.MinImages = 50 // background has 40 images
	res, err := sweep.Analyze(context.Background(), fixtureLevels(t, loadFixture(t), -1), opt)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := sweep.WriteMarkdown(&buf, res, "m"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "too few images to judge the ratio (< 50)") || strings.Contains(out, "background (") {
		t.Fatalf("background (40 images) judged:\n%s", out)
	}
}
