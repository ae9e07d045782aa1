package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/analysis"
	"github.com/imagenetx/imagenetx/eval/stats"
	"github.com/imagenetx/imagenetx/eval/tabular"
)

// analysisFlags are the flags of the per-model analyses: which annotations,
// which predictions, when a prediction is correct, and the output.
type analysisFlags struct {
	dataset     datasetFlags
	predictions predictionFlags
	errorType   eval.ErrorType
	byMetaclass bool
	out         tableFlags
	quiet       bool
}

func (m *analysisFlags) register(fs *flag.FlagSet) {
	m.dataset.register(fs, "top", false)
	m.predictions.register(fs, "")
	errorTypeVar(fs, &m.errorType)
	fs.BoolVar(&m.byMetaclass, "by-metaclass", false, "one group per (model, metaclass)")
	m.out.register(fs, tabular.CSV, tabular.JSON, tabular.Markdown)
	quietVar(fs, &m.quiet, "coverage notes")
}

// calibrationCommand is `imagenetx calibration`.
func calibrationCommand() *command {
	var (
		m    analysisFlags
		bins int
	)
	return &command{
		name:  "calibration",
		usage: "imagenetx calibration --annotations DIR --predictions PATH... [-o FILE] [flags]",
		short: "expected calibration error per factor, worst factor and overall",
		long: `
Expected calibration error of each model per factor, the worst factor and
over all images (average), in the layout of the reference toolkit's
compute_factor_calibration_errors: equal-width bins over
predicted_probability, ECE = Σ (bin share)·|bin accuracy − bin confidence|.`,
		flags: func(fs *flag.FlagSet) {
			m.register(fs)
			parsedVar(fs, &bins, "bins", fmt.Sprint(stats.DefaultCalibrationBins), atLeast(1), "`N` equal-width confidence bins")
		},
		run: func(ctx context.Context, e *env, _ []string) error {
			acc, err := loadAccumulator(ctx, e, &m.dataset, &m.predictions, m.quiet)
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
				if reports[i], err = analysis.FactorCalibration(p, bins); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
			t := analysis.NewCalibrationTable(models, reports, m.byMetaclass)
			return e.writeOutput(m.out.path, func(w io.Writer) error { return analysis.WriteCalibration(w, t, m.out.format) })
		},
	}
}
