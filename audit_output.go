package imagenetx

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/tabular"
	"github.com/imagenetx/imagenetx/internal/atomicfile"
	"github.com/imagenetx/imagenetx/report"
	"github.com/imagenetx/imagenetx/runfiles"
)

// WriteSummary writes the audit for a terminal: the factor table
// (markdown), top-1 over the labelled images, and the worst factors by
// error ratio among those with enough images behind them.
func (a *Audit) WriteSummary(w io.Writer) error {
	if err := eval.WriteTable(w, a.Table, tabular.Markdown, eval.ViewAccuracy); err != nil {
		return err
	}
	if sc := a.Score; sc.Labeled > 0 {
		fmt.Fprintf(w, "\ntop-1: %d/%d = %.4f (%s)\n", sc.Top1, sc.Labeled, sc.Top1Accuracy(), LabelsFile)
	}
	if row, ok := a.Table.Row(a.Model); ok {
		fmt.Fprintf(w, "worst factors by error ratio: %s\n", worstFactors(row, 3))
	}
	return nil
}

// worstFactors names the k factors with the highest error ratio, among
// those with enough images for the ratio to mean something.
func worstFactors(r *eval.Row, k int) string {
	var s []string
	for _, f := range r.WorstFactors(k, eval.DefaultMinImages) {
		s = append(s, fmt.Sprintf("%s %.2f (%d images)", eval.Factors[f], r.ErrorRatio(f), r.Count[f]))
	}
	if len(s) == 0 {
		return fmt.Sprintf("none: no factor has %d images", eval.DefaultMinImages)
	}
	return strings.Join(s, ", ") + fmt.Sprintf(" (factors with fewer than %d images left out)", eval.DefaultMinImages)
}

// WriteReport writes the audit's HTML report: top-1/top-k over every
// labelled image, the factor tables, thumbnails of misclassified images
// decoded from the audited folder as the run decoded them, the images that
// failed (from the run's errors file, when it wrote one), and notes (the
// command line, …).
func (a *Audit) WriteReport(ctx context.Context, w io.Writer, notes []string) error {
	model := report.Model{Name: a.Model, Score: report.Score(a.Score)}
	if a.Outputs.Errors != "" {
		var err error
		if model, err = a.ReportModel(a.Outputs.Errors); err != nil {
			return err
		}
	}
	return report.Write(ctx, w, report.Input{
		Title:       "ImageNet-X audit of " + a.Model,
		Accumulator: a.Accumulator,
		Models:      []report.Model{model},
		ErrorType:   a.Table.ErrorType,
		ImagesDir:   a.imagesDir,
		Decode:      a.decode,
		Notes:       notes,
	})
}

// WriteFiles writes the audit's tables into dir (beside the run's files of
// AuditOptions.Output): factors.csv, in the reference layout, and
// report.html, each by atomicfile's rule.
func (a *Audit) WriteFiles(ctx context.Context, dir string, notes []string) error {
	err := atomicfile.Write(filepath.Join(dir, runfiles.FactorsFile), func(w io.Writer) error {
		return eval.WriteTable(w, a.Table, tabular.CSV, eval.ViewAccuracy)
	})
	if err != nil {
		return err
	}
	err = atomicfile.Write(filepath.Join(dir, runfiles.ReportFile), func(w io.Writer) error { return a.WriteReport(ctx, w, notes) })
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
