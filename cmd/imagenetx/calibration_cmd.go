package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/analysis"
	"github.com/imagenetx/imagenetx/eval/stats"
	"github.com/imagenetx/imagenetx/eval/tabular"
)

const calibrationUsage = `usage: imagenetx calibration --predictions PATH --annotations DIR [flags]

Expected calibration error of each model per factor, the worst factor and
over all images (average), in the layout of the reference toolkit's
compute_factor_calibration_errors: equal-width bins over
predicted_probability, ECE = Σ (bin share)·|bin accuracy − bin confidence|.

flags:
`

// runCalibration implements "imagenetx calibration".
func runCalibration(ctx context.Context, args []string) error {
	return calibrationCommand(ctx, args, os.Stderr)
}

func calibrationCommand(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("calibration", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, calibrationUsage)
		fs.PrintDefaults()
	}
	var m analysisFlags
	m.register(fs)
	bins := fs.Int("bins", stats.DefaultCalibrationBins, "number of equal-width confidence bins")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := m.check(fs); err != nil {
		return err
	}
	if *bins < 1 {
		return fmt.Errorf("--bins %d: want at least 1", *bins)
	}
	acc, err := loadAccumulator(ctx, &m.dataset, m.predictions, m.quiet)
	if err != nil {
		return err
	}
	models := acc.Models()
	reports := make([]analysis.CalibrationReport, len(models))
	for i, name := range models {
		p, err := analysis.FromAccumulator(acc, name, m.errorType)
		if err != nil {
			return err
		}
		if reports[i], err = analysis.FactorCalibration(p, *bins); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	t := analysis.NewCalibrationTable(models, reports, m.byMetaclass)
	return writeOutput(m.output, func(w io.Writer) error { return analysis.WriteCalibration(w, t, m.format) })
}

// analysisFlags are the flags of the per-model analyses: which annotations,
// which predictions, when a prediction is correct, and the output.
type analysisFlags struct {
	dataset                   datasetFlags
	predictions               stringList
	errorTypeName, formatName string
	output                    string
	byMetaclass, quiet        bool
	errorType                 eval.ErrorType
	format                    tabular.Format
}

func (m *analysisFlags) register(fs *flag.FlagSet) {
	m.dataset.register(fs)
	fs.Var(&m.predictions, "predictions", predictionsFlagUsage)
	fs.StringVar(&m.errorTypeName, "error-type", "class", "when a prediction is correct: class, metaclass or real")
	fs.BoolVar(&m.byMetaclass, "by-metaclass", false, "one group per (model, metaclass)")
	fs.StringVar(&m.formatName, "format", "csv", "output format: csv, json or markdown")
	fs.StringVar(&m.output, "o", "", "output `FILE` (default stdout)")
	fs.BoolVar(&m.quiet, "quiet", false, "no coverage notes on stderr")
}

// check parses the enumerated flags and rejects positional arguments.
func (m *analysisFlags) check(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if m.errorType, err = eval.ParseErrorType(m.errorTypeName); err != nil {
		return err
	}
	m.format, err = tabular.ParseFormat(m.formatName)
	return err
}
