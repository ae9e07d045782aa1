package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/internal/shareddata"
)

// The analysis fixture: 8 annotated images ILSVRC2012_val_0000000{1..8}.
// Classes 0 and 1 are dogs, 3 a bird, everything else "other". The multi
// release adds background to image 1, pose to 5 and color to 3.
var (
	fixtureClass = []int{0, 0, 3, 3, 5, 5, 1, 7}
	fixtureTop   = [][]string{{"pose"}, {"pose", "color"}, {"background"}, {"pose"}, {"texture"}, {"pose", "background"}, {"color"}, {"pose"}}
	fixtureExtra = map[int][]string{0: {"background"}, 4: {"pose"}, 2: {"color"}}
	// Model a is right on images 1, 2, 3, 5, 7; b on 1, 4, 6, 8.
	fixtureA = []fixturePrediction{{0, .9}, {0, .8}, {3, .7}, {9, .6}, {5, .95}, {9, .3}, {1, .85}, {9, .2}}
	fixtureB = []fixturePrediction{{0, .6}, {4, .55}, {4, .5}, {3, .9}, {4, .4}, {5, .7}, {4, .45}, {7, .65}}
)

type fixturePrediction struct {
	class int
	prob  float64
}

func fixtureName(i int) string { return fmt.Sprintf("ILSVRC2012_val_%08d.JPEG", i+1) }

// writeAnnotationFixture writes the fixture's annotation folder (both
// releases, upstream file names, no prototypes).
func writeAnnotationFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var meta strings.Builder
	meta.WriteString("wnid,name,metaclass\n")
	for c := 0; c < eval.NumClasses; c++ {
		name := map[int]string{0: "dog", 1: "dog", 3: "bird"}[c]
		if name == "" {
			name = "tool"
		}
		fmt.Fprintf(&meta, "n%08d,%s,%d\n", c, name, c%100)
	}
	writeTestFile(t, filepath.Join(dir, load.MetaclassFile), meta.String())
	writeTestFile(t, filepath.Join(dir, load.PrototypeFile), "file_name\n")
	for _, set := range []eval.FactorSet{eval.TopFactor, eval.MultiFactor} {
		var lines strings.Builder
		for i, class := range fixtureClass {
			obj := map[string]any{"file_name": fixtureName(i), "class": class}
			for _, f := range eval.Factors {
				obj[f] = 0
			}
			factors := fixtureTop[i]
			if set == eval.MultiFactor {
				factors = append(append([]string(nil), factors...), fixtureExtra[i]...)
			}
			for _, f := range factors {
				obj[f] = 1
			}
			b, err := json.Marshal(obj)
			if err != nil {
				t.Fatal(err)
			}
			lines.Write(append(b, '\n'))
		}
		writeTestFile(t, filepath.Join(dir, load.AnnotationFile(eval.Val, set)), lines.String())
	}
	return dir
}

