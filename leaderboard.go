package imagenetx

import (
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/stats"
	"github.com/imagenetx/imagenetx/eval/tabular"
	"github.com/imagenetx/imagenetx/report"
)

// LeaderboardOptions choose how models are compared with the baseline.
type LeaderboardOptions struct {
	// Baseline names the model the others are compared with ("": the
	// audit's Baseline).
	Baseline string
	// Confidence is the level of the top-1 intervals (0: 0.95); Alpha the
	// significance level of the corrected p-values (0: 0.05).
	Confidence, Alpha float64
	// Correction corrects the p-values across the models compared with
	// the baseline (the zero value: Holm).
	Correction eval.Correction
}

// LeaderboardRow is one model of a leaderboard: its top-1 and top-k over
// the labelled images it scored, and its paired comparison with the
// baseline.
type LeaderboardRow struct {
	Model string
	// Baseline marks the baseline's own row (no comparison).
	Baseline bool
	// Images is the number of images run, Failed those the model could not
	// score.
	Images, Failed int
	Score          Score
	// Top1Lo and Top1Hi are the Wilson interval of top-1 accuracy.
	Top1Lo, Top1Hi float64
	// Annotated is the accuracy over the AnnotatedImages annotated images
	// the model predicted (the factor table's average; NaN when none is
	// annotated).
	Annotated       float64
	AnnotatedImages int
	// Paired is the number of labelled images both this model and the
	// baseline scored; Difference this model's top-1 accuracy minus the
	// baseline's on them; OnlyBaseline and OnlyModel the images only one
	// of the two got right, all an exact McNemar test looks at.
	Paired                  int
	Difference              float64
	OnlyBaseline, OnlyModel int
	// P is the two-sided exact McNemar p-value, PAdjusted P corrected
	// across the models compared; Significant is PAdjusted < Alpha. NaN
	// and false on the baseline's row.
	P, PAdjusted float64
	Significant  bool
}

// Leaderboard ranks audited models by top-1 accuracy over the labelled
// images, each compared with a baseline on the same images.
type Leaderboard struct {
	Baseline string
	Options  LeaderboardOptions
	// Rows are by top-1 accuracy, best first (ties by name).
	Rows []LeaderboardRow
}

// Leaderboard ranks the audited models by top-1 accuracy over their
// labelled images and compares each with the baseline on the images both
// scored: the difference in top-1 accuracy and an exact McNemar test of
// the paired outcomes, corrected across the models (Holm by default). It
// works on any labelled images, annotated or not; the per-factor
// comparisons are eval.Compare's, on Accumulator.
func (as *Audits) Leaderboard(opt LeaderboardOptions) (*Leaderboard, error) {
	if opt.Confidence == 0 {
		opt.Confidence = 0.95
	}
	if opt.Alpha == 0 {
		opt.Alpha = 0.05
	}
	if !(opt.Confidence > 0 && opt.Confidence < 1) || !(opt.Alpha > 0 && opt.Alpha < 1) {
		return nil, fmt.Errorf("leaderboard: confidence %g and alpha %g must lie between 0 and 1", opt.Confidence, opt.Alpha)
	}
	if len(as.Models) == 0 {
		return nil, fmt.Errorf("leaderboard: no model audited")
	}
	base := as.Models[0]
	if opt.Baseline == "" {
		opt.Baseline = as.Baseline
	}
	if opt.Baseline != "" {
		base = nil
		for _, a := range as.Models {
			if a.Model == opt.Baseline {
				base = a
			}
		}
		if base == nil {
			return nil, fmt.Errorf("leaderboard: baseline %q is not among the models audited (%s)", opt.Baseline, trimmedList(as.names(), 10))
		}
	}
	lb := &Leaderboard{Baseline: base.Model, Options: opt}
	var compared []int
	var p []float64
	for _, a := range as.Models {
		r := LeaderboardRow{Model: a.Model, Baseline: a == base, Images: a.Stats.Total, Failed: a.failed, Score: a.Score,
			Annotated: math.NaN(), Difference: math.NaN(), P: math.NaN(), PAdjusted: math.NaN()}
		r.Top1Lo, r.Top1Hi = stats.WilsonInterval(a.Score.Top1, a.Score.Labeled, opt.Confidence)
		if as.Table != nil {
			if row, ok := as.Table.Row(a.Model); ok && row.N > 0 {
				r.Annotated, r.AnnotatedImages = row.Average, row.N
			}
		}
		if a != base {
			r.pair(base.outcomes, a.outcomes)
			compared = append(compared, len(lb.Rows))
			p = append(p, r.P)
		}
		lb.Rows = append(lb.Rows, r)
	}
	for i, adj := range opt.Correction.Adjust(p) {
		r := &lb.Rows[compared[i]]
		r.PAdjusted = adj
		r.Significant = adj < opt.Alpha
	}
	sort.SliceStable(lb.Rows, func(i, j int) bool {
		a, b := lb.Rows[i].Score.Top1Accuracy(), lb.Rows[j].Score.Top1Accuracy()
		if a != b {
			return a > b
		}
		return lb.Rows[i].Model < lb.Rows[j].Model
	})
	return lb, nil
}

