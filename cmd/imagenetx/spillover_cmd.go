package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/spillover"
	"github.com/imagenetx/imagenetx/eval/tabular"
)

// spilloverCommand is `imagenetx spillover`.
func spilloverCommand() *command {
	var (
		table, regex, transform string
		preds                   predictionFlags
		ds                      datasetFlags
		errType                 eval.ErrorType
		quiet                   bool
		opt                     spillover.Options
		out                     tableFlags
	)
	return &command{
		name: "spillover",
		usage: "imagenetx spillover --table FILE.csv --strength-regex REGEX [-o FILE] [flags]\n" +
			"imagenetx spillover --predictions PATH... --annotations DIR (--strength-regex REGEX | --strength NAME=S...) [flags]",
		short: "augmentation spill-over from tables of trained models",
		long: `
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
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&table, "table", "", "per-factor accuracy table `FILE` in the reference layout (model,<16 factors>,worst_factor,average,…)")
			preds.register(fs, "predictions CSV `PATH`, NAME=PATH (the file, as model NAME) or folder of CSVs, one model each (repeatable); instead of --table")
			ds.registerAs(fs, "release", "top", false) // --factors lists the factors to analyse
			errorTypeVar(fs, &errType)
			parsedVar(fs, &opt.MinImages, "min-images", fmt.Sprint(eval.DefaultMinImages), minImagesValue, "with --predictions, flag factors some model saw on fewer than `N` images (never significant)")
			quietVar(fs, &quiet, "coverage notes")
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
			parsedVar(fs, &opt.MinModels, "min-models", fmt.Sprint(spillover.DefaultMinModels), atLeast(1), "keep only strengths with at least `N` models")
			parsedVar(fs, &opt.Factors, "factors", "", parseFactorList, "comma-separated `FACTORS` to analyse (default: all 16)")
			out.register(fs, tabular.CSV, tabular.Markdown)
		},
		run: func(ctx context.Context, e *env, _ []string) error {
			switch {
			case table == "" && len(preds.paths) == 0:
				return usagef("--table or --predictions is required")
			case table != "" && len(preds.paths) > 0:
				return usagef("--table and --predictions exclude each other")
			case regex == "" && len(opt.Strengths) == 0:
				return usagef("--strength-regex or --strength NAME=S is required")
			}
			if regex != "" {
				var err error
				if opt.Strength, err = spillover.NewStrengthParser(regex, transform); err != nil {
					return err
				}
			}
			t, source, err := spilloverTable(ctx, e, table, &ds, &preds, errType, quiet)
			if err != nil {
				return err
			}
			results, err := spillover.Analyze(t, opt)
			if err != nil {
				return fmt.Errorf("%s: %w", source, err)
			}
			return e.writeOutput(out.path, func(w io.Writer) error {
				if out.format == tabular.Markdown {
					return spillover.WriteMarkdown(w, results)
				}
				return spillover.WriteCSV(w, results)
			})
		},
	}
}

// spilloverTable is the accuracy table the flags name: read from --table,
// or built from --predictions as eval builds it (counts only, so that
// hundreds of models fit), with the name of its source for errors.
func spilloverTable(ctx context.Context, e *env, table string, ds *datasetFlags, preds *predictionFlags, et eval.ErrorType, quiet bool) (*eval.Table, string, error) {
	if table != "" {
		t, err := eval.ReadTableFile(table)
		return t, table, err
	}
	acc, err := loadAccumulatorWith(ctx, e, ds, preds, quiet, eval.AccumulatorOptions{CountsOnly: true})
	if err != nil {
		return nil, "", err
	}
	t, err := acc.Table(et)
	return t, "predictions", err
}

// parseFactorList reads "pose,color" into factor indices; "" means all.
func parseFactorList(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []int
	for _, name := range strings.Split(s, ",") {
		i, err := eval.FactorIndex(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, nil
}
