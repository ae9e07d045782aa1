package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/analysis"
	"github.com/imagenetx/imagenetx/eval/tabular"
)

const cooccurUsage = `usage: imagenetx cooccur --annotations DIR [flags]

Spearman correlation, with p-values, between the 16 factor indicators of the
annotated images (and, with --metaclasses, the metaclass indicators), as the
reference toolkit's spearman_corr_heatmaps. CSV and JSON list every ordered
pair (factor_a,factor_b,rho,pval; pandas pivot rebuilds the matrix);
markdown lists the distinct pairs with p < --alpha, strongest first.

flags:
`

// runCooccur implements "imagenetx cooccur".
func runCooccur(ctx context.Context, args []string) error {
	return cooccurCommand(ctx, args, os.Stderr)
}

func cooccurCommand(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("cooccur", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, cooccurUsage)
		fs.PrintDefaults()
	}
	var ds datasetFlags
	ds.registerWithFactors(fs, "multi")
	withMeta := fs.Bool("metaclasses", false, "add the metaclass indicators")
	alpha := fs.Float64("alpha", 0.01, "markdown: list pairs with p below this level")
	format := fs.String("format", "csv", "output format: csv, json or markdown")
	out := fs.String("o", "", "output `FILE` (default stdout)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	fmtv, err := tabular.ParseFormat(*format)
	if err != nil {
		return err
	}
	if !(*alpha > 0 && *alpha <= 1) {
		return fmt.Errorf("--alpha %g: want a level in (0, 1]", *alpha)
	}
	dataset, err := ds.load()
	if err != nil {
		return err
	}
	factors, metaclass := analysis.DatasetColumns(dataset)
	names, rho, p, err := analysis.Cooccurrence(ctx, factors, metaclass, *withMeta)
	if err != nil {
		return err
	}
	t := &analysis.CooccurrenceTable{Names: names, Rho: rho, P: p, Factors: eval.NumFactors}
	return writeOutput(*out, func(w io.Writer) error { return analysis.WriteCooccurrence(w, t, fmtv, *alpha) })
}
