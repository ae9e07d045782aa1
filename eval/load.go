package eval

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// PredictionSource is one model's predictions file.
type PredictionSource struct {
	Model string
	Path  string
}

// ExpandPredictionPaths turns files and directories into sources: a
// directory means every *.csv in it, one model each, named by file stem, as
// the reference's load_model_predictions does.
func ExpandPredictionPaths(paths []string) ([]PredictionSource, error) {
	var out []PredictionSource
	seen := map[string]string{}
	add := func(path string) error {
		model := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		if prev, dup := seen[model]; dup {
			return fmt.Errorf("model %q given twice (%s and %s)", model, prev, path)
		}
		seen[model] = path
		out = append(out, PredictionSource{Model: model, Path: path})
		return nil
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			if err := add(p); err != nil {
				return nil, err
			}
			continue
		}
		files, err := filepath.Glob(filepath.Join(p, "*.csv"))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: no *.csv prediction files", p)
		}
		sort.Strings(files)
		for _, f := range files {
			if err := add(f); err != nil {
				return nil, err
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no predictions given")
	}
	return out, nil
}

// LoadPredictions reads the sources into acc, parsing files in parallel.
// The first error (naming file and line) is returned.
func LoadPredictions(acc *Accumulator, sources []PredictionSource) error {
	errs := make([]error, len(sources))
	var wg sync.WaitGroup
	for i, s := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = acc.AddFile(s.Model, s.Path)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
