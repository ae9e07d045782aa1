package runfiles

import (
	"errors"
	"os"
	"path/filepath"
)

// ImageFailure is one row of a run's errors file: an image that failed,
// the stage that failed and why.
type ImageFailure struct {
	File, Stage, Reason string
}

// ReadErrors streams the rows of an errors file to fn, in file order,
// stopping at fn's first error. A torn last line (a run killed mid-write)
// is left out, as Resume leaves it out; any other malformed row is an
// error naming the file and line.
func ReadErrors(path string, fn func(ImageFailure) error) error {
	return readCompleteRows(path, ErrorsHeader, "not an imagenetx errors file?", func(rec []string) error {
		return fn(ImageFailure{File: rec[0], Stage: rec[1], Reason: rec[2]})
	})
}

// ErrorsBeside returns the errors file that goes with a predictions file
// in either layout (FILE.errors.csv beside FILE, or errors.csv beside an
// output folder's predictions.csv), or "" when there is none: a run whose
// every image succeeded writes no errors file.
func ErrorsBeside(predsPath string) (string, error) {
	candidates := []string{ErrorsPathFor(predsPath)}
	if filepath.Base(predsPath) == PredictionsFile {
		candidates = append([]string{filepath.Join(filepath.Dir(predsPath), ErrorsFile)}, candidates...)
	}
	for _, p := range candidates {
		st, err := os.Stat(p)
		switch {
		case err == nil && st.Mode().IsRegular():
			return p, nil
		case err != nil && !errors.Is(err, os.ErrNotExist):
			return "", err
		}
	}
	return "", nil
}
