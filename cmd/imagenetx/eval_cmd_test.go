package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	for _, args := range [][]string{
		{"eval", "--annotations", ann, "--predictions", bad, "-o", out},
		{"eval", "--annotations", ann, "--predictions", dir + "/missing.csv", "-o", out},
		{"eval", "--annotations", ann, "--predictions", t.TempDir(), "-o", out},
		{"eval", "--annotations", ann, "--predictions", bad, "--error-type", "nope", "-o", out},
	} {
		if code := realMain(args); code != 1 {
			t.Errorf("%q: exit %d, want 1", args, code)
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
