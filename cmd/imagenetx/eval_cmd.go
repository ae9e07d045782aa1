package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/imagenetx/imagenetx/eval"
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

func (d *datasetFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.dir, "annotations", "", "ImageNet-X annotations `DIR` (upstream file names)")
	fs.StringVar(&d.factors, "factors", "top", "annotation release: top or multi")
	fs.StringVar(&d.partition, "partition", "val", "annotated split: val or train")
	fs.BoolVar(&d.keepPrototypes, "keep-prototypes", false, "keep the 3,000 prototypical images (excluded by default, as in the reference)")
}

func (d *datasetFlags) load() (*eval.Dataset, error) {
	if d.dir == "" {
		return nil, fmt.Errorf("--annotations DIR is required")
	}
	fset, err := eval.ParseFactorSet(d.factors)
	if err != nil {
		return nil, err
	}
	part, err := eval.ParsePartition(d.partition)
	if err != nil {
		return nil, err
	}
	return eval.LoadDataset(d.dir, eval.DatasetOptions{Factors: fset, Partition: part, KeepPrototypes: d.keepPrototypes})
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
	format := fs.String("format", "csv", "output format: csv, json or markdown")
	out := fs.String("o", "", "output `FILE` (default stdout)")
	quiet := fs.Bool("quiet", false, "no coverage notes on stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(preds) == 0 {
		return fmt.Errorf("--predictions PATH is required")
	}
	et, err := eval.ParseErrorType(*errType)
	if err != nil {
		return err
	}
	fmtv, err := eval.ParseFormat(*format)
	if err != nil {
		return err
	}
	sources, err := eval.ExpandPredictionPaths(preds)
	if err != nil {
		return err
	}
	dataset, err := ds.load()
	if err != nil {
		return err
	}
	acc := eval.NewAccumulator(dataset)
	if err := eval.LoadPredictions(acc, sources); err != nil {
		return err
	}
	if !*quiet {
		reportCoverage(os.Stderr, acc)
	}
	table, err := tableFor(acc, et, *byMeta)
	if err != nil {
		return err
	}
	view := eval.ViewAccuracy
	if *ratio {
		view = eval.ViewErrorRatio
	}
	return writeOutput(*out, func(w io.Writer) error { return eval.WriteTable(w, table, fmtv, view) })
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

// writeOutput writes to stdout, or atomically to path.
func writeOutput(path string, fill func(w io.Writer) error) error {
	if path == "" || path == "-" {
		return fill(os.Stdout)
	}
	return atomicfile.WriteFile(path, func(f *os.File) error { return fill(f) })
}
