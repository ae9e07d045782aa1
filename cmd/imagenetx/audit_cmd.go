package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/imagenetx/imagenetx"
	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/tabular"
	"github.com/imagenetx/imagenetx/report"
	"github.com/imagenetx/imagenetx/runfiles"
)

// auditCommand is `imagenetx audit`: run + eval + report in one process.
func auditCommand() *command {
	var (
		f      runFlags
		ds     datasetFlags
		outDir string
	)
	return &command{
		name:  "audit",
		usage: "imagenetx audit [--model NAME|FILE] --images DIR [--annotations DIR] [-o OUTDIR] [flags]",
		short: "run + factor evaluation + report in one process",
		long: `
Runs a model over a folder of images and streams its predictions into the
factor evaluator as they are made. OUTDIR gets predictions.csv, errors.csv
(when an image failed), factors.csv (the factor table), report.html and
run.json; the terminal gets the factor table, top-1, the worst factors by
error ratio and the throughput. Takes every flag of imagenetx run.`,
		flags: func(fs *flag.FlagSet) {
			f.register(fs)
			ds.register(fs, "top", true)
			fs.StringVar(&outDir, "o", "audit", "output `DIR`")
		},
		run: func(ctx context.Context, e *env, _ []string) error {
			return audit(ctx, e, &f, &ds, outDir)
		},
	}
}

func audit(ctx context.Context, e *env, f *runFlags, ds *datasetFlags, outDir string) error {
	if f.images.dir == "" {
		return usagef("--images DIR is required")
	}
	dir, err := ds.folder()
	if err != nil {
		return err
	}
	ann, err := imagenetx.LoadAnnotations(dir, ds.opts)
	if err != nil {
		return fmt.Errorf("annotations: %w (run `bash scripts/setup.sh` to fetch them, or pass --annotations DIR)", err)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	o := runfiles.ForDir(outDir)
	j, err := openJob(f)
	if err != nil {
		return err
	}
	defer j.close()
	ro, pp := j.runOptions(e.stderr)
	a, err := j.model.Audit(ctx, j.images, ann, imagenetx.AuditOptions{RunOptions: ro, Output: imagenetx.Output{Outputs: o, Resume: f.resume}})
	st := a.Stats
	pp.Finish(st.Progress)
	printRunSummary(e.stderr, j, st, o, err)
	if sh := j.images.Shard(); !sh.IsWhole() {
		fmt.Fprintf(e.stderr, "shard %s: factors.csv covers this shard's %d images only; "+
			"`imagenetx merge` the shards' output folders and run `imagenetx eval` on the result for the whole table\n", sh, len(j.images.Items))
	}
	if err != nil {
		return runOutcome(st, err, o)
	}
	if err := writeAuditTables(e, a, outDir); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "coverage: %d of %d images scored; %d failed", st.Total-st.Failed, st.Total, st.Failed)
	if st.Failed > 0 {
		fmt.Fprintf(e.stdout, " (listed in %s)", o.Errors)
	}
	fmt.Fprintln(e.stdout)
	if err := writeAuditReport(ctx, e, a, f, o, outDir); err != nil {
		return err
	}
	return runOutcome(st, nil, o)
}

// writeAuditReport writes OUTDIR/report.html, with thumbnails drawn from
// the audited images, top-1/top-k over every labelled image and the images
// that failed (from the run's errors file).
func writeAuditReport(ctx context.Context, e *env, a *imagenetx.Audit, f *runFlags, o runfiles.Outputs, outDir string) error {
	path := filepath.Join(outDir, runfiles.ReportFile)
	model, err := a.ReportModel(o.Errors)
	if err != nil {
		return err
	}
	in := report.Input{
		Title:       "ImageNet-X audit of " + a.Model,
		Accumulator: a.Accumulator,
		Models:      []report.Model{model},
		ErrorType:   eval.ErrorClass,
		ImagesDir:   f.images.dir,
		Decode:      f.model.decode.opts,
		Notes:       []string{e.commandLine()},
	}
	if err := e.writeOutput(path, func(w io.Writer) error { return report.Write(ctx, w, in) }); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	fmt.Fprintf(e.stderr, "report: %s\n", path)
	return nil
}

func writeAuditTables(e *env, a *imagenetx.Audit, outDir string) error {
	tbl := a.Table
	w := e.stdout
	path := filepath.Join(outDir, runfiles.FactorsFile)
	if err := e.writeOutput(path, func(out io.Writer) error { return eval.WriteTable(out, tbl, tabular.CSV, eval.ViewAccuracy) }); err != nil {
		return err
	}
	if err := eval.WriteTable(w, tbl, tabular.Markdown, eval.ViewAccuracy); err != nil {
		return err
	}
	reportCoverage(e.stderr, a.Accumulator)
	row, ok := tbl.Row(a.Model)
	if sc := a.Score; sc.Labeled > 0 {
		fmt.Fprintf(w, "\ntop-1: %d/%d = %.4f (%s)\n", sc.Top1, sc.Labeled, sc.Top1Accuracy(), imagenetx.LabelsFile)
	}
	if ok {
		fmt.Fprintf(w, "worst factors by error ratio: %s\n", worstFactors(row, 3))
	}
	fmt.Fprintf(w, "factor table: %s\n", path)
	return nil
}

// worstFactors names the k factors with the highest error ratio, among
// those with enough images for the ratio to mean something.
func worstFactors(r *eval.Row, k int) string {
	s := ""
	for i, f := range r.WorstFactors(k, eval.DefaultMinImages) {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s %.2f (%d images)", eval.Factors[f], r.ErrorRatio(f), r.Count[f])
	}
	if s == "" {
		return fmt.Sprintf("none: no factor has %d images", eval.DefaultMinImages)
	}
	return s + fmt.Sprintf(" (factors with fewer than %d images left out)", eval.DefaultMinImages)
}
