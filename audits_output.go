package imagenetx

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/population"
	"github.com/imagenetx/imagenetx/eval/tabular"
	"github.com/imagenetx/imagenetx/internal/atomicfile"
	"github.com/imagenetx/imagenetx/report"
	"github.com/imagenetx/imagenetx/runfiles"
)

// Summary says, for a terminal, what the audit's pass over images did: for
// one model Model.Summary's line; for several, the pass's images and
// throughput, then per model what it predicted, its failures and where its
// predictions went. After a run error it says where the pass stopped and
// claims no predictions (the error is the caller's to say, once); a pass
// refused before it began gives "".
func (as *Audits) Summary(images *Images, runErr error) string {
	if len(as.models) == 0 {
		return ""
	}
	if len(as.models) == 1 {
		a := as.Models[0]
		return as.models[0].Summary(images, a.Stats, a.Outputs.Predictions, runErr)
	}
	st := as.Stats
	if runErr != nil && st.Total == 0 {
		return "" // refused before the pass began: the error says why
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d models in one pass on %d images", len(as.models), st.Total)
	if sh := images.Shard(); !sh.IsWhole() {
		fmt.Fprintf(&b, " (shard %s of %d)", sh, images.List.Count)
	}
	if runErr != nil {
		fmt.Fprintf(&b, ": stopped after %d images", st.Skipped+st.Done)
		return b.String()
	}
	if st.Skipped > 0 {
		fmt.Fprintf(&b, " (%d from the earlier run)", st.Skipped)
	}
	fmt.Fprintf(&b, ": %.1f img/s over %s", st.Rate(), st.Elapsed.Round(time.Millisecond))
	for i, a := range as.Models {
		dest := a.Outputs.Predictions
		if dest == "" {
			dest = "memory"
		}
		fmt.Fprintf(&b, "\n  %s: %d predicted, %d failed (batch %d, output %s) -> %s; execution provider %s", a.Model, st.Skipped+st.Done-a.Stats.Failed, a.Stats.Failed,
			as.models[i].clf.Config.Batch, a.Stats.OutputKind, dest, as.models[i].clf.Session.Placement())
	}
	if u, ok := st.Utilisation(as.models[0].clf.Config); ok {
		b.WriteString("\n" + u.String())
	}
	return b.String()
}

// WriteSummary writes the audit for a terminal: the factor table
// (markdown), what the labels and annotations cover, each model's top-1
// (and top-k) over the labelled images and its worst factors by error
// ratio among those with enough images, and, when lb is not nil, the
// leaderboard.
func (as *Audits) WriteSummary(w io.Writer, lb *Leaderboard) error {
	if err := eval.WriteTable(w, as.Table, tabular.Markdown, eval.ViewAccuracy); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if c := as.Coverage; c.Annotated == 0 {
		fmt.Fprintf(w, "factor table: empty, since the annotations know none of these %d images: they annotate images named %s\n",
			c.Images, AnnotatedNames)
	} else if c.Annotated < c.Images {
		fmt.Fprintf(w, "factor table: over the %d of %d images the annotations know\n", c.Annotated, c.Images)
	}
	if c := as.Coverage; c.Labeled < c.Images {
		fmt.Fprintf(w, "labels (%s): %d of %d images have one; top-1 is over those\n", as.LabelSource, c.Labeled, c.Images)
	}
	for _, a := range as.Models {
		if sc := a.Score; sc.Labeled > 0 {
			fmt.Fprintf(w, "%s: top-1 %d/%d = %.4f", a.Model, sc.Top1, sc.Labeled, sc.Top1Accuracy())
			if sc.K > 1 {
				fmt.Fprintf(w, ", top-%d %d/%d = %.4f", sc.K, sc.TopK, sc.Labeled, sc.TopKAccuracy())
			}
			fmt.Fprintf(w, " (%s)\n", as.LabelSource)
		}
		if row, ok := as.Table.Row(a.Model); ok && row.N > 0 {
			fmt.Fprintf(w, "%s: %s\n", a.Model, worstFactors(row, 3, cmp.Or(as.MinImages, eval.DefaultMinImages)))
		}
	}
	if as.Among != nil {
		fmt.Fprintln(w)
		for _, n := range as.Among.Notes() {
			fmt.Fprintln(w, n)
		}
	}
	if lb == nil {
		return nil
	}
	fmt.Fprintln(w)
	return lb.WriteMarkdown(w)
}

// PlaceAmongPaper places the audited models among the paper's published
// models of the audit's release and error type (LoadPublished from
// resultsDir, "" for set-up's copy) and keeps the result in as.Among. It
// refuses annotations the published results are not comparable with
// (Comparable).
func (as *Audits) PlaceAmongPaper(resultsDir string) error {
	if as.Table == nil {
		return errors.New("placement: the audit has no factor table")
	}
	opts := as.Accumulator.Dataset().Options
	if err := Comparable(opts); err != nil {
		return fmt.Errorf("placement: %w", err)
	}
	pub, err := LoadPublished(resultsDir, opts.Factors, as.Table.ErrorType)
	if err != nil {
		return err
	}
	among, err := PlaceAmong(pub, as.Table)
	if err != nil {
		return err
	}
	as.Among = among
	return nil
}

// ReportOptions choose what an audit's report shows beyond its results.
type ReportOptions struct {
	// Title heads the page ("": "ImageNet-X audit of" the models).
	Title string
	// Examples is how many of each factor's misclassified images get a
	// thumbnail (0: report.DefaultExamplesPerFactor).
	Examples int
	// Notes are shown under the title (e.g. the command line).
	Notes []string
}

// WriteReport writes the audit's HTML report: each model's top-1/top-k
// over every labelled image and the images that failed (from its errors
// file, when it wrote one), the factor tables with a column per model,
// thumbnails of misclassified images decoded from the audited folder as
// the run decoded them, with several models the comparison of each with
// the baseline, and notes (the command line, …). Given the leaderboard lb,
// the page's leaderboard and findings show its comparisons (top-1 on the
// labelled images both scored), the numbers of the terminal and
// leaderboard.csv. Factors are singled out by AuditOptions.MinImages.
func (as *Audits) WriteReport(ctx context.Context, w io.Writer, lb *Leaderboard, opts ReportOptions) error {
	var models []report.Model
	var names []string
	for _, a := range as.Models {
		m := report.Model{Name: a.Model, Score: report.Score(a.Score)}
		if a.Outputs.Errors != "" {
			var err error
			if m, err = a.ReportModel(a.Outputs.Errors); err != nil {
				return err
			}
		}
		m.VsBaseline = lb.paired(a.Model)
		models, names = append(models, m), append(names, a.Model)
	}
	first := as.Models[0]
	return report.Write(ctx, w, report.Input{
		Title:             cmp.Or(opts.Title, "ImageNet-X audit of "+andList(names)),
		Accumulator:       as.Accumulator,
		Models:            models,
		Baseline:          as.Baseline,
		ErrorType:         as.Table.ErrorType,
		MinImages:         as.MinImages,
		ImagesDir:         first.imagesDir,
		Decode:            first.decode,
		ExamplesPerFactor: opts.Examples,
		Notes:             opts.Notes,
		Population:        as.reportPopulation(),
	})
}

// reportPopulation is Among as the report shows it (nil without it).
func (as *Audits) reportPopulation() *report.Population {
	a := as.Among
	if a == nil {
		return nil
	}
	return &report.Population{Scatter: a.Scatter, Order: a.Order, Rows: a.Rows, Placements: a.Placements,
		Size: len(a.Population.Models), Notes: a.Notes()}
}

// WriteFiles writes the audit's tables into dir, beside the models' files
// (AuditOptions.Dir), each by atomicfile's rule: factors.csv, the factor
// table in the reference layout with a row per model; leaderboard.csv when
// lb is not nil (Leaderboard.Records); placement.csv when the models were
// placed among the paper's (PlaceAmongPaper); and report.html (WriteReport).
func (as *Audits) WriteFiles(ctx context.Context, dir string, lb *Leaderboard, opts ReportOptions) error {
	err := atomicfile.Write(filepath.Join(dir, runfiles.FactorsFile), func(w io.Writer) error {
		return eval.WriteTable(w, as.Table, tabular.CSV, eval.ViewAccuracy)
	})
	if err != nil {
		return err
	}
	if lb != nil {
		if err := atomicfile.Write(filepath.Join(dir, runfiles.LeaderboardFile), lb.Records().WriteCSV); err != nil {
			return err
		}
	}
	if as.Among != nil {
		err := atomicfile.Write(filepath.Join(dir, runfiles.PlacementFile), population.PlacementRecords(as.Among.AllPlacements()).WriteCSV)
		if err != nil {
			return err
		}
	}
	err = atomicfile.Write(filepath.Join(dir, runfiles.ReportFile), func(w io.Writer) error { return as.WriteReport(ctx, w, lb, opts) })
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// andList joins names as "a", "a and b", "a, b and c".
func andList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