// pair compares the model's outcomes with the baseline's on the images
// both scored with a label.
func (r *LeaderboardRow) pair(base, model []uint8) {
	rightBase, rightModel := 0, 0
	for i := range model {
		if base[i] == outcomeUnlabeled || model[i] == outcomeUnlabeled {
			continue
		}
		r.Paired++
		b, m := base[i] == outcomeRight, model[i] == outcomeRight
		if b {
			rightBase++
		}
		if m {
			rightModel++
		}
		switch {
		case b && !m:
			r.OnlyBaseline++
		case m && !b:
			r.OnlyModel++
		}
	}
	if r.Paired > 0 {
		r.Difference = float64(rightModel-rightBase) / float64(r.Paired)
		r.P = stats.McNemarExact(r.OnlyBaseline, r.OnlyModel)
	}
}

// paired is the model's comparison with the baseline as the report shows
// it (nil for the baseline, an unknown model or a nil leaderboard).
func (lb *Leaderboard) paired(model string) *report.Paired {
	if lb == nil {
		return nil
	}
	for _, r := range lb.Rows {
		if r.Model == model && !r.Baseline {
			return &report.Paired{Images: r.Paired, Difference: r.Difference, OnlyBaseline: r.OnlyBaseline, OnlyModel: r.OnlyModel,
				P: r.P, PAdjusted: r.PAdjusted, Correction: lb.Options.Correction, Significant: r.Significant}
		}
	}
	return nil
}

func (as *Audits) names() []string {
	names := make([]string, len(as.Models))
	for i, a := range as.Models {
		names[i] = a.Model
	}
	return names
}

// LeaderboardColumns is the header of a leaderboard's records.
var LeaderboardColumns = []string{"model", "baseline", "images", "failed", "labeled", "top1", "top1_low", "top1_high",
	"k", "topk", "annotated_accuracy", "annotated", "paired", "top1_difference", "baseline_only", "model_only", "pval", "pval_adj", "significant"}

// Records returns the leaderboard as a table (LeaderboardColumns), rows
// best first: accuracies as fractions, NaN (an empty CSV field) where a
// value does not apply.
func (lb *Leaderboard) Records() *tabular.Records {
	rec := &tabular.Records{Header: LeaderboardColumns}
	for _, r := range lb.Rows {
		topk := math.NaN()
		if r.Score.K > 1 {
			topk = r.Score.TopKAccuracy()
		}
		rec.Rows = append(rec.Rows, []any{r.Model, r.Baseline, r.Images, r.Failed, r.Score.Labeled, nanIfNone(r.Score.Top1Accuracy(), r.Score.Labeled),
			r.Top1Lo, r.Top1Hi, max(r.Score.K, 1), nanIfNone(topk, r.Score.Labeled), r.Annotated, r.AnnotatedImages, r.Paired, r.Difference,
			r.OnlyBaseline, r.OnlyModel, r.P, r.PAdjusted, r.Significant})
	}
	return rec
}

