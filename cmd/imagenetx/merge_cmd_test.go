package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/imagenetx/imagenetx/internal/cli"
	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/runfiles"
)

// builtBinary is the imagenetx binary the tests run as separate processes,
// built once on first use into a folder TestMain removes.
var builtBinary struct {
	once      sync.Once
	dir, path string
	err       error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBinary.dir != "" {
		os.RemoveAll(builtBinary.dir)
	}
	os.Exit(code)
}

// imagenetxBinary builds this package into a temporary folder (once).
func imagenetxBinary(t *testing.T) string {
	t.Helper()
	b := &builtBinary
	b.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		if b.dir, b.err = os.MkdirTemp("", "imagenetx-bin-"); b.err != nil {
			return
		}
		b.path = filepath.Join(b.dir, "imagenetx")
		out, err := exec.Command(goTool, "build", "-o", b.path, ".").CombinedOutput()
		if err != nil {
			b.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// runProcesses runs the binary once per argument list, concurrently, and
// returns each process's exit error and stderr.
func runProcesses(t *testing.T, argLists [][]string) ([]error, []string) {
	t.Helper()
	bin := imagenetxBinary(t)
	errs, stderr := make([]error, len(argLists)), make([]string, len(argLists))
	var wg sync.WaitGroup
	for i, args := range argLists {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			cmd := exec.Command(bin, args...)
			cmd.Stderr = &buf
			errs[i], stderr[i] = cmd.Run(), buf.String()
		}()
	}
	wg.Wait()
	return errs, stderr
}

func mustEqualFiles(t *testing.T, got, want string) {
	t.Helper()
	g, err1 := os.ReadFile(got)
	w, err2 := os.ReadFile(want)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g, w) {
		t.Fatalf("%s (%d bytes) differs from %s (%d bytes)", got, len(g), want, len(w))
	}
}

func mustNotExist(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s exists (%v)", path, err)
	}
}

// realRunArgs are the arguments of a small real run writing to out.
func realRunArgs(t *testing.T, images, out string, extra ...string) []string {
	t.Helper()
	lib := ortLibrary(t)
	model := shareddata.Require(t, "models", "mobilenetv2-12-int8.onnx")
	args := []string{"run", "--images", images, "--model", model, "--ort-lib", lib, "--batch", "8", "--topk", "5",
		"--workers", "1", "--threads", "1", "--quiet", "-o", out}
	return append(args, extra...)
}

// TestMergeOfShardProcessesMatchesSingleRun runs 3 shards of a real model
// as separate processes and checks that their merge is byte-identical to
// one unsharded run: predictions and run.json.
func TestMergeOfShardProcessesMatchesSingleRun(t *testing.T) {
	ortLibrary(t)
	images := shareddata.Require(t, "images", "val_227")
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.csv")
	argLists := [][]string{realRunArgs(t, images, whole, "--limit", "200")}
	var shards []string
	for i := 0; i < 3; i++ {
		p := filepath.Join(dir, fmt.Sprintf("shard%d", i), "preds.csv")
		shards = append(shards, p)
		argLists = append(argLists, realRunArgs(t, images, p, "--limit", "200", "--shard", fmt.Sprintf("%d/3", i)))
	}
	errs, stderr := runProcesses(t, argLists)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("process %d (%q): %v\n%s", i, argLists[i], err, stderr[i])
		}
	}
	total := 0
	for i, p := range shards {
		n := len(readLines(t, p)) - 1
		if n < 40 || n > 95 {
			t.Errorf("shard %d/3 has %d of 200 images", i, n)
		}
		total += n
		if !strings.Contains(stderr[i+1], fmt.Sprintf("(shard %d/3 of 200)", i)) || !strings.Contains(stderr[i+1], "busy: preprocessing workers") {
			t.Errorf("shard %d summary:\n%s", i, stderr[i+1])
		}
	}
	if total != 200 {
		t.Fatalf("shards hold %d images, want 200", total)
	}
	merged := filepath.Join(dir, "merged", "preds.csv")
	// Shards in any order on the command line.
	if err := invoke(context.Background(), "merge", []string{shards[2], shards[0], shards[1], "-o", merged}); err != nil {
		t.Fatal(err)
	}
	mustEqualFiles(t, merged, whole)
	mustEqualFiles(t, merged+".run.json", whole+".run.json")
	mustNotExist(t, runfiles.ErrorsPathFor(merged))
}

