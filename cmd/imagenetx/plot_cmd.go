package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/imagenetx/imagenetx/report"
	"github.com/imagenetx/imagenetx/report/chart"
)

// plotCommand is `imagenetx plot`.
func plotCommand() *command {
	var (
		rf    reportFlags
		model string
		out   string
	)
	return &command{
		name: "plot",
		usage: "imagenetx plot KIND --annotations DIR --predictions PATH... -o FILE.svg|png [flags]\n" +
			"imagenetx plot sweep --sweep DIR -o FILE.svg|png",
		short: "one report chart as SVG or PNG",
		long: `
Draws one chart of the report on its own, for papers. KIND is one of:
  ` + strings.Join(report.ChartKinds, ", ") + `
The format follows the extension of -o.`,
		args:    "KIND",
		minArgs: 1, maxArgs: 1,
		flags: func(fs *flag.FlagSet) {
			rf.register(fs)
			fs.StringVar(&model, "model", "", "`MODEL` whose heatmap to draw (needed with several models)")
			fs.StringVar(&out, "o", "", "output `FILE`, .svg or .png")
		},
		run: func(ctx context.Context, e *env, args []string) error {
			kind := args[0]
			if !slices.Contains(report.ChartKinds, kind) {
				return usagef("unknown chart %q (want %s)", kind, strings.Join(report.ChartKinds, ", "))
			}
			format, err := plotFormat(out)
			if err != nil {
				return err
			}
			in, err := rf.input(ctx, e)
			if err != nil {
				return err
			}
			c, err := report.Chart(ctx, kind, in, model)
			if errors.Is(err, report.ErrWhichModel) {
				return usagef("--model MODEL is required: %v", err)
			}
			if err != nil {
				return err
			}
			return e.writeOutput(out, func(w io.Writer) error { return c.Write(w, format) })
		},
	}
}

// plotFormat picks the chart format from the output file's extension.
func plotFormat(path string) (chart.Format, error) {
	if path == "" || path == "-" {
		return "", usagef("-o FILE.svg or FILE.png is required")
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".svg":
		return chart.SVG, nil
	case ".png":
		return chart.PNG, nil
	}
	return "", fmt.Errorf("-o %s: want a .svg or .png file", path)
}
