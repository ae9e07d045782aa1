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

Measures the spill-over of a training augmentation from a per-factor accuracy
table of models trained at many strengths (the strength is in the model name):
per factor, a cubic fit of error ratio against strength and Welch's t-test
between the models at the strengths where the fit is lowest and highest.
effect > 0: the error ratio falls as the strength rises.

flags:
`

// runSpillover implements "imagenetx spillover".
func runSpillover(ctx context.Context, args []string) error {
	return spilloverCommand(ctx, args, os.Stdout, os.Stderr)
}

type spilloverFlags struct {
	table, regex, transform, factors, format, output string
	minModels                                        int
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
	fs.StringVar(&f.regex, "strength-regex", "", `regular expression whose first capture group is the strength in a model name, e.g. "color([0-9.]+)"`)
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
	case f.table == "":
		return f, errors.New("--table is required")
	case f.regex == "":
		return f, errors.New("--strength-regex is required")
	case f.minModels < 1:
		return f, fmt.Errorf("--min-models must be at least 1, got %d", f.minModels)
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
	opt := spillover.Options{MinModels: f.minModels}
	if opt.Strength, err = spillover.NewStrengthParser(f.regex, f.transform); err != nil {
		return fmt.Errorf("%w", err)
	}
	if opt.Factors, err = parseFactorList(f.factors); err != nil {
		return fmt.Errorf("--factors: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	table, err := eval.ReadTableFile(f.table)
	if err != nil {
		return fmt.Errorf("%w", err)
	}
	results, err := spillover.Analyze(table, opt)
	if err != nil {
		return fmt.Errorf("%s: %w", f.table, err)
	}
	return writeSpillover(f.output, stdout, results, format)
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
