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
	"github.com/imagenetx/imagenetx/internal/cli"
)

// analysisFlags are the flags of the per-model analyses: which annotations
// and predictions, when a prediction is correct, and the output.
type analysisFlags struct {
	in          inputFlags
	errorType   eval.ErrorType
	byMetaclass bool
	out         tableFlags
	minImages   int
}

func (m *analysisFlags) register(fs *flag.FlagSet) {
	m.in.register(fs, "")
	errorTypeVar(fs, &m.errorType)
	fs.BoolVar(&m.byMetaclass, "by-metaclass", false, "one group per (model, metaclass)")
	m.out.register(fs, tabular.CSV, tabular.JSON, tabular.Markdown)
	minImagesVar(fs, &m.minImages, "images (`N`) a factor needs before its value is judged; fewer are flagged (* and † in markdown, a note on stderr for CSV and JSON)")
}

// calibrationCommand is `imagenetx calibration`.
func calibrationCommand() *cli.Command {
	var (
		m    analysisFlags
		bins int
	)
	return &cli.Command{
		Name:  "calibration",
		Usage: "imagenetx calibration [--annotations DIR] --predictions PATH... [-o FILE] [flags]",
		Short: "expected calibration error per factor, worst factor and overall",
		Long: `
Expected calibration error of each model per factor, the worst factor and
over all images (average), in the layout of the reference toolkit's
compute_factor_calibration_errors: equal-width bins over
predicted_probability, ECE = Σ (bin share)·|bin accuracy − bin confidence|.`,
		Flags: func(fs *flag.FlagSet) {
			m.register(fs)
			cli.Var(fs, &bins, "bins", fmt.Sprint(stats.DefaultCalibrationBins), cli.AtLeast(1), "`N` equal-width confidence bins")
		},
		Run: func(ctx context.Context, e *cli.Env, _ []string) error {
			acc, err := m.in.accumulate(ctx, e, eval.AccumulatorOptions{})
			if err != nil {
				return err
			}
			t, err := analysis.CalibrationTableOf(acc, m.errorType, bins, m.byMetaclass, m.minImages)
			if err != nil {
				return err
			}
			if m.out.format != tabular.Markdown && !m.in.quiet {
				// The reference's columns have no room for the flag.
				for _, c := range t.Caveats() {
					fmt.Fprintln(e.Stderr, c)
				}
			}
			return e.WriteOutput(m.out.path, func(w io.Writer) error { return analysis.WriteCalibration(w, t, m.out.format) })
		},
	}
}
