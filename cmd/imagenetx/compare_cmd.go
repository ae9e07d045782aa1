package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/eval/tabular"
)

// compareCommand is `imagenetx compare`.
func compareCommand() *command {
	var (
		ds    datasetFlags
		preds predictionFlags
		opt   eval.CompareOptions
		out   tableFlags
		quiet bool
	)
	return &command{
		name:  "compare",
		usage: "imagenetx compare --annotations DIR --predictions A.csv --predictions B.csv [-o FILE] [flags]",
		short: "paired per-factor comparison of two models (exact McNemar tests, corrected)",
		long: `
Compares two models on the images both predicted: per factor and overall,
the two accuracies, their difference (B − A), the discordant pairs (images
only one model got right) and the exact McNemar p-value, corrected across
the 16 factors (Holm by default).`,
		flags: func(fs *flag.FlagSet) {
			ds.register(fs, "top", false)
			preds.register(fs, "predictions CSV `PATH` of one model, or NAME=PATH to name it; give it twice, A then B")
			errorTypeVar(fs, &opt.ErrorType)
			correctionVar(fs, &opt.Correction)
			parsedVar(fs, &opt.Alpha, "alpha", "0.05", level(false), "significance `LEVEL` for the corrected p-values, in (0, 1)")
			fs.BoolVar(&opt.AllowPartial, "allow-partial", false, "compare on the shared images when the models were run on different images")
			parsedVar(fs, &opt.MinImages, "min-images", fmt.Sprint(eval.DefaultMinImages), atLeast(1), "call a factor's difference significant only with at least `N` shared images (1: any)")
			out.register(fs, tabular.CSV, tabular.JSON, tabular.Markdown)
			quietVar(fs, &quiet, "coverage notes")
		},
		run: func(ctx context.Context, e *env, _ []string) error {
			sources, err := compareSources(preds.paths)
			if err != nil {
				return err
			}
			acc, err := loadSources(ctx, e, &ds, sources, quiet, eval.AccumulatorOptions{})
			if err != nil {
				return err
			}
			c, err := eval.Compare(acc, sources[0].Model, sources[1].Model, opt)
			if errors.Is(err, eval.ErrDifferentImages) && !opt.AllowPartial {
				return fmt.Errorf("%w (pass --allow-partial to compare on the shared images)", err)
			}
			if err != nil {
				return err
			}
			return e.writeOutput(out.path, func(w io.Writer) error { return eval.WriteComparison(w, c, out.format) })
		},
	}
}

// compareSources expands the --predictions paths into exactly two models.
// Two files with the same stem (the same model, two runs) are named by
// their paths instead.
func compareSources(paths []string) ([]load.Source, error) {
	var sources []load.Source
	for _, p := range paths {
		s, err := load.Sources([]string{p})
		if err != nil {
			return nil, err
		}
		sources = append(sources, s...)
	}
	if len(sources) != 2 {
		names := make([]string, len(sources))
		for i, s := range sources {
			names[i] = s.Path
		}
		return nil, fmt.Errorf("compare needs exactly two models (--predictions A.csv --predictions B.csv), got %d: %s",
			len(sources), strings.Join(names, ", "))
	}
	if sources[0].Model == sources[1].Model {
		if filepath.Clean(sources[0].Path) == filepath.Clean(sources[1].Path) {
			return nil, fmt.Errorf("compare needs two different prediction files, got %s twice", sources[0].Path)
		}
		sources[0].Model, sources[1].Model = sources[0].Path, sources[1].Path
	}
	return sources, nil
}
