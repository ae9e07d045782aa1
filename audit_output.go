package imagenetx

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/tabular"
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
// command line, …). It is Audits.WriteReport for one model.
func (a *Audit) WriteReport(ctx context.Context, w io.Writer, notes []string) error {
	return a.alone().WriteReport(ctx, w, notes)
}

// WriteFiles writes the audit's tables into dir (beside the run's files of
// AuditOptions.Dir): factors.csv, in the reference layout, and
// report.html, each by atomicfile's rule. It is Audits.WriteFiles for one
// model, with no leaderboard.
func (a *Audit) WriteFiles(ctx context.Context, dir string, notes []string) error {
	return a.alone().WriteFiles(ctx, dir, nil, notes)
}

// alone is the audit as a pass of one model, which has no baseline to
// compare with.
func (a *Audit) alone() *Audits {
	return &Audits{Models: []*Audit{a}, Accumulator: a.Accumulator, Table: a.Table}
}
