package report

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/imagenetx/imagenetx/report/chart"
)

// ErrWhichModel is Chart's error for a heatmap of several models with none
// named.
var ErrWhichModel = errors.New("the heatmap is drawn for one model")

// ChartKinds lists the charts Chart draws, by name.
var ChartKinds = []string{"error-ratio", "accuracy", "heatmap", "calibration", "sweep"}

// Chart draws one of the report's charts on its own (for papers):
// "error-ratio", "accuracy", "heatmap" (of the named model, or of the only
// one), "calibration" (these need in.Accumulator), or "sweep" (the first of
// in.Sweeps).
func Chart(ctx context.Context, kind string, in Input, model string) (*chart.Chart, error) {
	in.ImagesDir = "" // thumbnails are not charts
	if kind != "sweep" && in.Accumulator == nil {
		return nil, fmt.Errorf("report: the %s chart needs predictions", kind)
	}
	if kind == "sweep" && len(in.Sweeps) == 0 {
		return nil, fmt.Errorf("report: the sweep chart needs a sweep")
	}
	if kind != "sweep" {
		in.Sweeps = nil
	}
	p, err := build(ctx, in)
	if err != nil {
		return nil, err
	}
	var fig *figure
	switch kind {
	case "error-ratio":
		fig = p.ErrorRatio
	case "accuracy":
		fig = p.Accuracy
	case "calibration":
		fig = p.Calibration
	case "sweep":
		fig = p.Sweeps[0].Figure
	case "heatmap":
		fig, err = pickHeatmap(p.Heatmaps, model)
		if err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("report: unknown chart %q (want %s)", kind, strings.Join(ChartKinds, ", "))
	}
	if fig == nil {
		return nil, fmt.Errorf("report: no data for the %s chart", kind)
	}
	return fig.chart, nil
}

func pickHeatmap(figs []*figure, model string) (*figure, error) {
	var names []string
	for _, f := range figs {
		if f.Title == model || (model == "" && len(figs) == 1) {
			return f, nil
		}
		names = append(names, f.Title)
	}
	if model == "" {
		return nil, fmt.Errorf("report: %w: one of %s", ErrWhichModel, strings.Join(names, ", "))
	}
	return nil, fmt.Errorf("report: no heatmap for model %q (have %s)", model, strings.Join(names, ", "))
}