func nanIfNone(v float64, n int) float64 {
	if n == 0 {
		return math.NaN()
	}
	return v
}

// WriteMarkdown writes the leaderboard as a markdown table, then a line
// naming the test and the models that differ significantly from the
// baseline.
func (lb *Leaderboard) WriteMarkdown(w io.Writer) error {
	k := 1
	for _, r := range lb.Rows {
		k = max(k, r.Score.K)
	}
	header := []string{"model", "top-1", "95% interval"}
	if lb.Options.Confidence != 0.95 {
		header[2] = fmt.Sprintf("%g%% interval", 100*lb.Options.Confidence)
	}
	if k > 1 {
		header = append(header, fmt.Sprintf("top-%d", k))
	}
	header = append(header, "labelled", "failed", "vs "+lb.Baseline, "p ("+lb.Options.Correction.String()+")")
	var rows [][]string
	var better, worse []string
	for _, r := range lb.Rows {
		name := r.Model
		if r.Baseline {
			name += " (baseline)"
		}
		row := []string{name, percent(r.Score.Top1, r.Score.Labeled), fmt.Sprintf("%.1f–%.1f%%", 100*r.Top1Lo, 100*r.Top1Hi)}
		if r.Score.Labeled == 0 {
			row[2] = ""
		}
		if k > 1 {
			row = append(row, percent(r.Score.TopK, r.Score.Labeled))
		}
		diff, pval := "", ""
		if !r.Baseline && r.Paired > 0 {
			diff = report.Points(r.Difference)
			pval = report.PValue3(r.PAdjusted)
			if r.Significant {
				pval += " *"
				if r.Difference > 0 {
					better = append(better, r.Model)
				} else {
					worse = append(worse, r.Model)
				}
			}
		}
		rows = append(rows, append(row, fmt.Sprint(r.Score.Labeled), fmt.Sprint(r.Failed), diff, pval))
	}
	if err := tabular.WriteMarkdown(w, header, rows, 1); err != nil {
		return err
	}
	compared := fmt.Sprintf("%s-corrected across the %d models compared", lb.Options.Correction, len(lb.Rows)-1)
	if len(lb.Rows) == 2 {
		compared = "one model compared, so no correction"
	}
	_, err := fmt.Fprintf(w, "\nTop-1 over the labelled images each model scored; each model against %s on the labelled images both scored (%s): exact McNemar test (%s), * p < %g.%s\n",
		lb.Baseline, lb.pairedCounts(), compared, lb.Options.Alpha, verdict(better, worse))
	return err
}

// pairedCounts says how many images the comparisons are over: "400
// images", or the range when they differ between models.
func (lb *Leaderboard) pairedCounts() string {
	lo, hi := -1, -1
	for _, r := range lb.Rows {
		if r.Baseline {
			continue
		}
		if lo < 0 || r.Paired < lo {
			lo = r.Paired
		}
		hi = max(hi, r.Paired)
	}
	if lo == hi {
		return fmt.Sprintf("%d images", lo)
	}
	return fmt.Sprintf("%d to %d images, leaderboard.csv's paired column", lo, hi)
}

func percent(n, d int) string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f%%", 100*float64(n)/float64(d))
}

func verdict(better, worse []string) string {
	s := ""
	if len(better) > 0 {
		s += fmt.Sprintf(" Better than the baseline: %s.", trimmedList(better, 10))
	}
	if len(worse) > 0 {
		s += fmt.Sprintf(" Worse: %s.", trimmedList(worse, 10))
	}
	if s == "" {
		s = " No model differs significantly from the baseline."
	}
	return s
}
