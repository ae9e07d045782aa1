package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestFullDiskFailsAndResumes runs imagenetx under a file-size limit (a
// full disk as the process sees it, without mounting anything: writes past
// the limit fail with EFBIG): the run must fail with an error naming the
// predictions file it was writing (its partial file), leave a clean prefix
// there, and a later --resume must finish with output identical to an
// uninterrupted run.
func TestFullDiskFailsAndResumes(t *testing.T) {
	fx := newCrashFixture(t)
	wantP, wantE, _ := fx.reference(t)
	out := filepath.Join(t.TempDir(), "preds.csv")
	// 8 blocks (4 or 8 KiB, depending on the shell) hold about a third of
	// the 13 KiB of predictions.
	args := append([]string{"-c", `ulimit -f 8 && exec "$0" "$@"`, imagenetxBinary(t)}, fx.args...)
	cmd := exec.Command("/bin/sh", append(args, "-o", out)...)
	stderr, err := cmd.CombinedOutput()
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 1 {
		t.Fatalf("run on a full disk: %v, want exit status 1\n%s", err, stderr)
	}
	if msg := string(stderr); !strings.Contains(msg, "write "+out) || !strings.Contains(msg, "file too large") {
		t.Fatalf("the error does not name the file and the cause:\n%s", msg)
	}
	mustNotExist(t, out) // never put in place unfinished
	gotP, gotE := readPartial(t, out)
	if len(gotP) >= len(wantP) {
		t.Fatalf("the size limit did not cut the predictions (%d bytes)", len(gotP))
	}
	checkPrefix(t, "predictions left by the failed run", gotP, wantP)
	checkPrefix(t, "errors left by the failed run", gotE, wantE)

	r := startBinary(t, append(fx.args, "-o", out, "--resume")...)
	if rc := r.wait(); rc != fx.complete {
		t.Fatalf("resume after the disk was freed: exit status %d\n%s", rc, &r.stderr)
	}
	if gotP, gotE := readOutputs(t, out); gotP != wantP || gotE != wantE {
		t.Fatal("resumed output differs from an uninterrupted run")
	}
}

// TestUnwritableOutputFails points the outputs where nothing can be
// written (tests run as root, so permissions would not stop them: a path
// below a regular file, a folder in place of the file): a clear error
// naming the path and exit status 1, never a success.
func TestUnwritableOutputFails(t *testing.T) {
	fx := newCrashFixture(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "preds-folder.csv")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good", "preds.csv")
	tests := []struct {
		name     string
		args     []string
		wantPath string
		wantErr  string
	}{
		{"output folder is a file", []string{"-o", filepath.Join(file, "preds.csv")}, file, "not a directory"},
		{"output is a folder", []string{"-o", folder}, folder, "is a directory"},
		{"errors folder is a file", []string{"-o", good, "--errors", filepath.Join(file, "errors.csv")}, filepath.Join(file, "errors.csv"), "not a directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := startBinary(t, append(fx.args, tc.args...)...)
			rc := p.wait()
			msg := p.stderr.String()
			if rc != 1 || !strings.Contains(msg, tc.wantPath) || !strings.Contains(msg, tc.wantErr) {
				t.Fatalf("exit status %d, want 1 with %q and %q:\n%s", rc, tc.wantPath, tc.wantErr, msg)
			}
		})
	}
}
