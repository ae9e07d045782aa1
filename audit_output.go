package imagenetx

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/stats"
	"github.com/imagenetx/imagenetx/eval/tabular"
)

// WriteSummary writes the audit for a terminal: the factor table
// (markdown), top-1 over the labelled images, and the factors clearly
// harder than average (worstFactors).
func (a *Audit) WriteSummary(w io.Writer) error {
	if err := eval.WriteTable(w, a.Table, tabular.Markdown, eval.ViewAccuracy); err != nil {
		return err
	}
	if sc := a.Score; sc.Labeled > 0 {
		fmt.Fprintf(w, "\ntop-1: %d/%d = %.4f (%s)\n", sc.Top1, sc.Labeled, sc.Top1Accuracy(), LabelsFile)
	}
	if row, ok := a.Table.Row(a.Model); ok {
		fmt.Fprintf(w, "%s\n", worstFactors(row, 3, cmp.Or(a.minImages, eval.DefaultMinImages)))
	}
	return nil
}

// worstFactors names up to k factors clearly harder than average by the
// report's rule (Row.WorstFactors: at least minImages images, the error
// ratio's 95% interval above 1), each with its interval and images, over
// the annotated images.
func worstFactors(r *eval.Row, k, minImages int) string {
	rule := fmt.Sprintf("error ratio's 95%% interval above 1, at least %d images; over the %d annotated images", minImages, r.N)
	var s []string
	for _, f := range r.WorstFactors(k, minImages) {
		ratio, lo, hi := r.ErrorRatioInterval(f, stats.DefaultConfidence)
		s = append(s, fmt.Sprintf("%s %.2f [%.2f, %.2f] (%d images)", eval.Factors[f], ratio, lo, hi, r.Count[f]))
	}
	if len(s) == 0 {
		return fmt.Sprintf("factors clearly harder than average (%s): none", rule)
	}
	return fmt.Sprintf("factors clearly harder than average (%s): %s", rule, strings.Join(s, ", "))
}

// WriteReport writes the audit's HTML report: top-1/top-k over every
// labelled image, the factor tables, thumbnails of misclassified images
// decoded from the audited folder as the run decoded them, the images that
// failed (from the run's errors file, when it wrote one), and notes (the
// command line, …). It is Audits.WriteReport for one model.
func (a *Audit) WriteReport(ctx context.Context, w io.Writer, notes []string) error {
	return a.alone().WriteReport(ctx, w, nil, ReportOptions{Notes: notes})
}

// WriteFiles writes the audit's tables into dir (beside the run's files of
// AuditOptions.Dir): factors.csv, in the reference layout, and
// report.html, each by atomicfile's rule. It is Audits.WriteFiles for one
// model, with no leaderboard.
func (a *Audit) WriteFiles(ctx context.Context, dir string, notes []string) error {
	return a.alone().WriteFiles(ctx, dir, nil, ReportOptions{Notes: notes})
}

// alone is the audit as a pass of one model, which has no baseline to
// compare with.
func (a *Audit) alone() *Audits {
	return &Audits{Models: []*Audit{a}, Accumulator: a.Accumulator, Table: a.Table, MinImages: a.minImages}
}
