package runfiles

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLockCoversTheFileNotTheName: two runs whose outputs are one file
// under two names (a link to the predictions file, or a shared errors
// file, default or named) exclude each other; runs whose files are all
// distinct do not.
func TestLockCoversTheFileNotTheName(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	if err := os.WriteFile(p("t3.csv"), []byte("file_name,predicted_class,predicted_probability\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("t3.csv", p("alias3.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("e.csv", p("alias-e.csv")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		first, then Outputs
		conflict    bool
	}{
		{"link to the predictions file", ForFile(p("t3.csv"), ""), ForFile(p("alias3.csv"), ""), true},
		{"the predictions file through the link first", ForFile(p("alias3.csv"), ""), ForFile(p("t3.csv"), ""), true},
		{"one errors file for two runs", ForFile(p("a.csv"), p("e.csv")), ForFile(p("b.csv"), p("e.csv")), true},
		{"one errors file, through a link", ForFile(p("a.csv"), p("e.csv")), ForFile(p("b.csv"), p("alias-e.csv")), true},
		{"a run's errors file is another's predictions", ForFile(p("a.csv"), p("e.csv")), ForFile(p("e.csv"), ""), true},
		{"distinct files", ForFile(p("a.csv"), ""), ForFile(p("b.csv"), ""), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			first, err := Lock(tc.first)
			if err != nil {
				t.Fatal(err)
			}
			defer first.Unlock()
			second, err := Lock(tc.then)
			if tc.conflict {
				if !errors.Is(err, ErrLocked) {
					t.Fatalf("second lock: %v, want ErrLocked", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("second lock: %v", err)
			}
			second.Unlock()
		})
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".lock") {
			t.Errorf("lock file %s left after Unlock", e.Name())
		}
	}
}

// TestCheckDistinctRefusesOneFileTwice: two outputs of one command that are
// one file, by name, through a link, as hard links or as one's partial
// file, are refused with ErrSameFile; distinct ones and devices are not.
func TestCheckDistinctRefusesOneFileTwice(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	if err := os.WriteFile(p("x.csv"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("x.csv", p("link.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(p("x.csv"), p("hard.csv")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		o    Outputs
		same bool
	}{
		{"predictions and errors one name", ForFile(p("x.csv"), p("x.csv")), true},
		{"errors through a link to the predictions", ForFile(p("x.csv"), p("link.csv")), true},
		{"errors a hard link of the predictions", ForFile(p("x.csv"), p("hard.csv")), true},
		{"errors the predictions' run.json", ForFile(p("y.csv"), p("y.csv.run.json")), true},
		{"errors the predictions' partial file", ForFile(p("y.csv"), p("y.csv"+PartialSuffix)), true},
		{"missing predictions and errors one name", ForFile(p("new.csv"), p("./new.csv")), true},
		{"distinct", ForFile(p("x.csv"), p("x.errors.csv")), false},
		{"predictions on a device, errors on another", ForFile(os.DevNull, os.DevNull), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.o.Check()
			if tc.same != errors.Is(err, ErrSameFile) {
				t.Fatalf("Check(%+v) = %v; want ErrSameFile %v", tc.o, err, tc.same)
			}
			if tc.same && !strings.Contains(err.Error(), tc.o.Predictions) {
				t.Fatalf("the error does not name the files: %v", err)
			}
		})
	}
}

// TestCheckRefusesUnwritableOutputs: outputs that cannot be written are
// refused by Check, before anything is made.
func TestCheckRefusesUnwritableOutputs(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	if err := os.Mkdir(p("outdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("outdir", p("dirlink")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("missing/x.csv", p("dangling.csv")); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{p("outdir"), p("outdir") + "/", p("dirlink"), p("dangling.csv")} {
		t.Run(filepath.Base(out), func(t *testing.T) {
			err := ForFile(out, "").Check()
			if err == nil || !strings.Contains(err.Error(), out) {
				t.Fatalf("Check(%s) = %v, want an error naming it", out, err)
			}
		})
	}
	before, _ := os.ReadDir(dir)
	if len(before) != 3 {
		t.Fatalf("Check made files: %v", before)
	}
}

// TestPromoteReplacesTheFinishedFiles: a finished run's partial files take
// the place of the previous run's, keeping their mode; a stale errors file
// goes when the new run had no failure; Discard removes partial files only.
func TestPromoteReplacesTheFinishedFiles(t *testing.T) {
	dir := t.TempDir()
	o := ForFile(filepath.Join(dir, "done.csv"), "")
	for path, content := range map[string]string{o.Predictions: "old preds\n", o.Errors: "old errors\n", o.Manifest: "{}\n"} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w, err := o.Work(false)
	if err != nil {
		t.Fatal(err)
	}
	if w.Predictions != o.Predictions+PartialSuffix || w.Errors != o.Errors+PartialSuffix || w.Manifest != o.Manifest+PartialSuffix {
		t.Fatalf("partial files %+v of %+v", w, o)
	}
	if err := os.WriteFile(w.Predictions, []byte("new preds\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(w.Manifest, []byte(`{"name":"new"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if r, err := o.Work(true); err != nil || r != w {
		t.Fatalf("resume works on %+v, %v; want the partial files %+v", r, err, w)
	}
	if err := Promote(w, o); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(o.Predictions); string(b) != "new preds\n" {
		t.Fatalf("predictions after Promote: %q", b)
	}
	if st, err := os.Stat(o.Predictions); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the predictions file's mode: %v %v, want 0600 kept", st.Mode(), err)
	}
	if _, err := os.Stat(o.Errors); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stale errors file after a run with no failure: %v", err)
	}
	for _, f := range []string{w.Predictions, w.Errors, w.Manifest} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("partial file %s left: %v", f, err)
		}
	}
	// A run that wrote nothing discards its partial files, and only them.
	if err := os.WriteFile(w.Manifest, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Discard(w, o); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(w.Manifest); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("Discard left the partial run.json")
	}
	if _, err := os.Stat(o.Manifest); err != nil {
		t.Fatalf("Discard removed the finished run.json: %v", err)
	}
}
