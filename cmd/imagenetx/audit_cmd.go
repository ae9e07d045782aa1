package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/imagenetx/imagenetx"
	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/internal/cli"
	"github.com/imagenetx/imagenetx/runfiles"
)

// auditCommand is `imagenetx audit`: run + eval + report in one process.
func auditCommand() *cli.Command {
	var (
		f      runFlags
		ds     datasetFlags
		outDir string
	)
	return &cli.Command{
		Name:  "audit",
		Usage: "imagenetx audit [--model NAME|FILE] --images DIR [--annotations DIR] [-o OUTDIR] [flags]",
		Short: "run + factor evaluation + report in one process",
		Long: `
Runs a model over a folder of images and streams its predictions into the
factor evaluator as they are made. OUTDIR gets predictions.csv, errors.csv
(when an image failed), factors.csv (the factor table), report.html and
run.json; the terminal gets the factor table, top-1, the worst factors by
error ratio and the throughput. Takes every flag of imagenetx run.`,
		Flags: func(fs *flag.FlagSet) {
			f.register(fs)
			ds.register(fs, "top", true)
			fs.StringVar(&outDir, "o", "audit", "output `DIR`")
		},
		Run: func(ctx context.Context, e *cli.Env, _ []string) error {
			if f.images.dir == "" {
				return cli.Usagef("--images DIR is required")
			}
			ann, err := ds.annotations()
			if err != nil {
				return err
			}
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return err
			}
			images, model, err := f.open()
			if err != nil {
				return err
			}
			defer model.Close()
			o := runfiles.ForDir(outDir)
			progress := engine.NewProgressPrinter(e.Stderr, f.quiet)
			a, err := model.Audit(ctx, images, ann, imagenetx.AuditOptions{RunOptions: imagenetx.RunOptions{Progress: progress.Update},
				Output: imagenetx.Output{Outputs: o, Resume: f.resume}})
			st := a.Stats
			progress.Finish(st.Progress)
			fmt.Fprintln(e.Stderr, model.Summary(images, st, o.Predictions, err))
			if sh := images.Shard(); !sh.IsWhole() {
				fmt.Fprintf(e.Stderr, "shard %s: factors.csv covers this shard's %d images only; "+
					"`imagenetx merge` the shards' output folders and run `imagenetx eval` on the result for the whole table\n", sh, len(images.Items))
			}
			if err != nil {
				return runOutcome(st, err, o.Errors)
			}
			if err := a.WriteFiles(ctx, outDir, []string{e.CommandLine()}); err != nil {
				return err
			}
			if err := a.WriteSummary(e.Stdout); err != nil {
				return err
			}
			writeCoverage(e, a.Accumulator, false)
			fmt.Fprintf(e.Stdout, "factor table: %s\ncoverage: %d of %d images scored; %d failed",
				filepath.Join(outDir, runfiles.FactorsFile), st.Total-st.Failed, st.Total, st.Failed)
			if st.Failed > 0 {
				fmt.Fprintf(e.Stdout, " (listed in %s)", o.Errors)
			}
			fmt.Fprintf(e.Stdout, "\n")
			fmt.Fprintf(e.Stderr, "report: %s\n", filepath.Join(outDir, runfiles.ReportFile))
			return runOutcome(st, nil, o.Errors)
		},
	}
}
