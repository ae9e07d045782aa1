package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/datahome"
	"github.com/imagenetx/imagenetx/engine/ortlib"
	"github.com/imagenetx/imagenetx/internal/cli"
	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/runfiles"
)

// ortLibrary is the ONNX Runtime library set-up installed. Without it the
// test is skipped, except under CI, whose script runs set-up first.
func ortLibrary(t *testing.T) string {
	t.Helper()
	p, err := ortlib.Locate("")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return p
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func TestRunCommand(t *testing.T) {
	ortLibrary(t)
	images := shareddata.Require(t, "images", "val_227")
	out := filepath.Join(t.TempDir(), "sub", "preds.csv")
	err := invoke(context.Background(), "run", []string{"--images", images, "--limit", "40", "--topk", "3", "--batch", "8", "--quiet", "-o", out})
	if err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, out)
	if len(lines) != 41 || lines[0] != "file_name,predicted_class,predicted_probability,top2_class,top2_probability,top3_class,top3_probability" {
		t.Fatalf("%d lines, header %q", len(lines), lines[0])
	}
	if _, err := os.Stat(runfiles.ErrorsPathFor(out)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("errors file made by a run without failures")
	}

	// Resuming a finished run changes nothing.
	before, _ := os.ReadFile(out)
	if err := invoke(context.Background(), "run", []string{"--images", images, "--limit", "40", "--topk", "3", "--batch", "8", "--quiet", "--resume", "-o", out}); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(out); !bytes.Equal(before, after) {
		t.Fatal("resuming a complete run changed the output")
	}
	// Resuming with other settings is refused.
	err = invoke(context.Background(), "run", []string{"--images", images, "--limit", "40", "--topk", "3", "--batch", "8", "--quiet", "--resume", "--interpolation", "bicubic", "-o", out})
	if err == nil || !strings.Contains(err.Error(), "different settings") || !strings.Contains(err.Error(), "preprocess.interpolation: bilinear then, bicubic now") {
		t.Fatalf("resume with another interpolation: %v", err)
	}
	// So is resuming under another decode policy: it changes which images fail.
	err = invoke(context.Background(), "run", []string{"--images", images, "--limit", "40", "--topk", "3", "--batch", "8", "--quiet", "--resume", "--strict-decode", "-o", out})
	if err == nil || !strings.Contains(err.Error(), "different settings") || !strings.Contains(err.Error(), "decode: pillow then, strict now") {
		t.Fatalf("resume with --strict-decode: %v", err)
	}
	err = invoke(context.Background(), "run", []string{"--images", images, "--limit", "40", "--topk", "3", "--batch", "8", "--quiet", "--resume", "--fast-decode", "-o", out})
	if err == nil || !strings.Contains(err.Error(), "fast_decode: false then, true now") {
		t.Fatalf("resume with --fast-decode: %v", err)
	}
}

// TestRunCommandNamesItsFiles: without -o, run names its files after
// --name (default: the model's registered name), and run.json records it
// with the execution provider that ran.
func TestRunCommandNamesItsFiles(t *testing.T) {
	ortLibrary(t)
	images := shareddata.Require(t, "images", "val_227")
	t.Chdir(t.TempDir())
	for _, c := range []struct{ name, want string }{{"", "mobilenetv2-12-int8"}, {"int8_baseline", "int8_baseline"}} {
		args := []string{"--images", images, "--limit", "8", "--quiet"}
		if c.name != "" {
			args = append(args, "--name", c.name)
		}
		if err := invoke(context.Background(), "run", args); err != nil {
			t.Fatal(err)
		}
		if lines := readLines(t, c.want+".predictions.csv"); len(lines) != 9 {
			t.Errorf("%s.predictions.csv: %d lines", c.want, len(lines))
		}
		m, err := runfiles.ReadManifest(c.want + ".run.json")
		if err != nil || m.Name != c.want || m.Model != "mobilenetv2-12-int8" {
			t.Errorf("%s.run.json: name %q, model %q, %v", c.want, m.Name, m.Model, err)
		}
		// Where ONNX Runtime placed the nodes: all on the CPU provider.
		if m.Device != "cpu" || m.ExecutionProvider != "CPUExecutionProvider" || m.Nodes == 0 || m.CPUNodes != 0 {
			t.Errorf("%s.run.json: device %q, execution provider %q, %d nodes, %d left to the CPU", c.want, m.Device, m.ExecutionProvider, m.Nodes, m.CPUNodes)
		}
	}
	if err := invoke(context.Background(), "run", []string{"--images", images, "--limit", "8", "--quiet", "--name", ".hidden"}); err == nil {
		t.Error("a name starting with a dot was accepted")
	}
}

