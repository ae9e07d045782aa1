package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/eval/tabular"
)

const compareUsage = `usage: imagenetx compare --predictions A.csv --predictions B.csv --annotations DIR [flags]

Compares two models on the images both predicted: per factor and overall,
the two accuracies, their difference (B − A), the discordant pairs (images
only one model got right) and the exact McNemar p-value, corrected across
the 16 factors (Holm by default).

flags:
`

// runCompare implements "imagenetx compare".
func runCompare(ctx context.Context, args []string) error {
	return compareCommand(ctx, args, os.Stderr)
}

func compareCommand(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, compareUsage)
		fs.PrintDefaults()
	}
	var ds datasetFlags
	ds.register(fs)
	var preds stringList
	fs.Var(&preds, "predictions", "predictions CSV `PATH` of one model, or NAME=PATH to name it; give it twice, A then B")
	errType := fs.String("error-type", "class", "when a prediction is correct: class, metaclass or real")
	correction := fs.String("correction", "holm", "multiple-testing correction across factors: holm, bh or none")
	alpha := fs.Float64("alpha", 0.05, "significance level for the corrected p-values")
	partial := fs.Bool("allow-partial", false, "compare on the shared images when the models were run on different images")
	minImages := fs.Int("min-images", eval.DefaultMinImages, "call a factor's difference significant only with at least this many shared images (1: any)")
	format := fs.String("format", "csv", "output format: csv, json or markdown")
	out := fs.String("o", "", "output `FILE` (default stdout)")
	quiet := fs.Bool("quiet", false, "no coverage notes on stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *minImages < 1 {
		return fmt.Errorf("--min-images %d: want at least 1", *minImages)
	}
	opt := eval.CompareOptions{Alpha: *alpha, AllowPartial: *partial, MinImages: *minImages}
	var err error
	if opt.ErrorType, err = eval.ParseErrorType(*errType); err != nil {
		return err
	}
	if opt.Correction, err = eval.ParseCorrection(*correction); err != nil {
		return err
	}
	fmtv, err := tabular.ParseFormat(*format)
	if err != nil {
		return err
	}
	if !(*alpha > 0 && *alpha < 1) {
		return fmt.Errorf("--alpha %g: want a level between 0 and 1", *alpha)
	}
	sources, err := compareSources(preds)
	if err != nil {
		return err
	}
	acc, err := loadSources(ctx, &ds, sources, *quiet, eval.AccumulatorOptions{})
	if err != nil {
		return err
	}
	c, err := eval.Compare(acc, sources[0].Model, sources[1].Model, opt)
	if errors.Is(err, eval.ErrDifferentImages) && !*partial {
		return fmt.Errorf("%w (pass --allow-partial to compare on the shared images)", err)
	}
	if err != nil {
		return err
	}
	return writeOutput(*out, func(w io.Writer) error { return eval.WriteComparison(w, c, fmtv) })
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
