package main

import (
	"cmp"
	"context"
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

// datasetFlags are the flags that choose the annotations, shared by every
// command that scores predictions.
type datasetFlags struct {
	dir, factors, partition string
	keepPrototypes          bool
}

func (d *datasetFlags) register(fs *flag.FlagSet) { d.registerWithFactors(fs, "top") }

// registerWithFactors registers the flags with another default release.
func (d *datasetFlags) registerWithFactors(fs *flag.FlagSet, factors string) {
	fs.StringVar(&d.dir, "annotations", "", "ImageNet-X annotations `DIR` (upstream file names)")
	fs.StringVar(&d.factors, "factors", factors, "annotation release: top or multi")
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
	fs.Var(&preds, "predictions", "predictions CSV `PATH` or folder of CSVs (repeatable)")
	errType := fs.String("error-type", "class", "when a prediction is correct: class, metaclass or real")
	byMeta := fs.Bool("by-metaclass", false, "one row per (model, metaclass)")
	ratio := fs.Bool("error-ratio", false, "print error ratios (1-factor acc)/(1-average) instead of accuracies")
	ci := fs.Bool("ci", false, "long form (model,[metaclass,]factor,…) with Wilson intervals for accuracies and Wilson-based (MOVER) intervals for error ratios (both shown; --error-ratio is not needed)")
	confidence := fs.Float64("confidence", stats.DefaultConfidence, "two-sided confidence level of the --ci intervals")
	minImages := fs.Int("min-images", eval.DefaultMinImages, "with --ci, flag factors measured on fewer images")
	format := fs.String("format", "csv", "output format: csv, json or markdown")
	out := fs.String("o", "", "output `FILE` (default stdout)")
	quiet := fs.Bool("quiet", false, "no coverage notes on stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	et, err := eval.ParseErrorType(*errType)
	if err != nil {
		return err
	}
	fmtv, err := tabular.ParseFormat(*format)
	if err != nil {
		return err
	}
	opt := eval.IntervalOptions{Confidence: *confidence, MinImages: *minImages}
	if *ci {
		if err := opt.Validate(); err != nil {
			return fmt.Errorf("--confidence/--min-images: %w", err)
		}
	}
	// The tables and their intervals need only counts per model, so that
	// thousands of prediction files fit in bounded memory.
	acc, err := loadAccumulatorWith(ctx, &ds, preds, *quiet, eval.AccumulatorOptions{CountsOnly: true})
	if err != nil {
		return err
	}
	table, err := tableFor(acc, et, *byMeta)
	if err != nil {
		return err
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
	return writeOutput(*out, func(w io.Writer) error { return eval.WriteTable(w, table, fmtv, view) })
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
	if byMetaclass {
		return acc.MetaclassTable(et)
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