func TestRunCommandRecordsBadImages(t *testing.T) {
	ortLibrary(t)
	src := shareddata.Require(t, "images", "val_227")
	dir := t.TempDir()
	good := filepath.Join(src, "ILSVRC2012_val_00000347.JPEG")
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "ILSVRC2012_val_00000347.JPEG"), data, 0o644)
	os.WriteFile(filepath.Join(dir, "ILSVRC2012_val_00000001.JPEG"), data[:len(data)/2], 0o644)
	os.WriteFile(filepath.Join(dir, "ILSVRC2012_val_00000002.JPEG"), []byte("not an image"), 0o644)
	out := filepath.Join(dir, "out", "preds.csv")
	err = invoke(context.Background(), "run", []string{"--images", dir, "--quiet", "-o", out})
	if !errors.Is(err, cli.ErrIncomplete) || !strings.Contains(err.Error(), "2 of 3") {
		t.Fatalf("err = %v, want incomplete with 2 of 3 failed", err)
	}
	if lines := readLines(t, out); len(lines) != 2 || !strings.HasPrefix(lines[1], "ILSVRC2012_val_00000347.JPEG,") {
		t.Fatalf("predictions %q", lines)
	}
	errs := readLines(t, runfiles.ErrorsPathFor(out))
	if len(errs) != 3 || !strings.HasPrefix(errs[1], "ILSVRC2012_val_00000001.JPEG,decode,") || !strings.HasPrefix(errs[2], "ILSVRC2012_val_00000002.JPEG,decode,") {
		t.Fatalf("errors file %q", errs)
	}
}

func TestRunCommandErrors(t *testing.T) {
	images := t.TempDir()
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no images flag", []string{}, "--images"},
		{"empty folder", []string{"--images", images}, "no image files"},
		{"bad device", []string{"--images", shareddata.Require(t, "images", "val_227"), "--device", "tpu", "-o", filepath.Join(images, "p.csv")}, `device "tpu"`},
		{"bad topk", []string{"--images", images, "--topk", "0"}, "--topk"},
		{"shard out of range", []string{"--images", images, "--shard", "3/3"}, "shard number must be 0 to 2"},
		{"shard syntax", []string{"--images", images, "--shard", "1:3"}, "want i/n"},
		{"missing library", []string{"--images", shareddata.Require(t, "images", "val_227"), "--ort-lib", "/nonexistent/libonnxruntime.so", "-o", filepath.Join(images, "p.csv")}, "bash scripts/setup.sh"},
		{"unknown model", []string{"--images", shareddata.Require(t, "images", "val_227"), "--model", "resnet9000", "-o", filepath.Join(images, "p.csv")}, "not a known model"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := invoke(context.Background(), "run", tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}

		})
	}
}

