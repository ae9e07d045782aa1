package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/eval/stats"
	"github.com/imagenetx/imagenetx/eval/tabular"
)

// evalCommand is `imagenetx eval`.
func evalCommand() *command {
	var (
		ds        datasetFlags
		preds     predictionFlags
		out       tableFlags
		errType   eval.ErrorType
		byMeta    bool
		ratio, ci bool
		intervals eval.IntervalOptions
		quiet     bool
		minImages int
		topK      int
		counts    string
	)
	return &command{
		name:  "eval",
		usage: "imagenetx eval --annotations DIR --predictions PATH... [-o FILE] [flags]",
		short: "per-factor accuracy / error-ratio tables from prediction CSVs",
		long: `
Joins each model's predictions with the ImageNet-X annotations and writes
its accuracy per factor (or, with --error-ratio, the error ratio
(1 − factor accuracy)/(1 − average)): one row per model, or per model and
metaclass. The CSV is byte-identical to the reference toolkit's. With --ci,
a long form with Wilson intervals for the accuracies and Wilson-based
(MOVER) intervals for the error ratios.`,
		flags: func(fs *flag.FlagSet) {
			ds.register(fs, "top", false)
			preds.register(fs, "")
			errorTypeVar(fs, &errType)
			fs.BoolVar(&byMeta, "by-metaclass", false, "one row per (model, metaclass)")
			fs.BoolVar(&ratio, "error-ratio", false, "error ratios (1 − factor accuracy)/(1 − average) instead of accuracies")
			fs.BoolVar(&ci, "ci", false, "long form (model,[metaclass,]factor,…) with Wilson intervals for accuracies and Wilson-based (MOVER) intervals for error ratios (both shown; --error-ratio is not needed)")
			fs.Float64Var(&intervals.Confidence, "confidence", stats.DefaultConfidence, "two-sided confidence `LEVEL` of the --ci intervals")
			parsedVar(fs, &minImages, "min-images", fmt.Sprint(eval.DefaultMinImages), minImagesValue,
				"the fewest images (`N`) that single a factor out: fewer are flagged (markdown *, --ci and --counts few_images)")
			parsedVar(fs, &topK, "topk", "1", atLeast(1), "top-`K` accuracy: an image is right when any of the model's K most probable classes is (needs the top-k columns that imagenetx run --topk K writes)")
			fs.StringVar(&counts, "counts", "", "also write the images behind every value of the table, and the notes on worst_factor and worst_100_classes, as CSV to `FILE`")
			out.register(fs, tabular.CSV, tabular.JSON, tabular.Markdown)
			quietVar(fs, &quiet, "coverage notes")
		},
		run: func(ctx context.Context, e *env, _ []string) error {
			intervals.MinImages = minImages
			if ci {
				if err := intervals.Validate(); err != nil {
					return fmt.Errorf("--confidence: %w", err)
				}
			}
			// The tables and their intervals need only counts per model, so
			// that thousands of prediction files fit in bounded memory.
			acc, err := loadAccumulatorWith(ctx, e, &ds, &preds, quiet, eval.AccumulatorOptions{CountsOnly: true, TopK: topK})
			if err != nil {
				return topKHint(err)
			}
			table, err := tableForK(acc, errType, byMeta, topK > 1)
			if err != nil {
				return err
			}
			if topK > 1 && !quiet {
				if err := noteTopK(e.stderr, acc, errType); err != nil {
					return err
				}
			}
			if counts != "" {
				rec, err := table.Counts(minImages)
				if err != nil {
					return err
				}
				if err := e.writeOutput(counts, rec.WriteCSV); err != nil {
					return err
				}
			}
			if ci {
				it, err := table.Intervals(intervals)
				if err != nil {
					return err
				}
				return e.writeOutput(out.path, func(w io.Writer) error { return eval.WriteIntervals(w, it, out.format) })
			}
			view := eval.ViewAccuracy
			if ratio {
				view = eval.ViewErrorRatio
			}
			return e.writeOutput(out.path, func(w io.Writer) error {
				if out.format == tabular.Markdown && table.K > 1 {
					if _, err := fmt.Fprintf(w, "Top-%d accuracy: an image counts as right when its class is among the model's %d most probable.\n\n", table.K, table.K); err != nil {
						return err
					}
				}
				return eval.WriteTableWith(w, table, eval.TableWriting{Format: out.format, View: view, MinImages: minImages})
			})
		},
	}
}

