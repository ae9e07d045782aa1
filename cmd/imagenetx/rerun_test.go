package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/runfiles"
)

// finishedRun copies an uninterrupted run's three files into a new folder
// as done.csv, done.errors.csv and done.csv.run.json, and returns the
// predictions path and each file's bytes.
func finishedRun(t *testing.T, fx crashFixture) (string, map[string][]byte) {
	t.Helper()
	src := filepath.Join(t.TempDir(), "done.csv")
	p := startBinary(t, append(fx.args, "-o", src)...)
	if rc := p.wait(); rc != fx.complete {
		t.Fatalf("uninterrupted run: exit status %d\n%s", rc, &p.stderr)
	}
	dst := filepath.Join(t.TempDir(), "done.csv")
	o, so := runfiles.ForFile(dst, ""), runfiles.ForFile(src, "")
	files := map[string][]byte{}
	for i, f := range []string{o.Predictions, o.Errors, o.Manifest} {
		b, err := os.ReadFile([]string{so.Predictions, so.Errors, so.Manifest}[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files[f] = b
	}
	return dst, files
}

// mustBeUnchanged fails unless every file holds exactly its bytes.
func mustBeUnchanged(t *testing.T, label string, files map[string][]byte) {
	t.Helper()
	for path, want := range files {
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: %s changed (%d bytes, want %d; %v)", label, path, len(got), len(want), err)
		}
	}
}

// TestRerunKeepsTheFinishedFilesUntilComplete starts a run, without
// --resume, over a finished run's files and stops it: by SIGINT, and on a
// full disk (a file-size limit). The finished predictions, errors file and
// run.json must stay byte for byte as they were, the stopped run's rows
// must be in its partial files, and --resume must complete from those and
// only then replace the finished files, leaving no partial file behind.
func TestRerunKeepsTheFinishedFilesUntilComplete(t *testing.T) {
	fx := newCrashFixture(t)
	wantP, wantE, took := fx.reference(t)
	stops := []struct {
		name string
		stop func(t *testing.T, out string) string
	}{
		{"SIGINT", func(t *testing.T, out string) string {
			p := startBinary(t, append(fx.args, "-o", out)...)
			if sent, _ := p.signalAfter(t, took/3, syscall.SIGINT); !sent {
				t.Fatal("the run finished before SIGINT")
			}
			if rc := p.wait(); rc != 130 {
				t.Fatalf("exit status %d, want 130\n%s", rc, &p.stderr)
			}
			return p.stderr.String()
		}},
		{"full disk", func(t *testing.T, out string) string {
			args := append([]string{"-c", `ulimit -f 8 && exec "$0" "$@"`, imagenetxBinary(t)}, fx.args...)
			cmd := exec.Command("/bin/sh", append(args, "-o", out)...)
			msg, _ := cmd.CombinedOutput()
			if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 1 {
				t.Fatalf("run on a full disk: want exit status 1\n%s", msg)
			}
			return string(msg)
		}},
	}
	for _, s := range stops {
		t.Run(s.name, func(t *testing.T) {
			out, files := finishedRun(t, fx)
			msg := s.stop(t, out)
			mustBeUnchanged(t, "after the stopped re-run", files)
			partial := out + runfiles.PartialSuffix
			gotP, gotE := readPartial(t, out)
			if strings.Count(gotP, "\n") < 2 {
				t.Fatalf("the stopped run left no rows in %s:\n%s", partial, msg)
			}
			checkPrefix(t, "partial predictions", gotP, wantP)
			checkPrefix(t, "partial errors", gotE, wantE)
			if !strings.Contains(msg, partial) && s.name == "SIGINT" {
				t.Errorf("the message does not say where the partial files are:\n%s", msg)
			}
			r := startBinary(t, append(fx.args, "-o", out, "--resume")...)
			if rc := r.wait(); rc != fx.complete {
				t.Fatalf("resume: exit status %d\n%s", rc, &r.stderr)
			}
			if gotP, gotE := readOutputs(t, out); gotP != wantP || gotE != wantE {
				t.Fatal("the resumed run's files differ from an uninterrupted run's")
			}
			for f := range files {
				mustNotExist(t, f+runfiles.PartialSuffix)
			}
		})
	}
}

// readPartial reads the partial predictions and errors files a stopped run
// left beside preds.
func readPartial(t *testing.T, preds string) (string, string) {
	t.Helper()
	var out [2]string
	for i, p := range []string{preds, runfiles.ErrorsPathFor(preds)} {
		b, err := os.ReadFile(p + runfiles.PartialSuffix)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		out[i] = string(b)
	}
	return out[0], out[1]
}

// TestOutputsThatAreOneFileAreAUsageError: `run -o X --errors X`, or the
// errors file a link to the predictions file, or merge's -o and --errors
// one file, is refused with exit status 2 and nothing is written.
func TestOutputsThatAreOneFileAreAUsageError(t *testing.T) {
	lib := ortLibrary(t)
	images := shareddata.Require(t, "images", "val_227")
	model := shareddata.Require(t, "models", "mobilenetv2-12-int8.onnx")
	dir := t.TempDir()
	x := filepath.Join(dir, "x.csv")
	if err := os.Symlink("x.csv", filepath.Join(dir, "link.csv")); err != nil {
		t.Fatal(err)
	}
	run := []string{"--images", images, "--model", model, "--ort-lib", lib, "--limit", "4", "--quiet"}
	tests := []struct {
		name string
		args []string
	}{
		{"run -o X --errors X", append([]string{"run", "-o", x, "--errors", x}, run...)},
		{"run -o X --errors a link to X", append([]string{"run", "-o", x, "--errors", filepath.Join(dir, "link.csv")}, run...)},
		{"run --errors the run.json", append([]string{"run", "-o", x, "--errors", x + ".run.json"}, run...)},
		{"merge -o X --errors X", []string{"merge", "-o", x, "--errors", x, filepath.Join(dir, "shard.csv")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			err := execute(context.Background(), tc.args, &bytes.Buffer{}, &stderr)
			if rc := exitStatus(tc.args, err, &stderr); rc != 2 || !errors.Is(err, runfiles.ErrSameFile) {
				t.Fatalf("exit status %d (%v), want 2 for two outputs that are one file", rc, err)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Fatalf("files written: %v", entries)
			}
		})
	}
}

// TestFailedStartWritesNothing points -o where no predictions file can be
// made: a folder, "folder/", a link to a folder, a link dangling into a
// missing folder, and (run as an unprivileged user) a file that user may
// not write. Each run fails with exit status 1 naming the path, and
// nothing is written: no run.json, no partial file, no lock file.
func TestFailedStartWritesNothing(t *testing.T) {
	fx := newCrashFixture(t)
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	must(t, os.Mkdir(p("outdir"), 0o755))
	must(t, os.Symlink("outdir", p("dirlink")))
	must(t, os.Symlink("missing/x.csv", p("dangling.csv")))
	for _, out := range []string{p("outdir"), p("outdir") + "/", p("dirlink"), p("dangling.csv")} {
		t.Run(strings.TrimPrefix(out, dir), func(t *testing.T) {
			before := listTree(t, dir)
			r := startBinary(t, append(fx.args, "-o", out)...)
			if rc := r.wait(); rc != 1 || !strings.Contains(r.stderr.String(), out) {
				t.Fatalf("exit status %d, want 1 naming %s:\n%s", rc, out, &r.stderr)
			}
			if after := listTree(t, dir); after != before {
				t.Fatalf("a failed run wrote files:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	t.Run("a file the user may not write", func(t *testing.T) {
		// As root every file is writable: the run goes as nobody, in a
		// folder nobody may write but one file, read-only, in it.
		if os.Getuid() != 0 {
			t.Skip("needs root to run the binary as another user")
		}
		open, err := os.MkdirTemp("", "imagenetx-nobody-")
		must(t, err)
		t.Cleanup(func() { os.RemoveAll(open) })
		must(t, os.Chmod(open, 0o777))
		bin := filepath.Join(open, "imagenetx")
		data, err := os.ReadFile(imagenetxBinary(t))
		must(t, err)
		must(t, os.WriteFile(bin, data, 0o755))
		ro := filepath.Join(open, "out", "readonly.csv")
		must(t, os.Mkdir(filepath.Dir(ro), 0o777))
		must(t, os.WriteFile(ro, []byte("x\n"), 0o444))
		before := listTree(t, filepath.Dir(ro))
		cmd := exec.Command(bin, "run", "--images", dir, "-o", ro)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{}}}
		msg, _ := cmd.CombinedOutput()
		if rc := cmd.ProcessState.ExitCode(); rc != 1 || !strings.Contains(string(msg), ro) {
			t.Fatalf("exit status %d, want 1 naming %s:\n%s", rc, ro, msg)
		}
		if after := listTree(t, filepath.Dir(ro)); after != before {
			t.Fatalf("a failed run wrote files:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// listTree lists the names under dir, with their sizes, for comparison.
func listTree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		b.WriteString(strings.TrimPrefix(path, dir) + " " + info.ModTime().Format(time.RFC3339Nano) + "; ")
		return nil
	})
	must(t, err)
	return b.String()
}

// TestResumeRefusesChangedSettings finishes a small run, then resumes it
// with each setting that changes which images succeed or what they
// predict changed: every resume is refused, naming the run.json field;
// resuming with the same settings is accepted.
func TestResumeRefusesChangedSettings(t *testing.T) {
	images := shareddata.Require(t, "images", "val_227")
	out := filepath.Join(t.TempDir(), "p.csv")
	base := realRunArgs(t, images, out, "--limit", "8")
	p := startBinary(t, base...)
	if rc := p.wait(); rc != 0 {
		t.Fatalf("first run: exit status %d\n%s", rc, &p.stderr)
	}
	tests := []struct {
		change []string
		field  string
	}{
		{[]string{"--max-pixels", "1000"}, "max_pixels"},
		{[]string{"--strict-decode"}, "decode"},
		{[]string{"--fast-decode"}, "fast_decode"},
		{[]string{"--resize", "232"}, "resize_size"},
		{[]string{"--interpolation", "bicubic"}, "interpolation"},
		{[]string{"--variant", "brightness:factor=1.5"}, "variant"},
		{[]string{"--limit", "7"}, "images"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.change, " "), func(t *testing.T) {
			r := startBinary(t, append(append(append([]string{}, base...), "--resume"), tc.change...)...)
			if rc := r.wait(); rc != 1 || !strings.Contains(r.stderr.String(), tc.field+":") {
				t.Fatalf("resume with %v: exit status %d, want 1 naming %s\n%s", tc.change, rc, tc.field, &r.stderr)
			}
		})
	}
	r := startBinary(t, append(append([]string{}, base...), "--resume")...)
	if rc := r.wait(); rc != 0 {
		t.Fatalf("resume with the same settings: exit status %d\n%s", rc, &r.stderr)
	}
}

// TestRunJSONNamesTheModelAndItsSidecar copies a registry model as
// mymodel.onnx with a sidecar config beside it and runs it: the run says
// that the sidecar was applied, and run.json is one snake_case schema
// with its version, names the model mymodel (its stem), records the
// sidecar's path and the interpolation by name.
func TestRunJSONNamesTheModelAndItsSidecar(t *testing.T) {
	images := shareddata.Require(t, "images", "val_227")
	dir := t.TempDir()
	data, err := os.ReadFile(shareddata.Require(t, "models", "mobilenetv2-7.quant.onnx"))
	must(t, err)
	model := filepath.Join(dir, "mymodel.onnx")
	must(t, os.WriteFile(model, data, 0o644))
	sidecar := filepath.Join(dir, "mymodel.json")
	must(t, os.WriteFile(sidecar, []byte(`{"interpolation": "bicubic"}`), 0o644))
	out := filepath.Join(dir, "p.csv")
	args := realRunArgs(t, images, out, "--limit", "4")
	args[4] = model // --model's value
	p := startBinary(t, args...)
	if rc := p.wait(); rc != 0 {
		t.Fatalf("exit status %d\n%s", rc, &p.stderr)
	}
	if !strings.Contains(p.stderr.String(), "sidecar config "+sidecar+" applied") {
		t.Errorf("the sidecar is not announced:\n%s", &p.stderr)
	}
	text, err := os.ReadFile(runfiles.ForFile(out, "").Manifest)
	must(t, err)
	for _, want := range []string{`"version": 2`, `"name": "mymodel"`, `"model": "mymodel"`, `"sidecar": "` + sidecar + `"`, `"interpolation": "bicubic"`} {
		if !strings.Contains(string(text), want) {
			t.Errorf("run.json lacks %s:\n%s", want, text)
		}
	}
	for _, goStyle := range []string{"ResizeSize", "Interpolation", "CropPct"} {
		if strings.Contains(string(text), goStyle) {
			t.Errorf("run.json holds the Go-style key %s", goStyle)
		}
	}
}
