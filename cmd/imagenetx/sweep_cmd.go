package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/imagenetx/imagenetx"
	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/stats"
	"github.com/imagenetx/imagenetx/eval/sweep"
	"github.com/imagenetx/imagenetx/internal/cli"
	"github.com/imagenetx/imagenetx/preprocess/variant"
)

// sweepCommand is `imagenetx sweep` (imagenetx.Model.Sweep).
func sweepCommand() *cli.Command {
	var (
		model  modelFlags
		images imageFlags
		ds     datasetFlags
		opts   imagenetx.SweepOptions
		outDir string
		quiet  bool
	)
	return &cli.Command{
		Name: "sweep",
		Usage: "imagenetx sweep [--model NAME|FILE] [--name NAME] --images DIR [--annotations DIR]\n" +
			"--variant FAMILY [--strengths 0,0.25,0.5,1] [--seed N] [--correction holm|bh|none]\n" +
			"[--bootstrap 1000] [-o OUTDIR] [flags]",
		Short: "test-time spill-over: one pass, every strength of a variant family",
		Long: `
Test-time spill-over: one pass over the images, each decoded, resized and
cropped once, then every strength of the variant family applied to a copy of
the crop. OUTDIR gets NAME_FAMILYSTRENGTH.predictions.csv per strength (NAME
is --name, e.g. mobilenetv2-12-int8_colorjitter0.25, the name spillover reads
the strength from; strength 0 is exactly a plain run), factors.csv,
spillover.csv, run.json and report.html; stdout a summary per factor. A sweep
is neither sharded nor resumed: its statistics need every image in one pass.`,
		Flags: func(fs *flag.FlagSet) {
			model.register(fs, false)
			images.register(fs, false)
			ds.register(fs, "top")
			cli.Var(fs, &opts.Family, "variant", "", family, "variant `FAMILY` to sweep: "+cli.OrList(variant.Families()))
			cli.Var(fs, &opts.Strengths, "strengths", "0,0.25,0.5,1", sweep.ParseStrengths, "comma-separated `STRENGTHS` in [0, 1], including 0 (the baseline)")
			fs.Uint64Var(&opts.Seed, "seed", 0, "`SEED` of the variants' random draws (0: the draws of run --variant)")
			correctionVar(fs, &opts.Analysis.Correction)
			errorTypeVar(fs, &opts.Analysis.ErrorType)
			opts.Analysis.Bootstrap = stats.DefaultBootstrap
			cli.Var(fs, &opts.Analysis.Bootstrap.Resamples, "bootstrap", fmt.Sprint(stats.DefaultResamples), cli.AtLeast(1), "`N` bootstrap resamples for the change intervals")
			cli.Var(fs, &opts.Analysis.MinImages, "min-images", fmt.Sprint(eval.DefaultMinImages), cli.AtLeast(1), "judge only factors with at least `N` images (1: every factor with an image)")
			fs.StringVar(&outDir, "o", "sweep", "output `DIR`")
			quietVar(fs, &quiet, "progress")
		},
		Run: func(ctx context.Context, e *cli.Env, _ []string) error {
			switch {
			case images.dir == "":
				return cli.Usagef("--images DIR is required")
			case opts.Family == "":
				return cli.Usagef("--variant FAMILY is required (%s)", strings.Join(variant.Families(), ", "))
			}
			ann, err := ds.annotations()
			if err != nil {
				return err
			}
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return fmt.Errorf("output folder: %w", err)
			}
			list, err := images.list()
			if err != nil {
				return err
			}
			m, err := model.open(e)
			if err != nil {
				return err
			}
			defer m.Close()
			progress := engine.NewProgressPrinter(e.Stderr, quiet)
			opts.Progress, opts.Dir = progress.Update, outDir
			s, err := m.Sweep(ctx, list, ann, opts)
			if s != nil {
				progress.Finish(s.Stats.Progress)
				if s.Stats.Total > 0 {
					fmt.Fprintln(e.Stderr, s.Summary())
				}
			}
			if err == nil {
				if err = s.WriteFiles(ctx, outDir, []string{e.CommandLine()}); err == nil {
					err = s.WriteMarkdown(e.Stdout)
				}
			}
			return sweepOutcome(s, err, outDir)
		},
	}
}

// family checks a variant family's name.
func family(name string) (string, error) {
	_, err := variant.Family(name, 1)
	return name, err
}

// sweepOutcome is a finished sweep's error, as runOutcome's.
func sweepOutcome(s *imagenetx.Sweep, err error, outDir string) error {
	switch {
	case s == nil:
		return err
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("stopped after %d of %d images: %w", s.Stats.Done, s.Stats.Total, err)
	case err == nil && s.Stats.Failed > 0:
		return fmt.Errorf("%w: %d of %d images failed (see the .errors.csv files in %s)", cli.ErrIncomplete, s.Stats.Failed, s.Stats.Total, outDir)
	}
	return err
}
