package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/spillover"
	"github.com/imagenetx/imagenetx/eval/tabular"
	"github.com/imagenetx/imagenetx/internal/atomicfile"
)

const spilloverUsage = `usage: imagenetx spillover --table FILE.csv --strength-regex REGEX [flags]
       imagenetx spillover --predictions PATH... --annotations DIR (--strength-regex REGEX | --strength NAME=S...) [flags]

Measures the spill-over of a training augmentation from models trained at
many strengths: per factor, a cubic fit of error ratio against strength
and Welch's t-test between the models at the strengths where the fit is
lowest and highest. effect > 0: the error ratio falls as the strength rises.

The models come as a per-factor accuracy table (--table, the reference
layout) or as their prediction files (--predictions, NAME=PATH to name
one), from which the table is built in memory exactly as eval writes it;
then a factor some model saw on fewer than --min-images images is flagged
and never called significant. A model's strength is read from its name
(--strength-regex) or given (--strength NAME=S, which wins).

flags:
`

// runSpillover implements "imagenetx spillover".
func runSpillover(ctx context.Context, args []string) error {
	return spilloverCommand(ctx, args, os.Stdout, os.Stderr)
}

type spilloverFlags struct {
	table, regex, transform, factors, format, output, errorType string
	predictions, strengths                                      stringList
	ds                                                          datasetFlags
	minModels, minImages                                        int
	quiet                                                       bool
}

func parseSpilloverFlags(args []string, stderr io.Writer) (spilloverFlags, error) {
	var f spilloverFlags
	fs := flag.NewFlagSet("spillover", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, spilloverUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&f.table, "table", "", "per-factor accuracy table in the reference layout (model,<16 factors>,worst_factor,average,…)")
	fs.Var(&f.predictions, "predictions", predictionsFlagUsage+"; instead of --table")
	f.ds.registerNamed(fs, "release", "top") // --factors lists the factors to analyse
	fs.StringVar(&f.errorType, "error-type", "class", "with --predictions, when a prediction is correct: class, metaclass or real")
	fs.IntVar(&f.minImages, "min-images", eval.DefaultMinImages, "with --predictions, flag factors some model saw on fewer images (never significant)")
	fs.BoolVar(&f.quiet, "quiet", false, "no coverage notes on stderr")
	fs.StringVar(&f.regex, "strength-regex", "", `regular expression whose first capture group is the strength in a model name, e.g. "color([0-9.]+)"`)
	fs.Var(&f.strengths, "strength", "a model's strength, `NAME=S` (repeatable; wins over --strength-regex)")
	fs.StringVar(&f.transform, "strength-transform", "x", `map the captured value to the strength: "x" or "C-x" (crop tables: "100-x")`)
	fs.IntVar(&f.minModels, "min-models", spillover.DefaultMinModels, "keep only strengths with at least this many models")
	fs.StringVar(&f.factors, "factors", "", "comma-separated factors to analyse (default: all 16)")
	fs.StringVar(&f.format, "format", "csv", "output format: csv or markdown")
	fs.StringVar(&f.output, "o", "", "write to this file instead of standard output")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	switch {
	case fs.NArg() > 0:
		return f, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case f.table == "" && len(f.predictions) == 0:
		return f, errors.New("--table or --predictions is required")
	case f.table != "" && len(f.predictions) > 0:
		return f, errors.New("--table and --predictions exclude each other")
	case f.regex == "" && len(f.strengths) == 0:
		return f, errors.New("--strength-regex or --strength NAME=S is required")
	case f.minModels < 1:
		return f, fmt.Errorf("--min-models must be at least 1, got %d", f.minModels)
	}
	if err := eval.CheckMinImages(f.minImages); err != nil {
		return f, fmt.Errorf("--min-images: %w", err)
	}
	return f, nil
}

func spilloverCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseSpilloverFlags(args, stderr)
	if err != nil {
		return err
	}
	format, err := tabular.ParseFormat(f.format)
	if err != nil || format == tabular.JSON {
		return fmt.Errorf("--format %q: want csv or markdown", f.format)
	}
	opt := spillover.Options{MinModels: f.minModels, MinImages: f.minImages}
	if f.regex != "" {
		if opt.Strength, err = spillover.NewStrengthParser(f.regex, f.transform); err != nil {
			return err
		}
	}
	if len(f.strengths) > 0 {
		opt.Strengths = map[string]float64{}
		for _, s := range f.strengths {
			name, v, err := spillover.ParseNamedStrength(s)
			if err != nil {
				return fmt.Errorf("--strength: %w", err)
			}
			opt.Strengths[name] = v
		}
	}
	if opt.Factors, err = parseFactorList(f.factors); err != nil {
		return fmt.Errorf("--factors: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	table, source, err := spilloverTable(ctx, &f)
	if err != nil {
		return err
	}
	results, err := spillover.Analyze(table, opt)
	if err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	return writeSpillover(f.output, stdout, results, format)
}

// spilloverTable is the accuracy table the flags name: read from --table,
// or built from --predictions as eval builds it (counts only, so that
// hundreds of models fit), with the name of its source for errors.
func spilloverTable(ctx context.Context, f *spilloverFlags) (*eval.Table, string, error) {
	if f.table != "" {
		t, err := eval.ReadTableFile(f.table)
		return t, f.table, err
	}
	et, err := eval.ParseErrorType(f.errorType)
	if err != nil {
		return nil, "", err
	}
	acc, err := loadAccumulatorWith(ctx, &f.ds, f.predictions, f.quiet, eval.AccumulatorOptions{CountsOnly: true})
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

// writeSpillover writes the table to stdout, or to path by atomicfile's
// rule.
func writeSpillover(path string, stdout io.Writer, results []spillover.Result, format tabular.Format) error {
	fill := func(w io.Writer) error {
		if format == tabular.Markdown {
			return spillover.WriteMarkdown(w, results)
		}
		return spillover.WriteCSV(w, results)
	}
	if path == "" {
		if err := fill(stdout); err != nil {
			return fmt.Errorf("write standard output: %w", err)
		}
		return nil
	}
	return atomicfile.Write(path, fill)
}
