// Package report lays out the imagenetx audit as one self-contained HTML
// page: inline SVG charts (drawn by report/chart), inline CSS and an
// embedded font, thumbnails as data: URIs, no script and nothing fetched
// from the network (a Content-Security-Policy forbids it). It only arranges
// and draws: tables come from eval, intervals and calibration from
// eval/stats and eval/analysis.
package report

import (
	"context"
	"fmt"
	"io"

	"github.com/imagenetx/imagenetx/eval"
)

// Input is everything a report shows. Every part is optional but at least
// one of Accumulator and Sweeps must be given.
type Input struct {
	// Title heads the page; empty means "ImageNet-X audit".
	Title string
	// Accumulator holds the models' predictions joined with the
	// annotations; nil for a report of sweeps only.
	Accumulator *eval.Accumulator
	// ErrorType says when a prediction is correct.
	ErrorType eval.ErrorType
	// ImagesDir, when set, is searched (recursively) for the annotated
	// images by file name to show strips of misclassified examples.
	ImagesDir string
	// ExamplesPerFactor caps each factor's strip; 0 means 8.
	ExamplesPerFactor int
	// Sweeps are test-time spill-over sweeps to chart.
	Sweeps []Sweep
	// Notes are shown under the title as given (e.g. the command line).
	Notes []string
}

// DefaultExamplesPerFactor is the length of a factor's example strip.
const DefaultExamplesPerFactor = 8

// Sweep is one test-time sweep of a model over the strengths of a variant:
// per factor, the error ratio at each strength, the fitted curve and
// whether the change is significant. The sweep command fills it.
type Sweep struct {
	// Title names the sweep, e.g. "mobilenetv2-12-int8 × colorjitter".
	Title string
	// StrengthLabel labels the x axis; empty means "strength".
	StrengthLabel string
	// Strengths are the strengths swept, ascending.
	Strengths []float64
	// Factors holds one entry per factor.
	Factors []SweepFactor
}

// SweepFactor is one factor of a Sweep.
type SweepFactor struct {
	Name string
	// ErrorRatio holds the error ratio at each of Sweep.Strengths (NaN
	// where unmeasured).
	ErrorRatio []float64
	// FitX and FitY trace the fitted curve; empty means none.
	FitX, FitY []float64
	// Significant marks a factor whose error ratio changes significantly
	// with strength; it is highlighted.
	Significant bool
	// Evidence says why, e.g. "McNemar p = 0.003 (Holm)"; shown in the table.
	Evidence string
}

// Write builds the report and writes the HTML page to w.
func Write(ctx context.Context, w io.Writer, in Input) error {
	if in.Accumulator == nil && len(in.Sweeps) == 0 {
		return fmt.Errorf("report: nothing to report (no predictions and no sweep)")
	}
	p, err := build(ctx, in)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := pageTemplate.Execute(w, p); err != nil {
		return fmt.Errorf("report: write page: %w", err)
	}
	return nil
}
