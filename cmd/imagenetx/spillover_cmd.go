package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/spillover"
	"github.com/imagenetx/imagenetx/eval/tabular"
	"github.com/imagenetx/imagenetx/internal/cli"
)

// spilloverCommand is `imagenetx spillover`.
func spilloverCommand() *cli.Command {
	var (
		table, regex, transform string
		in                      inputFlags
		errType                 eval.ErrorType
		opt                     spillover.Options
		out                     tableFlags
	)
	return &cli.Command{
		Name: "spillover",
		Usage: "imagenetx spillover --table FILE.csv --strength-regex REGEX [-o FILE] [flags]\n" +
			"imagenetx spillover --predictions PATH... [--annotations DIR]\n" +
			"(--strength-regex REGEX | --strength NAME=S...) [flags]",
		Short: "augmentation spill-over from models trained at many strengths",
		Long: `
Measures the spill-over of a training augmentation from models trained at
many strengths: per factor, a cubic fit of error ratio against strength
and Welch's t-test between the models at the strengths where the fit is
lowest and highest. effect > 0: the error ratio falls as the strength rises.

The models come as a per-factor accuracy table (--table, the reference
layout) or as their prediction files (--predictions, NAME=PATH to name
one), from which the table is built in memory exactly as eval writes it;
then a factor some model saw on fewer than --min-images images is flagged
and never called significant. A model's strength is read from its name
(--strength-regex) or given (--strength NAME=S, which wins).`,
		// --release was spillover's name of the release before --factors
		// meant the release in every command.
		Renamed: map[string]string{"release": "it is now --factors, the annotation release (top or multi), as in every command"},
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&table, "table", "", "per-factor accuracy table `FILE` in the reference layout (model,<16 factors>,worst_factor,average,…)")
			in.register(fs, "predictions CSV `PATH`, NAME=PATH (the file, as model NAME) or folder of CSVs, one model each (repeatable); instead of --table")

			errorTypeVar(fs, &errType)
			minImagesVar(fs, &opt.MinImages, "with --predictions, flag factors some model saw on fewer than `N` images (never significant)")
			fs.StringVar(&regex, "strength-regex", "", `regular expression (`+"`REGEX`"+`) whose first capture group is the strength in a model name, e.g. "color([0-9.]+)"`)
			fs.Func("strength", "a model's strength, `NAME=S` (repeatable; wins over --strength-regex)", func(s string) error {
				name, v, err := spillover.ParseNamedStrength(s)
				if opt.Strengths == nil {
					opt.Strengths = map[string]float64{}
				}
				opt.Strengths[name] = v
				return err
			})
			fs.StringVar(&transform, "strength-transform", "x", "map the captured value x to the strength (`EXPR`): x, or C-x (crop tables: 100-x)")
			cli.Var(fs, &opt.MinModels, "min-models", fmt.Sprint(spillover.DefaultMinModels), cli.AtLeast(1), "keep only strengths with at least `N` models")
			cli.Var(fs, &opt.Factors, OnlyFactorsFlag, "", eval.ParseFactors, "comma-separated `FACTORS` to analyse (default: all 16)")
			out.register(fs, tabular.CSV, tabular.Markdown)
		},
		Run: func(ctx context.Context, e *cli.Env, _ []string) error {
			predictions := len(in.predictions) > 0
			switch {
			case table == "" && !predictions:
				return cli.Usagef("--table or --predictions is required")
			case table != "" && predictions:
				return cli.Usagef("--table and --predictions exclude each other")
			case regex == "" && len(opt.Strengths) == 0:
				return cli.Usagef("--strength-regex or --strength NAME=S is required")
			}
			if regex != "" {
				var err error
				if opt.Strength, err = spillover.NewStrengthParser(regex, transform); err != nil {
					return err
				}
			}
			// The table: read from --table, or built from --predictions as
			// eval builds it (counts only, so that hundreds of models fit).
			var t *eval.Table
			var err error
			source := table
			if predictions {
				source = "predictions"
				var acc *eval.Accumulator
				if acc, err = in.accumulate(ctx, e, eval.AccumulatorOptions{CountsOnly: true}); err == nil {
					t, err = acc.Table(errType)
				}
			} else {
				t, err = eval.ReadTableFile(table)
			}
			if err != nil {
				return err
			}
			results, err := spillover.Analyze(t, opt)
			if err != nil {
				return fmt.Errorf("%s: %w", source, err)
			}
			return e.WriteOutput(out.path, func(w io.Writer) error { return spillover.Write(w, results, out.format) })
		},
	}
}
