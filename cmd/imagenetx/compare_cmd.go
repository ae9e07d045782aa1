package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/eval/tabular"
	"github.com/imagenetx/imagenetx/internal/cli"
)

// compareCommand is `imagenetx compare`.
func compareCommand() *cli.Command {
	var (
		in  inputFlags
		opt eval.CompareOptions
		out tableFlags
	)
	return &cli.Command{
		Name: "compare",
		Usage: "imagenetx compare [--annotations DIR] --predictions A.csv --predictions B.csv\n" +
			"[-o FILE] [flags]",
		Short: "paired per-factor comparison of two models (exact McNemar tests, corrected)",
		Long: `
Compares two models on the images both predicted: per factor and overall,
the two accuracies, their difference (B − A), the discordant pairs (images
only one model got right) and the exact McNemar p-value, corrected across
the 16 factors (Holm by default).`,
		Flags: func(fs *flag.FlagSet) {
			in.register(fs, "predictions CSV `PATH` of one model, or NAME=PATH to name it; give it twice, A then B")
			errorTypeVar(fs, &opt.ErrorType)
			correctionVar(fs, &opt.Correction)
			cli.Var(fs, &opt.Alpha, "alpha", "0.05", cli.Level(false), "significance `LEVEL` for the corrected p-values, in (0, 1)")
			fs.BoolVar(&opt.AllowPartial, "allow-partial", false, "compare on the shared images when the models were run on different images")
			cli.Var(fs, &opt.MinImages, "min-images", fmt.Sprint(eval.DefaultMinImages), cli.AtLeast(1), "call a factor's difference significant only with at least `N` shared images (1: any)")
			out.register(fs, tabular.CSV, tabular.JSON, tabular.Markdown)
		},
		Run: func(ctx context.Context, e *cli.Env, _ []string) error {
			sources, err := load.Pair(in.predictions)
			if err != nil {
				return fmt.Errorf("--predictions: %w", err)
			}
			acc, err := in.accumulateSources(ctx, e, sources, eval.AccumulatorOptions{})
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
			return e.WriteOutput(out.path, func(w io.Writer) error { return eval.WriteComparison(w, c, out.format) })
		},
	}
}
