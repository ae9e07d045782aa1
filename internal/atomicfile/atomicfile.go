// Package atomicfile writes output files so that a reader never sees a
// half-written one: data goes to a temporary file in the same directory,
// which is synced and renamed over the target only on Commit.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// File is an output file in the making.
type File struct {
	*os.File
	path string
	done bool
}

// Create starts writing path.
func Create(path string) (*File, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return &File{File: tmp, path: path}, nil
}

// Commit flushes the data to disk and puts the file in place.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("%s: already closed", f.path)
	}
	f.done = true
	tmp := f.Name()
	if err := f.Sync(); err != nil {
		f.File.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	if err := f.File.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	if err := os.Rename(tmp, f.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	return nil
}

// Abort discards the file; it is a no-op after Commit, so it can be deferred.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.File.Close()
	os.Remove(f.Name())
}

// WriteFile writes data produced by fill to path atomically.
func WriteFile(path string, fill func(w *os.File) error) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := fill(f.File); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}
