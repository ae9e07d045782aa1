package main

import (
	"bytes"
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/eval/tabular"
	"github.com/imagenetx/imagenetx/internal/shareddata"
)

func TestEvalCommandWritesReferenceCSV(t *testing.T) {
	ann := shareddata.Require(t, "annotations")
	preds := shareddata.Require(t, "predictions", "base")
	out := filepath.Join(t.TempDir(), "factors.csv")
	if code := realMain([]string{"eval", "--quiet", "--annotations", ann, "--predictions", preds, "-o", out}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "model,pose,background,") || !strings.HasPrefix(lines[2], "ResNet50,0.8240175252257037,") {
		t.Errorf("unexpected table:\n%s", b)
	}
	if !strings.Contains(lines[2], ",0.7466926913901539,") {
		t.Errorf("ResNet50 average missing: %s", lines[2])
	}
}

func TestEvalCommandBadInputKeepsOutputUntouched(t *testing.T) {
	ann := shareddata.Require(t, "annotations")
	dir := t.TempDir()
	bad := filepath.Join(dir, "dup.csv")
	content := "file_name,predicted_class,predicted_probability\nILSVRC2012_val_00000001.JPEG,1,0.5\nILSVRC2012_val_00000001.JPEG,2,0.5\n"
	if err := os.WriteFile(bad, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(out, []byte("previous"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"eval", "--annotations", ann, "--predictions", bad, "-o", out}, 1},
		{[]string{"eval", "--annotations", ann, "--predictions", dir + "/missing.csv", "-o", out}, 1},
		{[]string{"eval", "--annotations", ann, "--predictions", t.TempDir(), "-o", out}, 1},
		{[]string{"eval", "--annotations", ann, "--predictions", bad, "--error-type", "nope", "-o", out}, 2}, // a usage error
	} {
		args := tc.args
		if code := realMain(args); code != tc.code {
			t.Errorf("%q: exit %d, want %d", args, code, tc.code)
		}
		if b, _ := os.ReadFile(out); string(b) != "previous" {
			t.Errorf("%q: output file changed to %q", args, b)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func evalRun(ctx context.Context, args []string, stderr *bytes.Buffer) error {
	return invokeTo(ctx, "eval", args, io.Discard, stderr)
}

// Without --ci the eval command writes exactly the library's table, in
// every format; the CSV is pinned byte for byte (the reference layout).
func TestEvalCommandWithoutCIIsUnchanged(t *testing.T) {
	ann := writeAnnotationFixture(t)
	dir := t.TempDir()
	writePredictionFixture(t, dir, "a", fixtureA)
	writePredictionFixture(t, dir, "b", fixtureB)
	ds, err := load.Annotations(ann, eval.DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	acc := eval.NewAccumulator(ds)
	sources, _ := load.Sources([]string{dir})
	if err := load.Predictions(context.Background(), acc, sources); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		flags  []string
		format tabular.Format
		view   eval.View
		meta   bool
	}{
		{nil, tabular.CSV, eval.ViewAccuracy, false},
		{[]string{"--format", "markdown", "--error-ratio"}, tabular.Markdown, eval.ViewErrorRatio, false},
		{[]string{"--format", "json", "--by-metaclass"}, tabular.JSON, eval.ViewAccuracy, true},
	} {
		got := runToFile(t, evalRun, append([]string{"--annotations", ann, "--predictions", dir}, c.flags...)...)
		tbl, err := acc.TableFor(eval.ErrorClass, c.meta, false)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := eval.WriteTable(&want, tbl, c.format, c.view); err != nil {
			t.Fatal(err)
		}
		if got != want.String() {
			t.Errorf("%q: output\n%s\nwant\n%s", c.flags, got, want.String())
		}
	}
	csv := runToFile(t, evalRun, "--annotations", ann, "--predictions", dir)
	const pinned = "model,pose,background,pattern,color,smaller,shape,partial_view,subcategory,texture,larger,darker,object_blocking,person_blocking,style,brighter,multiple_objects,worst_factor,average,worst_100_classes\n" +
		"a,0.4,0.5,,1.0,,,,,1.0,,,,,,,,0.4,0.625,0.625\n" +
		"b,0.8,0.5,,0.0,,,,,0.0,,,,,,,,0.0,0.5,0.5\n"
	if csv != pinned {
		t.Errorf("CSV changed:\n%s\nwant\n%s", csv, pinned)
	}
}

// Expected numbers: the Wilson formula and the MOVER combination of
// stats.ErrorRatioInterval evaluated in Python (scipy 1.10 binomtest).
func TestEvalCommandCIOnFixture(t *testing.T) {
	ann := writeAnnotationFixture(t)
	dir := t.TempDir()
	a := writePredictionFixture(t, dir, "a", fixtureA)
	recs := csvRecords(t, runToFile(t, evalRun, "--annotations", ann, "--predictions", a, "--ci", "--min-images", "3"), "model", "factor")
	if len(recs) != eval.NumFactors+1 {
		t.Fatalf("%d records, want %d", len(recs), eval.NumFactors+1)
	}
	bg := recs["a/background"]
	if bg["n"] != "2" || bg["correct"] != "1" || bg["few_images"] != "True" {
		t.Errorf("background: %v", bg)
	}
	checkField(t, bg, "acc_lo", 0.09453120573423074, 1e-12)
	checkField(t, bg, "acc_hi", 0.9054687942657693, 1e-12)
	checkField(t, bg, "error_ratio", 1.3333333333333333, 1e-12)
	checkField(t, bg, "er_lo", 0.19574924956341389, 1e-12)
	checkField(t, bg, "er_hi", 2.6582995383141896, 1e-12)
	pose := recs["a/pose"]
	checkField(t, pose, "acc_lo", 0.11762077423264783, 1e-12)
	checkField(t, pose, "acc_hi", 0.769275718723987, 1e-12)
	if pose["few_images"] != "False" {
		t.Errorf("pose (5 images) flagged with --min-images 3")
	}
	avg := recs["a/average"]
	checkField(t, avg, "acc_lo", 0.3057423946026273, 1e-12)
	checkField(t, avg, "error_ratio", math.NaN(), 0)

	md := runToFile(t, evalRun, "--annotations", ann, "--predictions", a, "--ci", "--format", "markdown", "--by-metaclass")
	for _, s := range []string{"| model | metaclass       | factor           |  n |", "| a     | bird            | background       | 1* | 1.0000 [0.2065, 1.0000] |", "\\* fewer than 30 images"} {
		if !strings.Contains(md, s) {
			t.Errorf("markdown lacks %q:\n%s", s, md)
		}
	}
	for _, bad := range [][]string{{"--confidence", "1.5"}, {"--min-images", "-1"}} {
		args := append([]string{"--annotations", ann, "--predictions", a, "--ci", "--quiet"}, bad...)
		if err := invoke(context.Background(), "eval", args); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Expected numbers: pandas inner join of the published predictions with
// the val top-factor annotations, Wilson and MOVER error-ratio intervals
// evaluated in Python with scipy 1.10.
func TestEvalCommandCIOnRealPredictions(t *testing.T) {
	ann := shareddata.Require(t, "annotations")
	base := shareddata.Require(t, "predictions", "base")
	recs := csvRecords(t, runToFile(t, evalRun, "--annotations", ann, "--predictions", filepath.Join(base, "ResNet50.csv"),
		"--predictions", filepath.Join(base, "SimCLR.csv"), "--ci", "--min-images", "50"), "model", "factor")
	want := []struct {
		key                 string
		n, correct          string
		lo, hi, r, rlo, rhi float64
		few                 string
	}{
		{"ResNet50/pose", "15064", "12413", 0.8178540507655276, 0.8300157869068976, 0.6947390335481853, 0.6741014291258494, 0.7156366491283042, "False"},
		{"ResNet50/texture", "282", "111", 0.3383922369164104, 0.4517011937302702, 2.3938629408335763, 2.1646088242077144, 2.6116837953864223, "False"},
		{"ResNet50/multiple_objects", "40", "20", 0.3519952693346538, 0.6480047306653463, 1.97388698630137, 1.3895013523173816, 2.5577164201854656, "True"},
		{"SimCLR/pose", "15064", "11147", 0.7329107846780845, 0.7469190582200547, 0.7740285305614059, 0.7564153905751998, 0.7917563877100646, "False"},
		{"SimCLR/multiple_objects", "40", "24", 0.44595893660346186, 0.7365167431570808, 1.1907036797934152, 0.7843211923858957, 1.648850663484699, "True"},
		{"SimCLR/average", "46110", "30620", 0.6597396285963056, 0.6683614256936731, math.NaN(), math.NaN(), math.NaN(), "False"},
	}
	for _, w := range want {
		r := recs[w.key]
		if r["n"] != w.n || r["correct"] != w.correct || r["few_images"] != w.few {
			t.Errorf("%s: %v", w.key, r)
		}
		checkField(t, r, "acc_lo", w.lo, 1e-9)
		checkField(t, r, "acc_hi", w.hi, 1e-9)
		checkField(t, r, "error_ratio", w.r, 1e-9)
		checkField(t, r, "er_lo", w.rlo, 1e-9)
		checkField(t, r, "er_hi", w.rhi, 1e-9)
	}
}
