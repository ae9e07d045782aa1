package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/eval/stats"
	"github.com/imagenetx/imagenetx/eval/tabular"
	"github.com/imagenetx/imagenetx/internal/cli"
)

// evalCommand is `imagenetx eval`.
func evalCommand() *cli.Command {
	var (
		in              inputFlags
		out             tableFlags
		errType         eval.ErrorType
		byMeta          bool
		ratio, ci       bool
		intervals       eval.IntervalOptions
		minImages, topK int
		counts          string
	)
	return &cli.Command{
		Name:  "eval",
		Usage: "imagenetx eval [--annotations DIR] --predictions PATH... [-o FILE] [flags]",
		Short: "per-factor accuracy / error-ratio tables from prediction CSVs",
		Long: `
Joins each model's predictions with the ImageNet-X annotations and writes
its accuracy per factor (or, with --error-ratio, the error ratio
(1 − factor accuracy)/(1 − average)): one row per model, or per model and
metaclass. The CSV is byte-identical to the reference toolkit's. With --ci,
a long form with Wilson intervals for the accuracies and Wilson-based
(MOVER) intervals for the error ratios; with --topk K, top-K accuracy.`,
		Flags: func(fs *flag.FlagSet) {
			in.register(fs, "")
			errorTypeVar(fs, &errType)
			fs.BoolVar(&byMeta, "by-metaclass", false, "one row per (model, metaclass)")
			fs.BoolVar(&ratio, "error-ratio", false, "error ratios (1 − factor accuracy)/(1 − average) instead of accuracies")
			fs.BoolVar(&ci, "ci", false, "long form (model,[metaclass,]factor,…) with Wilson intervals for accuracies and Wilson-based (MOVER) intervals for error ratios (both shown; --error-ratio is not needed)")
			fs.Float64Var(&intervals.Confidence, "confidence", stats.DefaultConfidence, "two-sided confidence `LEVEL` of the --ci intervals")
			minImagesVar(fs, &minImages, "the fewest images (`N`) that single a factor out: fewer are flagged (markdown *, --ci and --counts few_images)")
			cli.Var(fs, &topK, "topk", "1", cli.AtLeast(1), "top-`K` accuracy: an image is right when any of the model's K most probable classes is (needs the top-k columns that imagenetx run --topk K writes)")
			fs.StringVar(&counts, "counts", "", "also write the images behind every value of the table, and the notes on worst_factor and worst_100_classes, as CSV to `FILE`")
			out.register(fs, tabular.CSV, tabular.JSON, tabular.Markdown)
		},
		Run: func(ctx context.Context, e *cli.Env, _ []string) error {
			intervals.MinImages = minImages
			if err := intervals.Validate(); ci && err != nil {
				return fmt.Errorf("--confidence: %w", err)
			}
			// The tables and their intervals need only counts per model, so
			// that thousands of prediction files fit in bounded memory.
			acc, err := in.accumulate(ctx, e, eval.AccumulatorOptions{CountsOnly: true, TopK: topK})
			if few := (*load.TooFewRanksError)(nil); errors.As(err, &few) {
				return fmt.Errorf("%w; `imagenetx run --topk %d` writes them", err, few.K)
			}
			if err != nil {
				return err
			}
			table, err := acc.TableFor(errType, byMeta, topK > 1)
			if err != nil {
				return err
			}
			if topK > 1 && !in.quiet {
				ss, err := acc.Summaries(errType, eval.IntervalOptions{Confidence: stats.DefaultConfidence})
				if err != nil {
					return err
				}
				for _, s := range ss {
					fmt.Fprintln(e.Stderr, s.TopKNote())
				}
			}
			if counts != "" {
				rec, err := table.Counts(minImages)
				if err == nil {
					err = e.WriteOutput(counts, rec.WriteCSV)
				}
				if err != nil {
					return err
				}
			}
			if ci {
				it, err := table.Intervals(intervals)
				if err != nil {
					return err
				}
				return e.WriteOutput(out.path, func(w io.Writer) error { return eval.WriteIntervals(w, it, out.format) })
			}
			view := eval.ViewAccuracy
			if ratio {
				view = eval.ViewErrorRatio
			}
			return e.WriteOutput(out.path, func(w io.Writer) error {
				return eval.WriteTableWith(w, table, eval.TableWriting{Format: out.format, View: view, MinImages: minImages})
			})
		},
	}
}
