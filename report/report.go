// Package report lays out the imagenetx audit as one self-contained HTML
// page: inline SVG charts (drawn by report/chart), inline CSS and an
// embedded font, thumbnails as data: URIs, no script and nothing fetched
// from the network (a Content-Security-Policy forbids it). It only arranges
// and draws: tables come from eval, intervals and calibration from
// eval/stats and eval/analysis, sweeps' curves, fits and verdicts from
// eval/sweep.
package report

import (
	"context"
	"fmt"
	"io"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/sweep"
	"github.com/imagenetx/imagenetx/preprocess"
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
	// Decode is how the examples' images are decoded: give the run's
	// options (its policy, Strict or Pillow's) so that a thumbnail shows
	// the pixels the model was given. Its pixel limit is capped for
	// thumbnails.
	Decode preprocess.DecodeOptions
	// ExamplesPerFactor caps each factor's strip; 0 means 8.
	ExamplesPerFactor int
	// Sweeps are test-time spill-over sweeps to chart, as eval/sweep gives
	// them (Result.Curves, LoadDir): drawn as given, significant factors in
	// colour.
	Sweeps []sweep.Curves
	// Notes are shown under the title as given (e.g. the command line).
	Notes []string
}

// DefaultExamplesPerFactor is the length of a factor's example strip.
const DefaultExamplesPerFactor = 8

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
