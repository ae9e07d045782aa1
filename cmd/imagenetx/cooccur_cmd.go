package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/imagenetx/imagenetx/eval/analysis"
	"github.com/imagenetx/imagenetx/eval/tabular"
	"github.com/imagenetx/imagenetx/internal/cli"
)

// cooccurCommand is `imagenetx cooccur`.
func cooccurCommand() *cli.Command {
	var (
		ds       datasetFlags
		withMeta bool
		alpha    float64
		out      tableFlags
		quiet    bool
		minImage int
	)
	return &cli.Command{
		Name:  "cooccur",
		Usage: "imagenetx cooccur [--annotations DIR] [-o FILE] [flags]",
		Short: "Spearman co-occurrence of the factors (and metaclasses)",
		Long: `
Spearman correlation, with p-values, between the 16 factor indicators of the
annotated images (and, with --metaclasses, the metaclass indicators), as the
reference toolkit's spearman_corr_heatmaps. CSV and JSON list every ordered
pair (factor_a,factor_b,rho,pval; pandas pivot rebuilds the matrix);
markdown lists the distinct pairs with p < --alpha, strongest first.`,
		Flags: func(fs *flag.FlagSet) {
			ds.register(fs, "multi")
			fs.BoolVar(&withMeta, "metaclasses", false, "add the metaclass indicators")
			cli.Var(fs, &alpha, "alpha", "0.01", cli.Level(true), "markdown: list the pairs with p below this `LEVEL`")
			out.register(fs, tabular.CSV, tabular.JSON, tabular.Markdown)
			quietVar(fs, &quiet, "note of the images counted")
			minImagesVar(fs, &minImage, "images (`N`) an indicator needs before its pairs are judged; fewer are flagged (few_images in CSV)")
		},
		Run: func(ctx context.Context, e *cli.Env, _ []string) error {
			dataset, err := ds.load()
			if err != nil {
				return err
			}
			if !quiet {
				fmt.Fprintf(e.Stderr, "%d annotated images (%s factors, %s split)\n", len(dataset.Images), ds.opts.Factors, ds.opts.Partition)
			}
			t, err := analysis.CooccurrenceOf(ctx, dataset, withMeta, minImage)
			if err != nil {
				return err
			}
			return e.WriteOutput(out.path, func(w io.Writer) error { return analysis.WriteCooccurrence(w, t, out.format, alpha) })
		},
	}
}
