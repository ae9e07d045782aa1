package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/imagenetx/imagenetx"
	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/internal/cli"
	"github.com/imagenetx/imagenetx/predictions"
	"github.com/imagenetx/imagenetx/runfiles"
)

// runFlags are the settings `run` and `audit` share: the model, the
// images, resuming and progress.
type runFlags struct {
	model  modelFlags
	images imageFlags
	resume bool
	quiet  bool
}

// register adds the flags; several lets --model and --name repeat (audit).
func (f *runFlags) register(fs *flag.FlagSet, several bool) {
	f.model.register(fs, several)
	variantVar(fs, &f.model.opts.Variant)
	f.images.register(fs, true)
	fs.BoolVar(&f.resume, "resume", false, "continue an interrupted run from its output files")
	quietVar(fs, &f.quiet, "progress")
}

// open lists the images and opens the model (loading the runtime).
func (f *runFlags) open(e *cli.Env) (*imagenetx.Images, *imagenetx.Model, error) {
	images, err := f.images.list()
	if err != nil {
		return nil, nil, err
	}
	model, err := f.model.open(e)
	return images, model, err
}

// runCommand is `imagenetx run`.
func runCommand() *cli.Command {
	var (
		f               runFlags
		out, errorsPath string
	)
	return &cli.Command{
		Name:  "run",
		Usage: "imagenetx run [--model NAME|FILE] [--name NAME] --images DIR [-o FILE] [flags]",
		Short: "predictions of a model over a folder of images (reference CSV)",
		Long: `
Runs a model over a folder of images (flat, or one folder per wnid) and
writes its predictions in the reference CSV format, rows in file-name order:
FILE (default NAME.predictions.csv, NAME the model's --name, by default its
registered name or file stem, which every command that reads predictions
takes as the model's name), its errors file listing the images that failed
(with the stage and the reason; NAME.errors.csv, or FILE.errors.csv for
another FILE) and its run.json describing the run (NAME.run.json, or
FILE.run.json). Every image below --images is taken, at any depth. One bad
image never stops the run; the exit status is then 3. An interrupted run
continues with --resume; --shard i/n runs one part of the images, put back
together by imagenetx merge.`,
		Flags: func(fs *flag.FlagSet) {
			f.register(fs, false)
			fs.StringVar(&out, "o", "", "predictions CSV `FILE` (default NAME"+predictions.FileSuffix+")")
			fs.StringVar(&errorsPath, "errors", "", "errors CSV `FILE` for the images that failed (default: FILE with .errors.csv)")
		},
		Run: func(ctx context.Context, e *cli.Env, _ []string) error {
			if out != "" {
				// Refused before the model is loaded: nothing runs
				// that could not be written.
				if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
					return fmt.Errorf("output folder: %w", err)
				}
				if err := checkOutputs(runfiles.ForFile(out, errorsPath)); err != nil {
					return err
				}
			}
			images, model, err := f.open(e)
			if err != nil {
				return err
			}
			defer model.Close()
			if out == "" {
				out = predictions.FileName(model.Name())
			}
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				return fmt.Errorf("output folder: %w", err)
			}
			o := runfiles.ForFile(out, errorsPath)
			if err := checkOutputs(o); err != nil {
				return err
			}
			progress := engine.NewProgressPrinter(e.Stderr, f.quiet)
			st, err := model.RunToFiles(ctx, images, imagenetx.Output{Outputs: o, Resume: f.resume}, nil, imagenetx.RunOptions{Progress: progress.Update})
			progress.Finish(st.Progress)
			if s := model.Summary(images, st, o.Predictions, err); s != "" {
				fmt.Fprintln(e.Stderr, s)
			}
			return runOutcome(st, err, o)
		},
	}
}

// runOutcome is a finished run's error: an interruption says how to go on
// and where the partial files are; failed images make the run incomplete
// (exit status 3).
func runOutcome(st engine.Stats, err error, o runfiles.Outputs) error {
	if errors.Is(err, context.Canceled) {
		kept := ""
		if p, perr := o.Work(true); perr == nil && p.Predictions != o.Predictions {
			kept = fmt.Sprintf(" (kept as %s; %s is untouched)", p.Predictions, o.Predictions)
		}
		return fmt.Errorf("stopped after %d of %d images%s; continue with --resume: %w", st.Skipped+st.Done, st.Total, kept, err)
	}
	if err == nil && st.Failed > 0 {
		return fmt.Errorf("%w: %d of %d images failed (see %s)", cli.ErrIncomplete, st.Failed, st.Total, o.Errors)
	}
	return err
}

// checkOutputs refuses, before anything runs, outputs that cannot be
// written (runfiles.Outputs.Check); two outputs that are one file are a
// usage error (exit status 2).
func checkOutputs(o runfiles.Outputs) error {
	err := o.Check()
	if errors.Is(err, runfiles.ErrSameFile) {
		return cli.UsageError{Err: err}
	}
	return err
}
