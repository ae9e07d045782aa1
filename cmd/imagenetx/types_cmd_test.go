package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/internal/cli"
	"github.com/imagenetx/imagenetx/internal/shareddata"
)

func typesRun(ctx context.Context, args []string, stderr *bytes.Buffer) error {
	return invokeTo(ctx, "types", args, io.Discard, stderr)
}

func TestTypesCommand(t *testing.T) {
	results := shareddata.Require(t, "results")
	out := runToFile(t, typesRun, "--results", results)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if lines[0] != "factor,model_type,n_models,mean_error_ratio,std_error_ratio,p_alexander_govern" || len(lines) != 1+eval.NumFactors*4 {
		t.Fatalf("header %q, %d rows; want the issue's columns and 16 factors × 4 types", lines[0], len(lines)-1)
	}
	recs := csvRecords(t, out, "factor", "model_type")
	// From the toolkit's model_comparison (pandas, scipy 1.10.1).
	checkField(t, recs["background/Robustness intervention"], "mean_error_ratio", 1.0770376624926667, 1e-12)
	checkField(t, recs["background/Robustness intervention"], "p_alexander_govern", 0.029307468857277724, 1e-9)
	if recs["pose/Self-supervised"]["n_models"] != "13" {
		t.Errorf("self-supervised models: %s, want 13", recs["pose/Self-supervised"]["n_models"])
	}

	arch := runToFile(t, typesRun, "--results", results, "--by", "architecture", "--factors", "multi", "--error-type", "real")
	// --release, the name the published results' folders go by, is --factors.
	if same := runToFile(t, typesRun, "--results", results, "--by", "architecture", "--release", "multi", "--error-type", "real"); same != arch {
		t.Error("--release multi and --factors multi differ")
	}
	if !strings.HasPrefix(arch, "factor,architecture,n_models,") || strings.Count(arch, "\n") != 1+eval.NumFactors*2 {
		t.Errorf("architecture table:\n%.300s", arch)
	}
	md := runToFile(t, typesRun, "--results", results, "--format", "markdown")
	for _, want := range []string{"| pose ", "over 209 models", "Kendall's W of the factor rankings across the 4 groups = 0.9765", "mean pairwise Spearman ρ of the 209 models' error ratios = 0.9103", "(n.s.)"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

// TestTypesPlacesBaseResNet50 places the paper's own ResNet50 predictions:
// scored on all annotated images, its error ratios are its row of the
// published base table.
func TestTypesPlacesBaseResNet50(t *testing.T) {
	results := shareddata.Require(t, "results")
	ann := shareddata.Require(t, "annotations")
	preds := filepath.Join(shareddata.Require(t, "predictions", "base"), "ResNet50.csv")
	base, err := eval.ReadTableFile(filepath.Join(results, "val", "top_factor", "base", "class", "accuracies_per_factor.csv"))
	if err != nil {
		t.Fatal(err)
	}
	row, ok := base.Row("ResNet50")
	if !ok {
		t.Fatal("no ResNet50 row in the base table")
	}
	place := filepath.Join(t.TempDir(), "placement.csv")
	var stderr bytes.Buffer
	if err := typesRun(context.Background(), []string{"--results", results, "--annotations", ann, "--predictions", preds, "--placement", place, "-o", filepath.Join(t.TempDir(), "types.csv")}, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	b, err := os.ReadFile(place)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "model,factor,error_ratio,percentile,expected_error_ratio,expected_lo,expected_hi,residual\n") {
		t.Errorf("placement header: %.120s", b)
	}
	recs := csvRecords(t, string(b), "model", "factor")
	if len(recs) != eval.NumFactors {
		t.Fatalf("%d placements, want 16", len(recs))
	}
	for f, name := range eval.Factors {
		checkField(t, recs["ResNet50/"+name], "error_ratio", row.ErrorRatio(f), 1e-12)
	}
	// From the reference computation (scripts/reference_types.py).
	checkField(t, recs["ResNet50/pose"], "percentile", 10.287081339712918, 1e-12)
	checkField(t, recs["ResNet50/pose"], "expected_error_ratio", 0.729738826683344, 1e-9)
	msg := stderr.String()
	for _, want := range []string{"scored on all 46110 annotated images", "background: error ratio 1.1417 [1.1184, 1.1650] on 14751 images, above"} {
		if !strings.Contains(msg, want) {
			t.Errorf("stderr lacks %q:\n%s", want, msg)
		}
	}

	// A part of the images: the placement is indicative.
	part := filepath.Join(t.TempDir(), "part.csv")
	writeHead(t, preds, part, 5001)
	stderr.Reset()
	if err := typesRun(context.Background(), []string{"--results", results, "--annotations", ann, "--predictions", "part=" + part, "-o", filepath.Join(t.TempDir(), "t.csv")}, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "of the 46110 annotated images, so the placement is indicative") {
		t.Errorf("part of the images, stderr:\n%s", stderr.String())
	}
}

// writeHead copies the first n lines of src to dst.
func writeHead(t *testing.T, src, dst string, n int) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var b strings.Builder
	sc := bufio.NewScanner(in)
	for i := 0; i < n && sc.Scan(); i++ {
		b.WriteString(sc.Text() + "\n")
	}
	if err := os.WriteFile(dst, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTypesUsageErrors(t *testing.T) {
	results := shareddata.Require(t, "results")
	preds := filepath.Join(shareddata.Require(t, "predictions", "base"), "ResNet50.csv")
	dir := t.TempDir()
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink(filepath.Join(dir, "same.csv"), link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"placement without predictions", []string{"--placement", filepath.Join(dir, "p.csv")}, "needs --predictions"},
		{"same file twice", []string{"--predictions", preds, "-o", filepath.Join(dir, "same.csv"), "--placement", filepath.Join(dir, "same.csv")}, "are the same file"},
		{"same file through a link", []string{"--predictions", preds, "-o", filepath.Join(dir, "same.csv"), "--placement", link}, "are the same file"},
		{"bad grouping", []string{"--by", "colour"}, "want type or architecture"},
		{"train annotations", []string{"--predictions", preds, "--partition", "train"}, "cannot be placed"},
	} {
		err := invoke(context.Background(), "types", append([]string{"--results", results}, tc.args...))
		var u cli.UsageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a usage error saying %q", tc.name, err, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "same.csv")); err == nil {
		t.Error("a refused command wrote its output")
	}
}

// TestTypesChecksTheDataHome: without --results, the data home's copy is
// read only when every file matches its pinned sha256.
func TestTypesChecksTheDataHome(t *testing.T) {
	results := shareddata.Require(t, "results")
	home := t.TempDir()
	t.Setenv("IMAGENETX_HOME", home)
	err := invoke(context.Background(), "types", nil)
	if err == nil || !strings.Contains(err.Error(), "not installed") || !strings.Contains(err.Error(), "scripts/setup.sh") {
		t.Errorf("empty data home: %v, want it to say how to install the results", err)
	}
	err = filepath.WalkDir(results, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(results, p)
		dst := filepath.Join(home, "results", rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "types.csv")
	if err := invoke(context.Background(), "types", []string{"-o", out}); err != nil {
		t.Fatalf("data home with the pinned files: %v", err)
	}
	// One byte flipped in a number: still a valid table, so only the pin
	// can catch it.
	bad := filepath.Join(home, "results", "val", "top_factor", "imagenet_testbed", "class", "accuracies_per_factor.csv")
	b, err := os.ReadFile(bad)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte("0.8688927243759957"))
	b[i+3] = '7'
	if err := os.WriteFile(bad, b, 0o644); err != nil {
		t.Fatal(err)
	}
	err = invoke(context.Background(), "types", []string{"-o", out})
	if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "re-install") {
		t.Errorf("flipped byte: %v, want a refusal naming %s and the fix", err, bad)
	}
}

// TestPlotPopulationCharts draws the paper's two figures, as SVG and PNG,
// the scatter with two models highlighted.
func TestPlotPopulationCharts(t *testing.T) {
	results := shareddata.Require(t, "results")
	ann := shareddata.Require(t, "annotations")
	base := shareddata.Require(t, "predictions", "base")
	dir := t.TempDir()
	for _, tc := range []struct {
		args  []string
		out   string
		marks int
	}{
		// 16 factors × 4 types.
		{[]string{"model-types"}, "types.svg", 16 * 4},
		// 16 factors × 2 architectures.
		{[]string{"model-types", "--by", "architecture"}, "arch.svg", 16 * 2},
		// 209 models and 2 highlighted, in 16 panels.
		{[]string{"population-scatter", "--annotations", ann, "--predictions", filepath.Join(base, "ResNet50.csv"), "--predictions", filepath.Join(base, "ViT.csv")}, "scatter.svg", 16 * (209 + 2)},
		{[]string{"population-scatter"}, "scatter.png", 0},
	} {
		out := filepath.Join(dir, tc.out)
		if err := invoke(context.Background(), "plot", append(tc.args, "--results", results, "--quiet", "-o", out)); err != nil {
			t.Fatalf("plot %v: %v", tc.args, err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(out, ".png") {
			if !bytes.HasPrefix(b, []byte("\x89PNG")) {
				t.Errorf("%s is not a PNG", out)
			}
			continue
		}
		if n := strings.Count(string(b), "fill-opacity:0.99608"); n != tc.marks {
			t.Errorf("plot %v: %d marks, want %d", tc.args, n, tc.marks)
		}
	}
}
