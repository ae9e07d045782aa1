package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"slices"
	"strings"

	"github.com/imagenetx/imagenetx/internal/cli"
	"github.com/imagenetx/imagenetx/report"
	"github.com/imagenetx/imagenetx/report/chart"
)

// plotCommand is `imagenetx plot`.
func plotCommand() *cli.Command {
	var (
		rf         reportFlags
		model, out string
	)
	return &cli.Command{
		Name: "plot",
		Usage: "imagenetx plot KIND --annotations DIR --predictions PATH... -o FILE.svg|png [flags]\n" +
			"imagenetx plot sweep --sweep DIR -o FILE.svg|png",
		Short: "one report chart as SVG or PNG",
		Long: `
Draws one chart of the report on its own, for papers. KIND is one of:
  ` + strings.Join(report.ChartKinds, ", ") + `
The format follows the extension of -o.`,
		Args:    "KIND",
		MinArgs: 1, MaxArgs: 1,
		Flags: func(fs *flag.FlagSet) {
			rf.register(fs)
			fs.StringVar(&model, "model", "", "`MODEL` whose heatmap to draw (needed with several models)")
			fs.StringVar(&out, "o", "", "output `FILE`, .svg or .png")
		},
		Run: func(ctx context.Context, e *cli.Env, args []string) error {
			kind := args[0]
			if !slices.Contains(report.ChartKinds, kind) {
				return cli.Usagef("unknown chart %q (want %s)", kind, strings.Join(report.ChartKinds, ", "))
			}
			if out == "" || out == "-" {
				return cli.Usagef("-o FILE.svg or FILE.png is required")
			}
			format, err := chart.FormatOf(out)
			if err != nil {
				return err
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