// loadAccumulator loads the annotations and joins the predictions with
// them, noting the coverage of each model on stderr unless quiet.
func loadAccumulator(ctx context.Context, e *env, ds *datasetFlags, preds *predictionFlags, quiet bool) (*eval.Accumulator, error) {
	return loadAccumulatorWith(ctx, e, ds, preds, quiet, eval.AccumulatorOptions{})
}

// loadAccumulatorWith is loadAccumulator with accumulator options.
func loadAccumulatorWith(ctx context.Context, e *env, ds *datasetFlags, preds *predictionFlags, quiet bool, opt eval.AccumulatorOptions) (*eval.Accumulator, error) {
	sources, err := preds.sources()
	if err != nil {
		return nil, err
	}
	return loadSources(ctx, e, ds, sources, quiet, opt)
}

// loadSources is loadAccumulatorWith for already expanded sources.
func loadSources(ctx context.Context, e *env, ds *datasetFlags, sources []load.Source, quiet bool, opt eval.AccumulatorOptions) (*eval.Accumulator, error) {
	dataset, err := ds.load()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	acc := eval.NewAccumulatorWith(dataset, opt)
	if err := load.Predictions(ctx, acc, sources); err != nil {
		return nil, err
	}
	if !quiet {
		reportCoverage(e.stderr, acc)
	}
	return acc, ctx.Err()
}

// minImagesValue reads --min-images.
func minImagesValue(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, errors.New("want an integer")
	}
	return n, eval.CheckMinImages(n)
}

// topKHint adds, to a refusal of predictions without enough ranked
// classes, how to make them.
func topKHint(err error) error {
	var few *load.TooFewRanksError
	if errors.As(err, &few) {
		return fmt.Errorf("%w; `imagenetx run --topk %d` writes them", err, few.K)
	}
	return err
}

// noteTopK writes each model's top-1 and top-k over its annotated images.
func noteTopK(w io.Writer, acc *eval.Accumulator, et eval.ErrorType) error {
	ss, err := acc.Summaries(et, eval.IntervalOptions{Confidence: stats.DefaultConfidence})
	if err != nil {
		return err
	}
	for _, s := range ss {
		fmt.Fprintf(w, "%s: top-1 %d/%d = %.4f, top-%d %d/%d = %.4f over the annotated images it predicted\n",
			s.Model, s.Top1.Correct, s.Top1.N, s.Top1.Value, s.K, s.TopK.Correct, s.TopK.N, s.TopK.Value)
	}
	return nil
}

func tableFor(acc *eval.Accumulator, et eval.ErrorType, byMetaclass bool) (*eval.Table, error) {
	return tableForK(acc, et, byMetaclass, false)
}

// tableForK is tableFor, of top-k accuracy when topK.
func tableForK(acc *eval.Accumulator, et eval.ErrorType, byMetaclass, topK bool) (*eval.Table, error) {
	switch {
	case byMetaclass && topK:
		return acc.TopKMetaclassTable(et)
	case byMetaclass:
		return acc.MetaclassTable(et)
	case topK:
		return acc.TopKTable(et)
	}
	return acc.Table(et)
}

// reportCoverage notes, per model, how the predictions joined the annotations.
func reportCoverage(w io.Writer, acc *eval.Accumulator) {
	for _, name := range acc.Models() {
		m, _ := acc.Model(name)
		c := m.Coverage()
		fmt.Fprintf(w, "%s: %d of %d annotated images have a prediction (%d missing); %d predictions have no annotation\n",
			name, c.Joined, c.Annotated, c.Missing, c.Unannotated)
	}
}
