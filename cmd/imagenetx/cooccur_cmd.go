package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/analysis"
	"github.com/imagenetx/imagenetx/eval/tabular"
)

// cooccurCommand is `imagenetx cooccur`.
func cooccurCommand() *command {
	var (
		ds       datasetFlags
		withMeta bool
		alpha    float64
		out      tableFlags
		quiet    bool
	)
	return &command{
		name:  "cooccur",
		usage: "imagenetx cooccur --annotations DIR [-o FILE] [flags]",
		short: "Spearman co-occurrence of the factors (and metaclasses)",
		long: `
Spearman correlation, with p-values, between the 16 factor indicators of the
annotated images (and, with --metaclasses, the metaclass indicators), as the
reference toolkit's spearman_corr_heatmaps. CSV and JSON list every ordered
pair (factor_a,factor_b,rho,pval; pandas pivot rebuilds the matrix);
markdown lists the distinct pairs with p < --alpha, strongest first.`,
		flags: func(fs *flag.FlagSet) {
			ds.register(fs, "multi", false)
			fs.BoolVar(&withMeta, "metaclasses", false, "add the metaclass indicators")
			parsedVar(fs, &alpha, "alpha", "0.01", level(true), "markdown: list the pairs with p below this `LEVEL`")
			out.register(fs, tabular.CSV, tabular.JSON, tabular.Markdown)
			quietVar(fs, &quiet, "note of the images counted")
		},
		run: func(ctx context.Context, e *env, _ []string) error {
			dataset, err := ds.load()
			if err != nil {
				return err
			}
			factors, metaclass := analysis.DatasetColumns(dataset)
			if !quiet {
				fmt.Fprintf(e.stderr, "%d annotated images (%s factors, %s split)\n", len(metaclass), ds.opts.Factors, ds.opts.Partition)
			}
			names, rho, p, err := analysis.Cooccurrence(ctx, factors, metaclass, withMeta)
			if err != nil {
				return err
			}
			t := &analysis.CooccurrenceTable{Names: names, Rho: rho, P: p, Factors: eval.NumFactors}
			return e.writeOutput(out.path, func(w io.Writer) error { return analysis.WriteCooccurrence(w, t, out.format, alpha) })
		},
	}
}