// TestRunCommandNamesSetUpForModelNotFetched: the library says a
// registered model is not installed; the command adds which command
// fetches it.
func TestRunCommandNamesSetUpForModelNotFetched(t *testing.T) {
	t.Setenv(datahome.EnvVar, t.TempDir())
	t.Setenv(datahome.MirrorEnvVar, t.TempDir())
	err := invoke(context.Background(), "run", []string{"--images", shareddata.Require(t, "images", "val_227"),
		"--model", "shufflenet-v2-12-qdq", "-o", filepath.Join(t.TempDir(), "p.csv")})
	if err == nil || !strings.Contains(err.Error(), "not installed: file shufflenet-v2-12-qdq.onnx not found") ||
		!strings.Contains(err.Error(), "`imagenetx setup --models shufflenet-v2-12-qdq` fetches it") {
		t.Fatalf("err = %v, want the missing file and the set-up command", err)
	}
}

func TestAuditCommand(t *testing.T) {
	ortLibrary(t)
	images := shareddata.Require(t, "images", "val_227")
	annotations := shareddata.Require(t, "annotations")
	outDir := filepath.Join(t.TempDir(), "audit")
	var stdout bytes.Buffer
	args := []string{"--model", "mobilenetv2-12-int8", "--images", images, "--annotations", annotations, "--quiet", "-o", outDir}
	if err := invokeTo(context.Background(), "audit", args, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	if lines := readLines(t, filepath.Join(outDir, "mobilenetv2-12-int8.predictions.csv")); len(lines) != 1301 {
		t.Fatalf("%d prediction lines", len(lines))
	}
	factors := readLines(t, filepath.Join(outDir, "factors.csv"))
	if len(factors) != 2 || !strings.HasPrefix(factors[0], "model,pose,background") || !strings.HasPrefix(factors[1], "mobilenetv2-12-int8,") {
		t.Fatalf("factors.csv %q", factors)
	}
	for _, want := range []string{"mobilenetv2-12-int8: top-1 1038/1300 = 0.7985", "factors clearly harder than average (error ratio's 95% interval above 1, at least 30 images; over the 1182 annotated images):", "| mobilenetv2-12-int8 |"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout.String())
		}
	}
	// The report leads with the same top-1, over every labelled image.
	page, err := os.ReadFile(filepath.Join(outDir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `<span class="label">top-1</span><span class="value">79.85%</span>`; !strings.Contains(string(page), want) {
		t.Errorf("report lacks %q", want)
	}
}

// TestRunShardResume resumes a cut-short shard: the result equals the
// shard run uninterrupted, and resuming as another shard is refused.
func TestRunShardResume(t *testing.T) {
	ortLibrary(t)
	images := shareddata.Require(t, "images", "val_227")
	dir := t.TempDir()
	args := func(out string, extra ...string) []string {
		return append([]string{"--images", images, "--limit", "60", "--batch", "4", "--quiet", "--shard", "1/2", "-o", out}, extra...)
	}
	ref, cut := filepath.Join(dir, "ref.csv"), filepath.Join(dir, "cut.csv")
	if err := invoke(context.Background(), "run", args(ref)); err != nil {
		t.Fatal(err)
	}
	want := readLines(t, ref)
	if len(want) < 15 || len(want) > 45 {
		t.Fatalf("shard 1/2 of 60 images has %d rows", len(want)-1)
	}
	// An interrupted run: its first 9 rows and a torn tenth.
	if err := invoke(context.Background(), "run", args(cut)); err != nil {
		t.Fatal(err)
	}
	torn := strings.Join(want[:10], "\n") + "\n" + want[10][:8]
	if err := os.WriteFile(cut, []byte(torn), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := invoke(context.Background(), "run", args(cut, "--resume")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(cut); string(got) != strings.Join(want, "\n")+"\n" {
		t.Fatal("resumed shard differs from the uninterrupted one")
	}
	other := []string{"--images", images, "--limit", "60", "--batch", "4", "--quiet", "--shard", "0/2", "--resume", "-o", cut}
	if err := invoke(context.Background(), "run", other); err == nil || !strings.Contains(err.Error(), "different settings") {
		t.Fatalf("resume as another shard: %v", err)
	}
}
