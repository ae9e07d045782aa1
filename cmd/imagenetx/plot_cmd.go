package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/imagenetx/imagenetx/report"
	"github.com/imagenetx/imagenetx/report/chart"
)

const plotUsage = `usage: imagenetx plot KIND --predictions PATH... --annotations DIR -o FILE.svg|png
       imagenetx plot sweep --sweep DIR -o FILE.svg|png

Draws one chart of the report on its own, for papers. KIND is one of:
  %s
The format follows the extension of -o.

flags:
`

// runPlot implements "imagenetx plot".
func runPlot(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("plot", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), plotUsage, strings.Join(report.ChartKinds, ", "))
		fs.PrintDefaults()
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs.Usage()
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			return flag.ErrHelp
		}
		return fmt.Errorf("plot: KIND is required (%s)", strings.Join(report.ChartKinds, ", "))
	}
	kind := args[0]
	if !slices.Contains(report.ChartKinds, kind) {
		return fmt.Errorf("plot: unknown chart %q (want %s)", kind, strings.Join(report.ChartKinds, ", "))
	}
	var rf reportFlags
	rf.register(fs)
	model := fs.String("model", "", "model whose heatmap to draw (needed with several models)")
	out := fs.String("o", "", "output `FILE`, .svg or .png")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("plot: unexpected argument %q", fs.Arg(0))
	}
	format, err := plotFormat(*out)
	if err != nil {
		return err
	}
	in, err := rf.input(ctx)
	if err != nil {
		return err
	}
	c, err := report.Chart(ctx, kind, in, *model)
	if err != nil {
		return err
	}
	return writeOutput(*out, func(w io.Writer) error { return c.Write(w, format) })
}

// plotFormat picks the chart format from the output file's extension.
func plotFormat(path string) (chart.Format, error) {
	if path == "" || path == "-" {
		return "", fmt.Errorf("plot: -o FILE.svg or FILE.png is required")
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".svg":
		return chart.SVG, nil
	case ".png":
		return chart.PNG, nil
	}
	return "", fmt.Errorf("plot: -o %s: want a .svg or .png file", path)
}