// writePredictionFixture writes dir/model.csv with the given predictions of
// images 1..len(preds).
func writePredictionFixture(t *testing.T, dir, model string, preds []fixturePrediction) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("file_name,predicted_class,predicted_probability\n")
	for i, p := range preds {
		fmt.Fprintf(&b, "%s,%d,%g\n", fixtureName(i), p.class, p.prob)
	}
	path := filepath.Join(dir, model+".csv")
	writeTestFile(t, path, b.String())
	return path
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// runToFile runs a command writing to -o and returns what it wrote.
func runToFile(t *testing.T, run func(context.Context, []string, *bytes.Buffer) error, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	var stderr bytes.Buffer
	if err := run(context.Background(), append(args, "--quiet", "-o", out), &stderr); err != nil {
		t.Fatalf("%q: %v\n%s", args, err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func compareRun(ctx context.Context, args []string, stderr *bytes.Buffer) error {
	return invokeTo(ctx, "compare", args, io.Discard, stderr)
}

// csvRecords parses CSV output keyed by the values of the key columns
// joined with "/".
func csvRecords(t *testing.T, text string, key ...string) map[string]map[string]string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(text), "\n")
	header := strings.Split(lines[0], ",")
	out := map[string]map[string]string{}
	for _, l := range lines[1:] {
		fields := strings.Split(l, ",")
		if len(fields) != len(header) {
			t.Fatalf("line %q has %d fields, header %d", l, len(fields), len(header))
		}
		rec := map[string]string{}
		for i, h := range header {
			rec[h] = fields[i]
		}
		var k []string
		for _, c := range key {
			k = append(k, rec[c])
		}
		out[strings.Join(k, "/")] = rec
	}
	return out
}

// checkField compares a numeric CSV field with want (relative tolerance;
// NaN wants an empty field).
func checkField(t *testing.T, rec map[string]string, col string, want, tol float64) {
	t.Helper()
	s, ok := rec[col]
	if !ok {
		t.Errorf("no column %q in %v", col, rec)
		return
	}
	if math.IsNaN(want) {
		if s != "" {
			t.Errorf("%s = %q, want empty (NaN)", col, s)
		}
		return
	}
	got, err := strconv.ParseFloat(s, 64)
	if err != nil || math.Abs(got-want) > tol*math.Max(math.Abs(want), 1e-300) {
		t.Errorf("%s = %q, want %.17g", col, s, want)
	}
}

// Expected numbers: scipy.stats.binomtest(min(b, c), b + c, 0.5) on the
// fixture's discordant pairs.
func TestCompareCommandOnFixture(t *testing.T) {
	ann := writeAnnotationFixture(t)
	dir := t.TempDir()
	a := writePredictionFixture(t, dir, "a", fixtureA)
	b := writePredictionFixture(t, dir, "b", fixtureB)
	recs := csvRecords(t, runToFile(t, compareRun, "--annotations", ann, "--predictions", a, "--predictions", b), "factor")
	cases := []struct {
		factor                        string
		n, correctA, correctB, oA, oB string
		p                             float64
	}{
		{"pose", "5", "2", "4", "1", "3", 0.625},
		{"background", "2", "1", "1", "1", "1", 1},
		{"color", "2", "2", "0", "2", "0", 0.5},
		{"texture", "1", "1", "0", "1", "0", 1},
		{"average", "8", "5", "4", "4", "3", 1},
	}
	for _, c := range cases {
		r := recs[c.factor]
		if r["model_a"] != "a" || r["model_b"] != "b" || r["n"] != c.n || r["correct_a"] != c.correctA ||
			r["correct_b"] != c.correctB || r["a_only"] != c.oA || r["b_only"] != c.oB || r["significant"] != "False" {
			t.Errorf("%s: %v", c.factor, r)
		}
		checkField(t, r, "pval", c.p, 1e-12)
	}
	// Holm over pose, background, color, texture (the factors with images).
	checkField(t, recs["color"], "pval_adj", 1, 1e-12)
	checkField(t, recs["pattern"], "pval", math.NaN(), 0)
	md := runToFile(t, compareRun, "--annotations", ann, "--predictions", a, "--predictions", b, "--format", "markdown", "--correction", "none")
	if want := "Overall the accuracies do not differ significantly (-12.50 points, p = 1). No factor differs significantly."; !strings.Contains(md, want) {
		t.Errorf("markdown lacks %q:\n%s", want, md)
	}
}

func TestCompareCommandRejectsBadInput(t *testing.T) {
	ann := writeAnnotationFixture(t)
	dir := t.TempDir()
	a := writePredictionFixture(t, dir, "a", fixtureA)
	b := writePredictionFixture(t, dir, "b", fixtureB)
	c := writePredictionFixture(t, dir, "c", fixtureB[:3])
	other := t.TempDir()
	a2 := writePredictionFixture(t, other, "a", fixtureB)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"one model", []string{"--predictions", a}, "exactly two models"},
		{"three models", []string{"--predictions", dir}, "got 3"},
		{"same file twice", []string{"--predictions", a, "--predictions", a}, "twice"},
		{"different images", []string{"--predictions", a, "--predictions", c}, "3 annotated images have predictions from both, 5 only from a, 0 only from c (pass --allow-partial"},
		{"bad correction", []string{"--predictions", a, "--predictions", b, "--correction", "bonferroni"}, "unknown correction"},
		{"bad alpha", []string{"--predictions", a, "--predictions", b, "--alpha", "0"}, "--alpha"},
		// Without --annotations set-up's are read (TestReadersFindSetUpAnnotations);
		// a folder that is not there is named.
		{"missing annotations", []string{"--predictions", a, "--predictions", b, "--annotations", filepath.Join(other, "none")}, filepath.Join(other, "none")},
		{"extra argument", []string{"--predictions", a, "--predictions", b, "b.csv"}, "unexpected argument"},
	}
	for _, tc := range cases {
		args := append([]string{"--annotations", ann, "--quiet"}, tc.args...)
		err := invoke(context.Background(), "compare", args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	// A partial overlap is fine when asked for; the same stem in two
	// folders names the models by path.
	recs := csvRecords(t, runToFile(t, compareRun, "--annotations", ann, "--predictions", a, "--predictions", c, "--allow-partial"), "factor")
	if recs["average"]["n"] != "3" {
		t.Errorf("partial comparison: %v", recs["average"])
	}
	recs = csvRecords(t, runToFile(t, compareRun, "--annotations", ann, "--predictions", a, "--predictions", a2), "factor")
	if recs["average"]["model_a"] != a || recs["average"]["model_b"] != a2 {
		t.Errorf("same-stem models named %q and %q", recs["average"]["model_a"], recs["average"]["model_b"])
	}
}

// Expected numbers: pandas inner joins of the published predictions with
// the val top-factor annotations (prototypes excluded) and
// scipy.stats.binomtest; Holm and BH re-implemented after statsmodels'
// multipletests.
func TestCompareCommandResNet50AgainstViT(t *testing.T) {
	ann := shareddata.Require(t, "annotations")
	base := shareddata.Require(t, "predictions", "base")
	args := []string{"--annotations", ann, "--predictions", filepath.Join(base, "ResNet50.csv"), "--predictions", filepath.Join(base, "ViT.csv")}
	recs := csvRecords(t, runToFile(t, compareRun, args...), "factor")
	want := []struct {
		factor            string
		n, cA, cB, oA, oB int
		p, holm           float64
	}{
		{"pose", 15064, 12413, 12471, 986, 1044, 0.20582224511184022, 1},
		{"background", 14751, 10485, 11011, 1006, 1532, 1.3396737679118186e-25, 2.1434780286589098e-24},
		{"color", 6150, 4298, 4504, 481, 687, 1.8156194326097138e-09, 2.7234291489145706e-08},
		{"texture", 282, 111, 148, 17, 54, 1.252682396485477e-05, 0.00016284871154311203},
		{"subcategory", 585, 273, 311, 38, 76, 0.00047518532594190946, 0.005227038585361004},
		{"multiple_objects", 40, 20, 25, 0, 5, 0.0625, 0.625},
		{"average", 46110, 34430, 35394, 3301, 4265, 1.4658545238343218e-28, 1.4658545238343218e-28},
	}
	for _, w := range want {
		r := recs[w.factor]
		got := strings.Join([]string{r["n"], r["correct_a"], r["correct_b"], r["a_only"], r["b_only"]}, " ")
		if exp := fmt.Sprint(w.n, w.cA, w.cB, w.oA, w.oB); got != exp {
			t.Errorf("%s: counts %s, want %s", w.factor, got, exp)
		}
		checkField(t, r, "pval", w.p, 1e-9)
		checkField(t, r, "pval_adj", w.holm, 1e-9)
	}
	var sig []string
	for _, f := range eval.Factors {
		if recs[f]["significant"] == "True" {
			sig = append(sig, f)
		}
	}
	if got := strings.Join(sig, ","); got != "background,color,shape,partial_view,subcategory,texture" {
		t.Errorf("significant factors %s", got)
	}
	bh := csvRecords(t, runToFile(t, compareRun, append(args, "--correction", "bh")...), "factor")
	checkField(t, bh["pose"], "pval_adj", 0.32931559217894435, 1e-9)
	checkField(t, bh["texture"], "pval_adj", 5.010729585941908e-05, 1e-9)
	md := runToFile(t, compareRun, append(args, "--format", "markdown")...)
	for _, s := range []string{"Overall ViT is more accurate (2.09 points, p = 1.47e-28).",
		"ViT is more accurate on background (3.57 points, corrected p = 2.14e-24), color"} {
		if !strings.Contains(md, s) {
			t.Errorf("markdown lacks %q:\n%s", s, md)
		}
	}
}
