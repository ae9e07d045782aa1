package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/imagenetx/imagenetx"
	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/population"
	"github.com/imagenetx/imagenetx/eval/tabular"
	"github.com/imagenetx/imagenetx/internal/atomicfile"
	"github.com/imagenetx/imagenetx/internal/cli"
)

// resultsVar adds --results, the published results folder.
func resultsVar(fs *flag.FlagSet, p *string) {
	fs.StringVar(p, "results", "", "the paper's published results `DIR`, laid out as the toolkit's results/ (default: set-up's copy, in the data home)")
}

// groupingVar adds --by.
func groupingVar(fs *flag.FlagSet, p *string) {
	cli.Var(fs, p, "by", "type", func(s string) (string, error) {
		if !slices.Contains(population.Groupings, s) {
			return "", errors.New("want type or architecture")
		}
		return s, nil
	}, "compare by model `GROUPING`: type (the paper's four model types) or architecture (transformer vs convolutional)")
}

// placeableTable is the factor table of the --predictions models, scored
// on annotations the published results can be compared with.
func placeableTable(ctx context.Context, e *cli.Env, in *inputFlags, et eval.ErrorType) (*eval.Table, error) {
	if err := imagenetx.Comparable(in.dataset.opts); err != nil {
		return nil, cli.Usagef("--predictions cannot be placed: %v", err)
	}
	acc, err := in.accumulate(ctx, e, eval.AccumulatorOptions{CountsOnly: true})
	if err != nil {
		return nil, err
	}
	return acc.Table(et)
}

// typesCommand is `imagenetx types`.
func typesCommand() *cli.Command {
	var (
		in        inputFlags
		errorType eval.ErrorType
		results   string
		by        string
		out       tableFlags
		placement string
	)
	return &cli.Command{
		Name: "types",
		Usage: "imagenetx types [--factors|--release top|multi] [--error-type TYPE] [--by type|architecture]\n" +
			"[--results DIR] [--predictions PATH]... [--placement FILE] [-o FILE] [--format csv|markdown]",
		Short: "failure modes by model type or architecture among the paper's models, and yours",
		Long: `
The paper's first finding, from its published per-model factor tables: the
error ratio (1 − factor accuracy)/(1 − accuracy) per factor and model type,
over the 209 models the paper compares (the ImageNet testbed, plus the
self-supervised models of model-vs-human and the base models, of the types
supervised on more data, supervised on ImageNet-1K, self-supervised and
robustness intervention). Per factor and type: n_models, mean_error_ratio,
std_error_ratio (n − 1) and p_alexander_govern, the Alexander–Govern test
across the types. --by architecture compares transformers with
convolutional networks over every model of the three tables instead.
Markdown adds the consistency: Kendall's W of the factor rankings across the
groups, and the mean pairwise Spearman ρ across the models.

--predictions places your models among the paper's 209 (the annotations
score them on the same release and error type): per factor its error ratio,
its percentile, the error ratio the paper's models' least-squares line
expects at its accuracy with a 95% prediction interval, and the residual
(--placement FILE writes them as CSV). Only factors whose own interval and
the prediction interval separate, on at least 30 images, are named; a model
scored on part of the annotated images gets an indicative placement.`,
		Flags: func(fs *flag.FlagSet) {
			in.register(fs, "")
			// The published results are named by release (top_factor,
			// multi_factor): --release says the same as --factors here.
			cli.Var(fs, &in.dataset.opts.Factors, "release", "top", parseRelease, "the same as --factors: the `RELEASE` the population and your models are scored on")
			errorTypeVar(fs, &errorType)
			resultsVar(fs, &results)
			groupingVar(fs, &by)
			out.register(fs, tabular.CSV, tabular.Markdown)
			fs.StringVar(&placement, "placement", "", "placement CSV `FILE` of the --predictions models (model,factor,error_ratio,percentile,expected_error_ratio,expected_lo,expected_hi,residual)")
		},
		Run: func(ctx context.Context, e *cli.Env, _ []string) error {
			if placement != "" && len(in.predictions) == 0 {
				return cli.Usagef("--placement FILE needs --predictions PATH: it places those models")
			}
			if err := distinctOutputs(out.path, placement); err != nil {
				return err
			}
			release := in.dataset.opts.Factors
			pub, err := imagenetx.LoadPublished(results, release, errorType)
			if err != nil {
				return err
			}
			pop, err := pub.Grouped(by)
			if err != nil {
				return err
			}
			c, err := population.Compare(pop)
			if err != nil {
				return err
			}
			cons, err := population.Consistent(ctx, pop, c)
			if err != nil {
				return err
			}
			var among *imagenetx.Among
			if len(in.predictions) > 0 {
				t, err := placeableTable(ctx, e, &in, errorType)
				if err != nil {
					return err
				}
				if among, err = imagenetx.PlaceAmong(pub, t); err != nil {
					return err
				}
			}
			err = e.WriteOutput(out.path, func(w io.Writer) error { return population.WriteComparison(w, c, cons, out.format) })
			if err != nil {
				return err
			}
			if among == nil {
				return nil
			}
			if placement != "" {
				err := e.WriteOutput(placement, population.PlacementRecords(among.AllPlacements()).WriteCSV)
				if err != nil {
					return err
				}
			}
			if !in.quiet {
				for _, n := range among.Notes() {
					fmt.Fprintln(e.Stderr, n)
				}
			}
			return nil
		},
	}
}

// distinctOutputs refuses two output paths of one command that name the
// same file: the same target once links are followed (atomicfile.Resolve,
// a dangling link included), or one existing file under two names. ""
// and "-" (standard output) and outputs written in place (devices) are
// streams, not files, and are not compared.
func distinctOutputs(paths ...string) error {
	type seen struct {
		name, target string
		info         os.FileInfo
	}
	var all []seen
	for _, p := range paths {
		if p == "" || p == "-" {
			continue
		}
		t, err := atomicfile.Resolve(p)
		if err != nil || t.InPlace() {
			continue // the write names an unresolvable path
		}
		cur := seen{name: p, target: t.Path}
		cur.info, _ = os.Stat(t.Path)
		for _, s := range all {
			if s.target == cur.target || (s.info != nil && cur.info != nil && os.SameFile(s.info, cur.info)) {
				return cli.Usagef("%s and %s are the same file (%s): give each output its own", s.name, p, cur.target)
			}
		}
		all = append(all, cur)
	}
	return nil
}
