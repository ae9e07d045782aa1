package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFileReplacesOnlyOnSuccess(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	failure := errors.New("half-way failure")
	err := WriteFile(path, func(f *os.File) error {
		f.WriteString("partial")
		return failure
	})
	if !errors.Is(err, failure) {
		t.Fatalf("err = %v, want the fill error", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("failed write changed the file to %q", b)
	}
	if err := WriteFile(path, func(f *os.File) error { _, err := f.WriteString("new"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("file holds %q, want new", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestCreateInMissingDirectoryNamesPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "out.csv")
	_, err := Create(path)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want not-exist", err)
	}
	if got := err.Error(); !strings.Contains(got, path) {
		t.Errorf("error %q does not name %s", got, path)
	}
}

func TestAbortAfterCommitIsNoOp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("data")
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	f.Abort()
	if b, _ := os.ReadFile(path); string(b) != "data" {
		t.Errorf("got %q", b)
	}
	if err := f.Commit(); err == nil {
		t.Error("second Commit succeeded")
	}
}
