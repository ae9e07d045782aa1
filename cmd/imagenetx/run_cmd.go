package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/imagenetx/imagenetx"
	"github.com/imagenetx/imagenetx/engine"
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

func (f *runFlags) register(fs *flag.FlagSet) {
	f.model.register(fs)
	f.images.register(fs, true)
	fs.BoolVar(&f.resume, "resume", false, "continue an interrupted run from its output files")
	quietVar(fs, &f.quiet, "progress")
}

// job is an opened model with its image list.
type job struct {
	flags  *runFlags
	model  *imagenetx.Model
	images *imagenetx.Images
}

// openJob lists the images and opens the model (loading the runtime).
func openJob(f *runFlags) (*job, error) {
	images, err := f.images.list()
	if err != nil {
		return nil, err
	}
	model, err := f.model.open()
	if err != nil {
		return nil, err
	}
	return &job{flags: f, model: model, images: images}, nil
}

func (j *job) close() error { return j.model.Close() }

// config is the opened model's pipeline configuration.
func (j *job) config() engine.Config { return j.model.Classifier().Config }

// runOptions shows progress on stderr unless --quiet.
func (j *job) runOptions(stderr io.Writer) (imagenetx.RunOptions, *engine.ProgressPrinter) {
	pp := engine.NewProgressPrinter(stderr, j.flags.quiet)
	return imagenetx.RunOptions{Progress: pp.Update}, pp
}

// runCommand is `imagenetx run`.
func runCommand() *command {
	var (
		f               runFlags
		out, errorsPath string
	)
	return &command{
		name:  "run",
		usage: "imagenetx run [--model NAME|FILE] --images DIR [-o predictions.csv] [flags]",
		short: "predictions of a model over a folder of images (reference CSV)",
		long: `
Runs a model over a folder of images (flat, or one folder per wnid) and
writes its predictions in the reference CSV format, rows in file-name order:
FILE, FILE.errors.csv listing the images that failed (with the stage and the
reason), and FILE.run.json describing the run. One bad image never stops the
run; the exit status is then 3. An interrupted run continues with --resume;
--shard i/n runs one part of the images, put back together by
imagenetx merge.`,
		flags: func(fs *flag.FlagSet) {
			f.register(fs)
			fs.StringVar(&out, "o", "predictions.csv", "predictions CSV `FILE`")
			fs.StringVar(&errorsPath, "errors", "", "errors CSV `FILE` for the images that failed (default: FILE with .errors.csv)")
		},
		run: func(ctx context.Context, e *env, _ []string) error {
			j, err := openJob(&f)
			if err != nil {
				return err
			}
			defer j.close()
			o := runfiles.ForFile(out, errorsPath)
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				return fmt.Errorf("output folder: %w", err)
			}
			ro, pp := j.runOptions(e.stderr)
			st, err := j.model.RunToFiles(ctx, j.images, imagenetx.Output{Outputs: o, Resume: f.resume}, nil, ro)
			pp.Finish(st.Progress)
			printRunSummary(e.stderr, j, st, o, err)
			return runOutcome(st, err, o)
		},
	}
}

// printRunSummary says what the run did; after a write error it does not
// claim predictions that may never have reached the disk.
func printRunSummary(w io.Writer, j *job, st engine.Stats, o runfiles.Outputs, runErr error) {
	fmt.Fprintf(w, "%s on %d images", j.model.Name(), st.Total)
	if sh := j.images.Shard(); !sh.IsWhole() {
		fmt.Fprintf(w, " (shard %s of %d)", sh, j.images.List.Count)
	}
	if runErr != nil {
		fmt.Fprintf(w, ": stopped after %d images, %d failed: %v\n", st.Skipped+st.Done, st.Failed, runErr)
		return
	}
	fmt.Fprintf(w, ": %d predicted, %d failed", st.Skipped+st.Done-st.Failed, st.Failed)
	if st.Skipped > 0 {
		fmt.Fprintf(w, " (%d from the earlier run)", st.Skipped)
	}
	fmt.Fprintf(w, "; %.1f img/s over %s (batch %d, output %s) -> %s\n",
		st.Rate(), st.Elapsed.Round(time.Millisecond), j.config().Batch, st.OutputKind, o.Predictions)
	if u, ok := utilisationOf(st, j.config()); ok {
		fmt.Fprintln(w, u)
	}
}

// utilisation says which side of the pipeline limits a run: preprocessing
// workers that are always busy mean the model waits for images (add
// --workers, or CPUs); an inference side that is always busy means the
// model is the bottleneck (a larger --batch, another --device).
type utilisation struct {
	workers, runners int
	// prep and infer are the busy fractions, 0..1: summed busy time over
	// wall time × goroutines.
	prep, infer float64
	// prepPerImage is the mean time one worker spends on one image.
	prepPerImage time.Duration
}

func utilisationOf(st engine.Stats, cfg engine.Config) (utilisation, bool) {
	if st.Elapsed <= 0 || st.Done == 0 {
		return utilisation{}, false
	}
	wall := st.Elapsed.Seconds()
	workers, runners := max(cfg.Workers, 1), max(cfg.Runners, 1)
	return utilisation{
		workers: workers, runners: runners,
		prep:         st.PrepareTime.Seconds() / (wall * float64(workers)),
		infer:        st.InferTime.Seconds() / (wall * float64(runners)),
		prepPerImage: st.PrepareTime / time.Duration(st.Done),
	}, true
}

func (u utilisation) String() string {
	return fmt.Sprintf("busy: preprocessing workers %.0f%% (%s, %s per image each), inference %.0f%% (%s)",
		100*u.prep, plural(u.workers, "worker"), u.prepPerImage.Round(10*time.Microsecond), 100*u.infer, plural(u.runners, "runner"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// runOutcome maps a finished run to the command's error: failures make it
// incomplete (exit status 3); an interruption keeps its cause.
func runOutcome(st engine.Stats, err error, o runfiles.Outputs) error {
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("stopped after %d of %d images; continue with --resume: %w", st.Skipped+st.Done, st.Total, err)
		}
		return err
	}
	if st.Failed > 0 {
		return fmt.Errorf("%w: %d of %d images failed (see %s)", errIncomplete, st.Failed, st.Total, o.Errors)
	}
	return nil
}