// TestMergeCarriesErrorsFiles shards a folder with broken images and checks
// that the merged predictions and errors files equal an unsharded run's.
func TestMergeCarriesErrorsFiles(t *testing.T) {
	ortLibrary(t)
	src := shareddata.Require(t, "images", "val_227")
	images := t.TempDir()
	data, err := os.ReadFile(filepath.Join(src, "ILSVRC2012_val_00000347.JPEG"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 16; i++ {
		body := data
		switch i % 5 {
		case 0:
			body = data[:len(data)/3] // truncated
		case 3:
			body = []byte("not an image")
		}
		name := fmt.Sprintf("ILSVRC2012_val_%08d.JPEG", i)
		if err := os.WriteFile(filepath.Join(images, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.csv")
	argLists := [][]string{realRunArgs(t, images, whole)}
	var shards []string
	for i := 0; i < 2; i++ {
		p := filepath.Join(dir, fmt.Sprintf("p%d.csv", i))
		shards = append(shards, p)
		argLists = append(argLists, realRunArgs(t, images, p, "--shard", fmt.Sprintf("%d/2", i)))
	}
	errs, stderr := runProcesses(t, argLists)
	for i, err := range errs {
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 3 {
			t.Fatalf("process %d: %v, want exit status 3 (incomplete)\n%s", i, err, stderr[i])
		}
	}
	merged := filepath.Join(dir, "merged.csv")
	err = invoke(context.Background(), "merge", []string{shards[0], shards[1], "-o", merged})
	if !errors.Is(err, cli.ErrIncomplete) || !strings.Contains(err.Error(), "6 of 16 images failed") {
		t.Fatalf("merge: %v, want incomplete with 6 of 16 failed", err)
	}
	mustEqualFiles(t, merged, whole)
	mustEqualFiles(t, runfiles.ErrorsPathFor(merged), runfiles.ErrorsPathFor(whole))
	mustEqualFiles(t, merged+".run.json", whole+".run.json")
}

// TestMergeArguments: merge needs shards and -o.
func TestMergeArguments(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no output", []string{"a.csv", "b.csv"}, "-o FILE"},
		{"no shards", []string{"-o", filepath.Join(t.TempDir(), "m.csv")}, "SHARD... is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := invoke(context.Background(), "merge", tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("merge: %v, want an error with %q", err, tc.wantErr)
			}
		})
	}
}

// TestMergeAuditShardFolders merges the output folders of `audit --shard`
// and compares with an unsharded audit's predictions and run.json.
func TestMergeAuditShardFolders(t *testing.T) {
	ortLibrary(t)
	images := shareddata.Require(t, "images", "val_227")
	annotations := shareddata.Require(t, "annotations")
	dir := t.TempDir()
	auditTo := func(out string, sh runfiles.ShardSpec, models ...string) {
		args := []string{"--images", images, "--annotations", annotations, "--limit", "90", "--quiet", "--shard", sh.String(), "-o", out}
		if len(models) == 0 {
			models = []string{"mobilenetv2-12-int8"}
		}
		for _, m := range models {
			args = append(args, "--model", m)
		}
		if err := invoke(context.Background(), "audit", args); err != nil {
			t.Fatal(err)
		}
	}
	auditTo(filepath.Join(dir, "whole"), runfiles.Whole)
	auditTo(filepath.Join(dir, "s0"), runfiles.ShardSpec{Index: 0, Count: 2})
	auditTo(filepath.Join(dir, "s1"), runfiles.ShardSpec{Index: 1, Count: 2})
	merged := filepath.Join(dir, "merged.csv")
	must(t, invoke(context.Background(), "merge", []string{"-o", merged, filepath.Join(dir, "s1"), filepath.Join(dir, "s0")}))
	mustEqualFiles(t, merged, filepath.Join(dir, "whole", "mobilenetv2-12-int8.predictions.csv"))
	mustEqualFiles(t, merged+".run.json", filepath.Join(dir, "whole", "mobilenetv2-12-int8.run.json"))

	// An audit of two models in one pass, sharded, merges into a folder
	// with each model's files as the unsharded pass wrote them.
	two := []string{"mobilenetv2-12-int8", shareddata.Require(t, "models", "shufflenet-v2-12-qdq.onnx")}
	auditTo(filepath.Join(dir, "two"), runfiles.Whole, two...)
	auditTo(filepath.Join(dir, "two0"), runfiles.ShardSpec{Index: 0, Count: 2}, two...)
	auditTo(filepath.Join(dir, "two1"), runfiles.ShardSpec{Index: 1, Count: 2}, two...)
	into := filepath.Join(dir, "two_merged")
	must(t, invoke(context.Background(), "merge", []string{"-o", into, filepath.Join(dir, "two0"), filepath.Join(dir, "two1")}))
	for _, name := range []string{"mobilenetv2-12-int8", "shufflenet-v2-12-qdq"} {
		for _, f := range []string{name + ".predictions.csv", name + ".run.json"} {
			mustEqualFiles(t, filepath.Join(into, f), filepath.Join(dir, "two", f))
		}
	}
	// One model's file cannot stand for a folder of two.
	if err := invoke(context.Background(), "merge", []string{"-o", filepath.Join(dir, "x.csv"), filepath.Join(dir, "two0"), filepath.Join(dir, "two1")}); err == nil ||
		!strings.Contains(err.Error(), "holds the runs of 2 models") {
		t.Fatalf("merging folders of two models into one file: %v", err)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
