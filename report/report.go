package report

import (
	"context"
	"fmt"
	"io"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/sweep"
	"github.com/imagenetx/imagenetx/preprocess"
)

// Input is everything a report shows, as values: the report computes
// nothing from files but the thumbnails of ImagesDir. Every part is optional
// but at least one of Accumulator and Sweeps must be given.
type Input struct {
	// Title heads the page; empty means "ImageNet-X audit".
	Title string
	// Accumulator holds the models' predictions joined with the
	// annotations; nil for a report of sweeps only. It must keep the
	// per-image predictions (not AccumulatorOptions.CountsOnly).
	Accumulator *eval.Accumulator
	// ErrorType says when a prediction is correct.
	ErrorType eval.ErrorType
	// Models adds, by name, what the accumulator cannot know about each of
	// its models: the score over every scored image (annotated or not) and
	// the images that failed. A model of the accumulator missing here is
	// shown with what the accumulator has; its order sets the order of the
	// leaderboard (the accumulator's name order otherwise).
	Models []Model
	// Baseline names the model the others are compared with; "" means the
	// first of Models, or the accumulator's first model.
	Baseline string
	// Comparisons are shown as given when set (eval.Compare's results, e.g.
	// an audit's leaderboard); otherwise, with several models, the report
	// compares each with Baseline itself (eval.Compare: exact McNemar per
	// factor, Holm-corrected, at the 0.05 level, on the images both
	// predicted).
	Comparisons []*eval.Comparison
	// MinImages is the number of images a factor needs before the headline
	// names it as harder or easier than average; 0 means
	// eval.DefaultMinImages. Factors with fewer are shown in italics.
	MinImages int
	// ImagesDir, when set, is searched (recursively) for the annotated
	// images by file name to show thumbnails of misclassified images.
	ImagesDir string
	// Decode is how the examples' images are decoded: give the run's
	// options (its policy, Strict or Pillow's) so that a thumbnail shows
	// the pixels the model was given. Its pixel limit is capped for
	// thumbnails.
	Decode preprocess.DecodeOptions
	// ExamplesPerFactor is how many of each factor's misclassified images
	// get a thumbnail (the first ones of its list: those most models got
	// wrong, most confidently); 0 means DefaultExamplesPerFactor. Each
	// thumbnail is embedded once (about 6 KB) however many factors show it,
	// so the page holds at most 16 × ExamplesPerFactor of them.
	ExamplesPerFactor int
	// Sweeps are test-time spill-over sweeps to chart, as eval/sweep gives
	// them (Result.Curves, LoadDir): drawn as given, significant factors in
	// colour.
	Sweeps []sweep.Curves
	// Notes are shown under the title as given (e.g. the command line).
	Notes []string
	// Population, when set, adds the section "Among the paper's models":
	// the audited models placed among the paper's published models.
	Population *Population
}

// Model is what a report shows about one model beyond its predictions on
// the annotated images.
type Model struct {
	// Name is the model's name in the accumulator.
	Name string
	// Score is the model's accuracy over every scored image that has a
	// label, annotated or not; the zero value means unknown (the headline
	// then gives the accuracy on the annotated images only).
	Score Score
	// Failed lists images the model could not score (decode errors and
	// the like), as the run's errors file gives them.
	Failed []Failure
	// VsBaseline, when set, is the model's top-1 compared with the
	// baseline's on the labelled images both scored (an audit's
	// leaderboard). The leaderboard and "What stands out" then show this
	// comparison, with the same numbers as the audit's terminal summary
	// and leaderboard.csv; without it they show the comparison on the
	// annotated images (eval.Compare's average row).
	VsBaseline *Paired
}

// Paired is one model's top-1 against the baseline's on the labelled
// images both scored: the difference, and an exact McNemar test of the
// images only one of them got right, corrected across the models.
type Paired struct {
	// Images is the number of labelled images both scored.
	Images                  int
	Difference              float64
	OnlyBaseline, OnlyModel int
	// P is the McNemar p-value, PAdjusted after Correction across the
	// models; Significant is PAdjusted below the level used.
	P, PAdjusted float64
	Correction   eval.Correction
	Significant  bool
}

// Points writes a difference in accuracy as signed percentage points
// ("-4.2 pts"): the one format of a comparison with the baseline in the
// terminal, leaderboard and page, so that it reads the same everywhere.
func Points(d float64) string { return fmt.Sprintf("%+.1f pts", 100*d) }

// PValue3 writes a corrected p-value with 3 significant digits, as the
// terminal's leaderboard and the page's write it.
func PValue3(p float64) string { return fmt.Sprintf("%.3g", p) }

// Score counts a model's correct answers over the labelled images it
// scored.
type Score struct {
	// Labeled is the number of scored images that have a label; Top1 of
	// them have the label as the first class, TopK among the first K.
	Labeled, Top1, TopK int
	// K is the number of classes each prediction carried; K < 2 means the
	// predictions had no top-k columns and TopK is not shown.
	K int
}

// Failure is an image that failed, with the stage that failed (decode,
// preprocess, infer…) and why.
type Failure struct {
	File, Stage, Reason string
}

// DefaultExamplesPerFactor is the number of thumbnails of each factor's
// misclassified images.
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
