package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"slices"
	"strings"

	"github.com/imagenetx/imagenetx"
	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/population"
	"github.com/imagenetx/imagenetx/internal/cli"
	"github.com/imagenetx/imagenetx/report"
	"github.com/imagenetx/imagenetx/report/chart"
)

// plotCommand is `imagenetx plot`.
func plotCommand() *cli.Command {
	var (
		rf         reportFlags
		model, out string
		results    string
		by         string
	)
	return &cli.Command{
		Name: "plot",
		Usage: "imagenetx plot KIND [--annotations DIR] --predictions PATH... -o FILE.svg|png [flags]\n" +
			"imagenetx plot sweep --sweep DIR -o FILE.svg|png\n" +
			"imagenetx plot model-types|population-scatter [--results DIR] [--predictions PATH]...\n" +
			"-o FILE.svg|png",
		Short: "one report chart as SVG or PNG",
		Long: `
Draws one chart of the report on its own, for papers. KIND is one of:
  ` + strings.Join(report.ChartKinds, ", ") + `
and, from the paper's published models (--results, --factors, --error-type):
  model-types         mean error ratio per factor and model type (--by
                      architecture: per architecture), ± one std, factors
                      whose Alexander–Govern test is not significant at
                      0.05 pale
  population-scatter  one panel per factor: accuracy against the factor's
                      accuracy, coloured by type, the identity line; the
                      --predictions models highlighted
The format follows the extension of -o.`,
		Args:    "KIND",
		MinArgs: 1, MaxArgs: 1,
		Flags: func(fs *flag.FlagSet) {
			rf.register(fs)
			fs.StringVar(&model, "model", "", "`MODEL` whose heatmap to draw (needed with several models)")
			fs.StringVar(&out, "o", "", "output `FILE`, .svg or .png")
			resultsVar(fs, &results)
			groupingVar(fs, &by)
		},
		Run: func(ctx context.Context, e *cli.Env, args []string) error {
			kind := args[0]
			kinds := append(slices.Clone(report.ChartKinds), report.PopulationChartKinds...)
			if !slices.Contains(kinds, kind) {
				return cli.Usagef("unknown chart %q (want %s)", kind, strings.Join(kinds, ", "))
			}
			if out == "" || out == "-" {
				return cli.Usagef("-o FILE.svg or FILE.png is required")
			}
			format, err := chart.FormatOf(out)
			if err != nil {
				return err
			}
			if slices.Contains(report.PopulationChartKinds, kind) {
				c, err := populationChart(ctx, e, kind, &rf, results, by)
				if err != nil {
					return err
				}
				return e.WriteOutput(out, func(w io.Writer) error { return c.Write(w, format) })
			}
			in, err := rf.input(ctx, e)
			if err != nil {
				return err
			}
			c, err := report.Chart(ctx, kind, in, model)
			if errors.Is(err, report.ErrWhichModel) {
				return cli.Usagef("--model MODEL is required: %v", err)
			}
			if err != nil {
				return err
			}
			return e.WriteOutput(out, func(w io.Writer) error { return c.Write(w, format) })
		},
	}
}

// populationChart draws one of report.PopulationChartKinds from the
// published results, the scatter with the --predictions models highlighted.
func populationChart(ctx context.Context, e *cli.Env, kind string, rf *reportFlags, results, by string) (*chart.Chart, error) {
	release := rf.in.dataset.opts.Factors
	pub, err := imagenetx.LoadPublished(results, release, rf.errorType)
	if err != nil {
		return nil, err
	}
	if kind == "model-types" {
		pop, err := pub.Grouped(by)
		if err != nil {
			return nil, err
		}
		c, err := population.Compare(pop)
		if err != nil {
			return nil, err
		}
		return report.TypeChart(c)
	}
	var rows []eval.Row
	if len(rf.in.predictions) > 0 {
		t, err := placeableTable(ctx, e, &rf.in, rf.errorType)
		if err != nil {
			return nil, err
		}
		rows = t.Rows
	}
	scatter := pub.Scatter()
	return report.ScatterChart(scatter, population.ScatterOrder(scatter), rows, rf.errorType)
}
