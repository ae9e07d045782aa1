package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/eval/stats"
	"github.com/imagenetx/imagenetx/eval/tabular"
	"github.com/imagenetx/imagenetx/internal/atomicfile"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// predictionsFlagUsage is the help of every --predictions flag that reads
// several models (load.Sources, load.ParseNamed).
const predictionsFlagUsage = "predictions CSV `PATH`, NAME=PATH (the file, as model NAME) or folder of CSVs, one model each (repeatable)"

// datasetFlags are the flags that choose the annotations, shared by every
// command that scores predictions.
type datasetFlags struct {
	dir, factors, partition string
	keepPrototypes          bool
}

func (d *datasetFlags) register(fs *flag.FlagSet) { d.registerWithFactors(fs, "top") }

// registerWithFactors registers the flags with another default release.
func (d *datasetFlags) registerWithFactors(fs *flag.FlagSet, factors string) {
	d.registerNamed(fs, "factors", factors)
}

// registerNamed registers the flags with the release flag named
// releaseFlag (spillover's --factors lists factors) and default release.
func (d *datasetFlags) registerNamed(fs *flag.FlagSet, releaseFlag, factors string) {
	fs.StringVar(&d.dir, "annotations", "", "ImageNet-X annotations `DIR` (upstream file names)")
	fs.StringVar(&d.factors, releaseFlag, factors, "annotation release: top or multi")
	fs.StringVar(&d.partition, "partition", "val", "annotated split: val or train")
	fs.BoolVar(&d.keepPrototypes, "keep-prototypes", false, "keep the 3,000 prototypical images (excluded by default, as in the reference)")
}

func (d *datasetFlags) load() (*eval.Dataset, error) {
	if d.dir == "" {
		return nil, fmt.Errorf("--annotations DIR is required")
	}
	opts, err := d.options()
	if err != nil {
		return nil, err
	}
	return load.Annotations(d.dir, opts)
}

// options are the dataset options the flags choose.
func (d *datasetFlags) options() (eval.DatasetOptions, error) {
	fset, err := eval.ParseFactorSet(d.factors)
	if err != nil {
		return eval.DatasetOptions{}, err
	}
	part, err := eval.ParsePartition(d.partition)
	if err != nil {
		return eval.DatasetOptions{}, err
	}
	return eval.DatasetOptions{Factors: fset, Partition: part, KeepPrototypes: d.keepPrototypes}, nil
}

func runEval(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	var ds datasetFlags
	ds.register(fs)
	var preds stringList
	fs.Var(&preds, "predictions", predictionsFlagUsage)
	errType := fs.String("error-type", "class", "when a prediction is correct: class, metaclass or real")
	byMeta := fs.Bool("by-metaclass", false, "one row per (model, metaclass)")
	ratio := fs.Bool("error-ratio", false, "print error ratios (1-factor acc)/(1-average) instead of accuracies")
	ci := fs.Bool("ci", false, "long form (model,[metaclass,]factor,…) with Wilson intervals for accuracies and Wilson-based (MOVER) intervals for error ratios (both shown; --error-ratio is not needed)")
	confidence := fs.Float64("confidence", stats.DefaultConfidence, "two-sided confidence level of the --ci intervals")
	minImages := fs.Int("min-images", eval.DefaultMinImages, "the fewest images that single a factor out: fewer are flagged (markdown *, --ci and --counts few_images)")
	topK := fs.Int("topk", 1, "top-`K` accuracy: an image is right when any of the model's K most probable classes is (needs the top-k columns `imagenetx run --topk K` writes)")
	counts := fs.String("counts", "", "also write the images behind every value of the table, and the notes on worst_factor and worst_100_classes, as CSV to `FILE`")
	format := fs.String("format", "csv", "output format: csv, json or markdown")
	out := fs.String("o", "", "output `FILE` (default stdout)")
	quiet := fs.Bool("quiet", false, "no coverage notes on stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	et, err := eval.ParseErrorType(*errType)
	if err != nil {
		return err
	}
	fmtv, err := tabular.ParseFormat(*format)
	if err != nil {
		return err
	}
	if err := eval.CheckMinImages(*minImages); err != nil {
		return fmt.Errorf("--min-images: %w", err)
	}
	if *topK < 1 {
		return fmt.Errorf("--topk %d: want 1 or more", *topK)
	}
	opt := eval.IntervalOptions{Confidence: *confidence, MinImages: *minImages}
	if *ci {
		if err := opt.Validate(); err != nil {
			return fmt.Errorf("--confidence: %w", err)
		}
	}
	// The tables and their intervals need only counts per model, so that
	// thousands of prediction files fit in bounded memory.
	acc, err := loadAccumulatorWith(ctx, &ds, preds, *quiet, eval.AccumulatorOptions{CountsOnly: true, TopK: *topK})
	if err != nil {
		return topKHint(err)
	}
	table, err := tableForK(acc, et, *byMeta, *topK > 1)
	if err != nil {
		return err
	}
	if *topK > 1 && !*quiet {
		if err := noteTopK(os.Stderr, acc, et); err != nil {
			return err
		}
	}
	if *counts != "" {
		rec, err := table.Counts(*minImages)
		if err != nil {
			return err
		}
		if err := writeOutput(*counts, rec.WriteCSV); err != nil {
			return err
		}
	}
	if *ci {
		it, err := table.Intervals(opt)
		if err != nil {
			return err
		}
		return writeOutput(*out, func(w io.Writer) error { return eval.WriteIntervals(w, it, fmtv) })
	}
	view := eval.ViewAccuracy
	if *ratio {
		view = eval.ViewErrorRatio
	}
	return writeOutput(*out, func(w io.Writer) error {
		if fmtv == tabular.Markdown && table.K > 1 {
			if _, err := fmt.Fprintf(w, "Top-%d accuracy: an image counts as right when its class is among the model's %d most probable.\n\n", table.K, table.K); err != nil {
				return err
			}
		}
		return eval.WriteTableWith(w, table, eval.TableWriting{Format: fmtv, View: view, MinImages: *minImages})
	})
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

// loadAccumulator loads the annotations and joins the predictions with
// them, noting the coverage of each model on stderr unless quiet.
func loadAccumulator(ctx context.Context, ds *datasetFlags, preds []string, quiet bool) (*eval.Accumulator, error) {
	return loadAccumulatorWith(ctx, ds, preds, quiet, eval.AccumulatorOptions{})
}

// loadAccumulatorWith is loadAccumulator with accumulator options.
func loadAccumulatorWith(ctx context.Context, ds *datasetFlags, preds []string, quiet bool, opt eval.AccumulatorOptions) (*eval.Accumulator, error) {
	if len(preds) == 0 {
		return nil, fmt.Errorf("--predictions PATH is required")
	}
	sources, err := load.Sources(preds)
	if err != nil {
		return nil, err
	}
	return loadSources(ctx, ds, sources, quiet, opt)
}

// loadSources is loadAccumulatorWith for already expanded sources.
func loadSources(ctx context.Context, ds *datasetFlags, sources []load.Source, quiet bool, opt eval.AccumulatorOptions) (*eval.Accumulator, error) {
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
		reportCoverage(os.Stderr, acc)
	}
	return acc, ctx.Err()
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

// writeOutput writes a command's output by atomicfile's rule: "" and "-"
// are standard output; a device or FIFO is written in place; a file is
// replaced only when whole.
func writeOutput(path string, fill func(w io.Writer) error) error {
	return atomicfile.Write(cmp.Or(path, "-"), fill)
}
