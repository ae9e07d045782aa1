package predictions

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unicode"
)

// FileSuffix ends the name of a predictions file named after its model,
// NAME.predictions.csv, as imagenetx's writers name them (an audit's
// folder, run's default output, a sweep's strengths): readers take NAME as
// the model's name, so that two models' files go side by side into one
// command with no renaming.
const FileSuffix = ".predictions.csv"

// FileName is the predictions file named after the model name:
// NAME.predictions.csv.
func FileName(name string) string { return name + FileSuffix }

// ModelName is the model a predictions file at path is named for: NAME for
// NAME.predictions.csv, otherwise the file's stem (the reference toolkit's
// rule: ResNet50.csv is ResNet50).
func ModelName(path string) string {
	base := filepath.Base(path)
	if name, ok := strings.CutSuffix(base, FileSuffix); ok && name != "" {
		return name
	}
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// NamedFiles are the files among paths that are named after their model
// (NAME.predictions.csv): in a folder that holds any, these are its
// predictions, and its other CSV files (factor tables, errors files) are
// not.
func NamedFiles(paths []string) []string {
	var out []string
	for _, p := range paths {
		if base := filepath.Base(p); strings.HasSuffix(base, FileSuffix) && base != FileSuffix {
			out = append(out, p)
		}
	}
	return out
}

// CheckName reports why name cannot name a model's files: a name becomes
// a file name (NAME.predictions.csv) and a column of every table, so it is
// not empty, holds no path separator, control character or comma, and does
// not start with a dot.
func CheckName(name string) error {
	switch {
	case name == "":
		return errors.New("a model name must not be empty")
	case strings.HasPrefix(name, "."):
		return fmt.Errorf("model name %q: must not start with a dot", name)
	case strings.ContainsAny(name, `/\,`):
		return fmt.Errorf("model name %q: must not contain '/', '\\' or ','", name)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return fmt.Errorf("model name %q: must not contain control characters", name)
	}
	return nil
}
