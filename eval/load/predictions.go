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

// Sources turns arguments into sources. An argument is a predictions
// file, named by its stem (NAME for NAME.predictions.csv: see
// predictions.ModelName); a directory, meaning every *.csv in it, one
// model each, named by file stem, as the reference's
// load_model_predictions does, except that a folder holding files named
// NAME.predictions.csv (an audit's) means those files only; or NAME=PATH, the file PATH under the model
// name NAME (ParseNamed). A model name given twice is an error.
func Sources(args []string) ([]Source, error) {
	var out []Source
	seen := map[string]string{}
	add := func(model, path string) error {
		if prev, dup := seen[model]; dup {
			return fmt.Errorf("model %q given twice (%s and %s)", model, prev, path)
		}
		seen[model] = path
		out = append(out, Source{Model: model, Path: path})
		return nil
	}
	for _, arg := range args {
		name, p, err := ParseNamed(arg)
		if err != nil {
			return nil, err
		}
		if name != "" {
			if err := add(name, p); err != nil {
				return nil, err
			}
			continue
		}
		if st, err := os.Stat(p); err != nil {
			return nil, err
		} else if !st.IsDir() {
			if err := add(predictions.ModelName(p), p); err != nil {
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
		if named := predictions.NamedFiles(files); len(named) > 0 {
			files = named
		}
		sort.Strings(files)
		for _, f := range files {
			if err := add(predictions.ModelName(f), f); err != nil {
				return nil, err
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no predictions given")
	}
	return out, nil
}

// ParseNamed reads one predictions argument: PATH (name "") or NAME=PATH.
// The rule, so that a path containing '=' still works: an argument that
// exists as a file or folder is a path, whatever it contains; otherwise
// an argument with '=' is NAME=PATH, split at the first '=', so NAME has
// no '=' and PATH may have any; NAME must not be empty and PATH must be an
// existing file (a folder holds several models, each named by its file).
// To give a name to a file when NAME=PATH is itself an existing path,
// write PATH differently (./PATH). Anything else is an error naming what
// was looked for.
func ParseNamed(arg string) (name, path string, err error) {
	if _, err := os.Stat(arg); err == nil {
		return "", arg, nil
	}
	name, path, named := strings.Cut(arg, "=")
	if !named {
		_, err := os.Stat(arg)
		return "", "", err
	}
	if name == "" {
		return "", "", fmt.Errorf("%q: no such file, and as NAME=PATH its NAME is empty", arg)
	}
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return "", "", fmt.Errorf("%q: no such file, and as NAME=PATH: %w", arg, err)
	case st.IsDir():
		return "", "", fmt.Errorf("%q: NAME=PATH names one predictions file, and %s is a folder (give the folder alone: each file is named by its stem)", arg, path)
	}
	return name, path, nil
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

// File streams one predictions file into acc as model s.Model. An
// accumulator that tallies top-k needs the file's ranked classes
// (RankedFile).
func File(acc *eval.Accumulator, s Source) error {
	if acc.TopK() > 1 {
		return RankedFile(acc, s)
	}
	err := acc.AddModelRows(s.Model, func(add func(*predictions.Row) error) error {
		return predictions.ReadFileRows(s.Path, add)
	})
	return withPath(err, s.Path)
}

// RankedFile streams one predictions file with its ranked classes (the
// top2_class … columns) into acc as model s.Model, through the general
// reader. A file that ranks fewer classes than acc's top-k is refused
// before any row is read (*TooFewRanksError).
func RankedFile(acc *eval.Accumulator, s Source) error {
	f, err := os.Open(s.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := predictions.NewReader(f, s.Path)
	if err != nil {
		return err
	}
	if r.Ranks() < acc.TopK() {
		return &TooFewRanksError{Path: s.Path, Ranks: r.Ranks(), K: acc.TopK()}
	}
	return withPath(acc.AddModel(s.Model, r.Each), s.Path)
}

// TooFewRanksError is the refusal of a predictions file whose columns rank
// fewer classes than the top-k accuracy asked for.
type TooFewRanksError struct {
	Path     string
	Ranks, K int
}

func (e *TooFewRanksError) Error() string {
	if e.Ranks == 1 {
		return fmt.Sprintf("%s: top-%d accuracy needs each image's %d most probable classes, and the file has no top-k columns "+
			"(the reference's three columns %s,%s,%s rank the top-1 only; top-%d needs top2_class … top%d_class)",
			e.Path, e.K, e.K, predictions.ColFileName, predictions.ColClass, predictions.ColProb, e.K, e.K)
	}
	return fmt.Sprintf("%s: top-%d accuracy needs each image's %d most probable classes, and the file's columns rank %d (top2_class … top%d_class)",
		e.Path, e.K, e.K, e.Ranks, e.Ranks)
}

// withPath names the file in an accumulator's refusal of a model given
// twice.
func withPath(err error, path string) error {
	var loaded *eval.ModelLoadedError
	if errors.As(err, &loaded) {
		return fmt.Errorf("%s: %w", path, err)
	}
	return err
}
