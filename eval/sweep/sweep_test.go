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
	}{{30, sweep.Verdict{Ratio: 1, Accuracy: -1}}, {81, sweep.Verdict{FewImages: true}}} {
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

// TestCurvesReadBackFromTheTable: the spill-over table read back gives the
// curves the result gives in memory (error ratios, fit and verdict), the
// evidence less the correction's name, which the table does not carry.
func TestCurvesReadBackFromTheTable(t *testing.T) {
	res, err := sweep.Analyze(context.Background(), fixtureLevels(t, loadFixture(t), -1), fixtureOptions)
	if err != nil {
		t.Fatal(err)
	}
	want, err := res.Curves()
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
	got, err := sweep.ReadCSV(&buf, "spillover.csv")
	if err != nil {
		t.Fatal(err)
	}
	for i := range want.Factors {
		if !strings.HasSuffix(want.Factors[i].Evidence, " (holm)") {
			t.Errorf("%s: evidence %q does not name the correction", want.Factors[i].Name, want.Factors[i].Evidence)
		}
		want.Factors[i].Evidence = strings.TrimSuffix(want.Factors[i].Evidence, " (holm)")
	}
	// %v prints every float exactly (shortest form) and NaN as NaN, which
	// reflect.DeepEqual would call unequal to itself.
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("read back:\n%+v\nin memory:\n%+v", got, want)
	}
	// The verdicts are those of Row.Judge at the strongest strength, and the
	// fixture has some of each kind.
	last := len(res.Strengths) - 1
	judged := 0
	for _, f := range got.Factors {
		fi := factorIndex(t, f.Name)
		if f.Significant() != (res.Verdict(fi, last).Ratio != 0) {
			t.Errorf("%s significant %v, verdict %+v", f.Name, f.Significant(), res.Verdict(fi, last))
		}
		if f.Significant() {
			judged++
		}
	}
	if judged == 0 || judged == len(got.Factors) {
		t.Errorf("%d of %d factors significant: the check above tests nothing", judged, len(got.Factors))
	}
	color := want.Factors[factorIndex(t, "color")]
	if color.Verdict != sweep.SpilloverWorse || len(color.FitX) != sweep.FitPoints {
		t.Errorf("color: verdict %q, fit of %d points (3 strengths: a quadratic through them, drawn)", color.Verdict, len(color.FitX))
	}
}

func TestReadCSVErrors(t *testing.T) {
	header := strings.Join(sweep.Columns, ",") + "\n"
	line := func(factor, strength, verdict string) string {
		return factor + "," + strength + ",40,0.5,1.2,0.1,-0.1,0.3,1,2,0.5,0.9," + verdict + "\n"
	}
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "header"},
		{"foreign header", "factor,strength,error_ratio\ncolor,0,1\n", "a table written by imagenetx sweep"},
		{"no lines", header, "no data line"},
		{"bad factor", header + line("hue", "0", "baseline"), "bad.csv:2: unknown factor"},
		{"bad number", header + strings.Replace(line("color", "0", "baseline"), "1.2", "abc", 1), `error_ratio "abc"`},
		{"infinite", header + strings.Replace(line("color", "0", "baseline"), "1.2", "inf", 1), "not a finite"},
		{"empty strength", header + line("color", "", "baseline"), "strength is empty"},
		{"bad count", header + strings.Replace(line("color", "0", "baseline"), ",40,", ",-4,", 1), `n "-4" is not a count`},
		{"bad verdict", header + line("color", "0", "maybe"), `spillover "maybe"`},
		{"falling strengths", header + line("color", "1", "baseline") + line("color", "0", "none"), "want rising strengths"},
		{"ragged", header + line("color", "0", "baseline") + line("color", "1", "none") + line("pose", "0", "baseline"), "not whole factors"},
		{"other strengths", header + line("color", "0", "baseline") + line("color", "1", "none") + line("pose", "0", "baseline") + line("pose", "2", "none"), "want pose at 1"},
		{"factor twice", header + line("color", "0", "baseline") + line("color", "0", "baseline"), "want rising"},
		{"factor twice apart", header + line("color", "0", "baseline") + line("pose", "0", "baseline") + line("color", "0", "baseline"), "color appears twice"},
		{"short line", header + "color,0,1\n", "wrong number of fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sweep.ReadCSV(strings.NewReader(tc.in), "bad.csv")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestLoadDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "m-colorjitter")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := sweep.LoadDir(dir); err == nil || !strings.Contains(err.Error(), sweep.SpilloverFile) {
		t.Errorf("missing file: err = %v", err)
	}
	res, err := sweep.Analyze(context.Background(), fixtureLevels(t, loadFixture(t), -1), fixtureOptions)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := res.Records().WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, sweep.SpilloverFile), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := sweep.LoadDir(dir)
	if err != nil || c.Title != "m-colorjitter" || len(c.Factors) != eval.NumFactors {
		t.Errorf("title %q, %d factors, %v", c.Title, len(c.Factors), err)
	}
}

// FuzzReadCSV: whatever ReadCSV accepts has rising strengths and, per
// factor, one error ratio per strength and a fit of matching lengths.
func FuzzReadCSV(f *testing.F) {
	header := strings.Join(sweep.Columns, ",") + "\n"
	f.Add(header + "color,0,4,0.5,1,0,0,0,0,0,,,baseline\ncolor,1,4,0.5,1e308,0.1,-0.1,0.3,1,2,0.5,0.9,worse\n")
	f.Add(header + "pose,1e-300,4,0.5,0,0,0,0,0,0,,,baseline\npose,2e-300,4,,1,,,,0,0,,,none\npose,3e-300,4,1,2,1,1,1,0,0,0.1,0.2,better\n")
	f.Fuzz(func(t *testing.T, in string) {
		c, err := sweep.ReadCSV(strings.NewReader(in), "fuzz.csv")
		if err != nil {
			return
		}
		for i := 1; i < len(c.Strengths); i++ {
			if !(c.Strengths[i] > c.Strengths[i-1]) {
				t.Fatalf("strengths not rising: %v", c.Strengths)
			}
		}
		for _, f := range c.Factors {
			if len(f.ErrorRatio) != len(c.Strengths) || len(f.FitX) != len(f.FitY) {
				t.Errorf("factor %s: %d ratios for %d strengths, fit %d/%d", f.Name, len(f.ErrorRatio), len(c.Strengths), len(f.FitX), len(f.FitY))
			}
		}
	})
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
	if !strings.Contains(out, "too few images to judge (< 50)") || strings.Contains(out, "background (") {
		t.Fatalf("background (40 images) judged:\n%s", out)
	}
}
