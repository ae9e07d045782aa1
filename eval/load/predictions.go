package load

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/predictions"
)

// Source is one model's predictions file.
type Source struct {
	Model string
	Path  string
}

// Sources turns files and directories into sources: a directory means
// every *.csv in it, one model each, named by file stem, as the
// reference's load_model_predictions does. A model name given twice is an
// error.
func Sources(paths []string) ([]Source, error) {
	var out []Source
	seen := map[string]string{}
	add := func(path string) error {
		model := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		if prev, dup := seen[model]; dup {
			return fmt.Errorf("model %q given twice (%s and %s)", model, prev, path)
		}
		seen[model] = path
		out = append(out, Source{Model: model, Path: path})
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

// Predictions streams the sources' files into acc, each as its own model,
// parsing up to GOMAXPROCS files at a time: memory stays bounded by what
// acc keeps, however many files there are. It returns the first error in
// the order of sources (naming file and line), after which no further file
// is started; cancelling ctx stops before the next file.
func Predictions(ctx context.Context, acc *eval.Accumulator, sources []Source) error {
	errs := make([]error, len(sources))
	var failed atomic.Bool
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(sources)) {
		wg.Go(func() {
			for i := range next {
				if errs[i] = File(acc, sources[i]); errs[i] != nil {
					failed.Store(true)
				}
			}
		})
	}
	// Files are handed out in order and each runs to its end, so every file
	// before the first failing one has been read when the loop stops.
	for i := range sources {
		if failed.Load() || ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return ctx.Err()
}

// File streams one predictions file into acc as model s.Model.
func File(acc *eval.Accumulator, s Source) error {
	err := acc.AddModelRows(s.Model, func(add func(*predictions.Row) error) error {
		return predictions.ReadFileRows(s.Path, add)
	})
	var loaded *eval.ModelLoadedError
	if errors.As(err, &loaded) {
		return fmt.Errorf("%s: %w", s.Path, err)
	}
	return err
}
