package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/imagenetx/imagenetx"
	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/internal/cli"
	"github.com/imagenetx/imagenetx/runfiles"
)

// auditCommand is `imagenetx audit`: run + eval + report in one process,
// for one model or several in one pass (imagenetx.AuditModels).
func auditCommand() *cli.Command {
	var (
		f        runFlags
		ds       datasetFlags
		outDir   string
		labels   string
		baseline string
		results  string
		page     pageFlags
		replace  bool
	)
	return &cli.Command{
		Name: "audit",
		Usage: "imagenetx audit [--model NAME|FILE]... [--name NAME]... --images DIR\n" +
			"[--annotations DIR] [--labels FILE] [--baseline NAME] [-o OUTDIR] [flags]",
		Short: "run + factor evaluation + report in one process, for one model or several in one pass",
		Long: `
Runs one model, or several in one pass (--model repeated; registered names and
.onnx files mixed), over a folder of images and streams their predictions into
the factor evaluator as they are made. Each image is decoded once, resized and
cropped once per distinct preprocessing, and given to every model in the
batches of its own run, so each model's predictions are those of its own audit.

OUTDIR gets, per model, NAME.predictions.csv, NAME.errors.csv (when an image
failed) and NAME.run.json, NAME being the model's --name (by default its
registered name or file stem), so two audits' files go into one eval, report
or compare with no renaming; factors.csv, the factor table with a row per
model; with several models leaderboard.csv, top-1 (and top-k with --topk K)
over the labelled images, each model against the baseline (--baseline, by
default the first model) by an exact McNemar test, Holm-corrected across the
models; placement.csv, each model placed among the paper's published models
(as imagenetx types --placement writes it); and report.html. The terminal gets
the factor table, top-1, the factors clearly harder than average, the
placement and the leaderboard.

Every image below --images is audited, at any depth. Labels: --labels FILE
(file_name,label; a class index or a wnid; a row names an image by its path
below --images, or by its file name where no other image has it), else the
nearest folder above an image named after an ImageNet wnid (n01440764/...),
else the annotations' filename_label.csv. The factor table covers the images the
annotations know (ILSVRC2012_val_NNNNNNNN.JPEG; --annotations-file FILE reads
a subset of them); an audit of images that neither the labels nor the
annotations know fails before running. Label rows that name no image are
counted and the first few named; under 95% matched, the audit says so first.

OUTDIR holding another run's files is refused unless --resume continues
that run or --replace removes its files first. The report takes --title,
--examples and --min-images, which also decides the factors the terminal
names. Takes the flags of imagenetx run but its -o FILE and --errors FILE:
each model's files are named after it in OUTDIR.`,
		Flags: func(fs *flag.FlagSet) {
			f.register(fs, true)
			ds.register(fs, "top")
			fs.StringVar(&outDir, "o", "audit", "output `DIR`")
			fs.StringVar(&labels, "labels", "", "labels CSV `FILE` (file_name,label; label a class index 0..999 or a wnid such as n01440764) for images the annotations do not label")
			fs.StringVar(&baseline, "baseline", "", "`NAME` of the model the others are compared with (default: the first --model)")
			resultsVar(fs, &results)
			page.register(fs, "ImageNet-X audit of the models")
			fs.BoolVar(&replace, "replace", false, "OUTDIR holds another run: remove its files first (without it, or --resume, that is refused)")
		},
		Run: func(ctx context.Context, e *cli.Env, _ []string) error {
			if f.resume && replace {
				return cli.Usagef("--resume continues the run in %s and --replace removes it: give one of them", outDir)
			}
			images, err := f.images.list()
			if err != nil {
				return err
			}
			ann, err := ds.annotations()
			if err != nil {
				return err
			}
			choice, err := imagenetx.ChooseLabels(images, ann, labels)
			if err != nil {
				return fmt.Errorf("labels: %w", err)
			}
			if len(choice.OtherFolders) > 0 {
				fmt.Fprintf(e.Stderr, "image folders with no ImageNet wnid folder above them (their images are labelled only by %s): %s\n",
					choice.Source, strings.Join(choice.OtherFolders, ", "))
			}
			if m := choice.Match; m.Matched < m.Rows {
				warn := ""
				if m.Poor() {
					warn = fmt.Sprintf("warning: fewer than %.0f%% of the labels match: ", 100*imagenetx.MinLabelMatch)
				}
				fmt.Fprintf(e.Stderr, "%slabels %s: %s\n", warn, labels, m)
			}
			ms, err := f.model.openAll(e)
			if err != nil {
				return err
			}
			defer func() {
				for _, m := range ms {
					m.Close()
				}
			}()
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return fmt.Errorf("output folder: %w", err)
			}
			lock, err := runfiles.LockDir(outDir)
			if err != nil {
				return err
			}
			defer lock.Unlock()
			progress := engine.NewProgressPrinter(e.Stderr, f.quiet)
			as, err := imagenetx.AuditModels(ctx, ms, images, ann, imagenetx.AuditOptions{
				RunOptions: imagenetx.RunOptions{Progress: progress.Update}, Dir: outDir, Resume: f.resume, Replace: replace,
				Labels: choice.Labels, LabelSource: choice.Source, Baseline: baseline, MinImages: page.minImages})
			if errors.Is(err, imagenetx.ErrNothingToScore) {
				return fmt.Errorf("%w (--labels FILE gives the labels of other images)", err)
			}
			if errors.Is(err, imagenetx.ErrDirHoldsRun) {
				return fmt.Errorf("%w (--resume continues it, --replace removes its files first)", err)
			}
			if len(as.Models) == 0 {
				return err // refused before the pass (names, baseline)
			}
			progress.Finish(as.Stats.Progress)
			if s := as.Summary(images, err); s != "" {
				fmt.Fprintln(e.Stderr, s)
			}
			if sh := images.Shard(); !sh.IsWhole() {
				fmt.Fprintf(e.Stderr, "shard %s: factors.csv covers this shard's %d images only; "+
					"`imagenetx merge` the shards' output folders and run `imagenetx eval` on the result for the whole table\n", sh, len(images.Items))
			}
			if err != nil {
				return auditOutcome(as, err)
			}
			if err := as.PlaceAmongPaper(results); err != nil {
				fmt.Fprintf(e.Stderr, "not placed among the paper's models: %v\n", err)
			}
			var lb *imagenetx.Leaderboard
			if len(ms) > 1 {
				if lb, err = as.Leaderboard(imagenetx.LeaderboardOptions{}); err != nil {
					return err
				}
			}
			if err := as.WriteFiles(ctx, outDir, lb, imagenetx.ReportOptions{Title: page.title, Examples: page.examples, Notes: []string{e.CommandLine()}}); err != nil {
				return err
			}
			if err := as.WriteSummary(e.Stdout, lb); err != nil {
				return err
			}
			writeCoverage(e, as.Accumulator, false)
			fmt.Fprintf(e.Stdout, "factor table: %s\n", filepath.Join(outDir, runfiles.FactorsFile))
			if lb != nil {
				fmt.Fprintf(e.Stdout, "leaderboard: %s\n", filepath.Join(outDir, runfiles.LeaderboardFile))
			}
			for _, a := range as.Models {
				st := a.Stats
				fmt.Fprintf(e.Stdout, "coverage: %s: %d of %d images scored; %d failed", a.Model, st.Total-st.Failed, st.Total, st.Failed)
				if st.Failed > 0 {
					fmt.Fprintf(e.Stdout, " (listed in %s)", a.Outputs.Errors)
				}
				fmt.Fprintln(e.Stdout)
			}
			fmt.Fprintf(e.Stderr, "report: %s\n", filepath.Join(outDir, runfiles.ReportFile))
			return auditOutcome(as, nil)
		},
	}
}

// auditOutcome is a finished audit's error, as runOutcome's: an
// interruption says how to go on; any model's failed images make the
// audit incomplete (exit status 3).
func auditOutcome(as *imagenetx.Audits, err error) error {
	if len(as.Models) == 1 {
		a := as.Models[0]
		return runOutcome(a.Stats, err, a.Outputs)
	}
	if err != nil {
		return runOutcome(as.Stats, err, runfiles.Outputs{})
	}
	var failed []string
	for _, a := range as.Models {
		if a.Stats.Failed > 0 {
			failed = append(failed, fmt.Sprintf("%s: %d of %d (see %s)", a.Model, a.Stats.Failed, a.Stats.Total, a.Outputs.Errors))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%w: images failed: %s", cli.ErrIncomplete, strings.Join(failed, "; "))
	}
	return nil
}
