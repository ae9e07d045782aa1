package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/imagenetx/imagenetx"
	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/stats"
	"github.com/imagenetx/imagenetx/eval/sweep"
	"github.com/imagenetx/imagenetx/eval/tabular"
	"github.com/imagenetx/imagenetx/preprocess/variant"
	"github.com/imagenetx/imagenetx/report"
	"github.com/imagenetx/imagenetx/runfiles"
)

// sweepFlags are the settings of a sweep beyond the model, image and
// dataset flags.
type sweepFlags struct {
	model     modelFlags
	images    imageFlags
	data      datasetFlags
	strengths string
	seed      uint64
	opt       sweep.Options
	outDir    string
	quiet     bool
}

func (f *sweepFlags) register(fs *flag.FlagSet) {
	f.model.register(fs)
	fs.Lookup("variant").Usage = "variant `FAMILY` to sweep (" + strings.Join(variant.Families(), ", ") + ")"
	f.images.register(fs, false)
	f.data.register(fs, "top", true)
	fs.StringVar(&f.strengths, "strengths", "0,0.25,0.5,1", "comma-separated `STRENGTHS` in [0, 1], including 0 (the baseline)")
	fs.Uint64Var(&f.seed, "seed", 0, "`SEED` of the variants' random draws (0: the draws of run --variant)")
	correctionVar(fs, &f.opt.Correction)
	errorTypeVar(fs, &f.opt.ErrorType)
	f.opt.Bootstrap = stats.DefaultBootstrap
	parsedVar(fs, &f.opt.Bootstrap.Resamples, "bootstrap", fmt.Sprint(stats.DefaultResamples), atLeast(1), "`N` bootstrap resamples for the change intervals")
	parsedVar(fs, &f.opt.MinImages, "min-images", fmt.Sprint(eval.DefaultMinImages), atLeast(1), "judge only factors with at least `N` images (1: every factor with an image)")
	fs.StringVar(&f.outDir, "o", "sweep", "output `DIR`")
	quietVar(fs, &f.quiet, "progress")
}

// sweepCommand is `imagenetx sweep`.
func sweepCommand() *command {
	var f sweepFlags
	return &command{
		name: "sweep",
		usage: "imagenetx sweep [--model NAME|FILE] --images DIR [--annotations DIR] --variant FAMILY\n" +
			"[--strengths 0,0.25,0.5,1] [--seed N] [--correction holm|bh|none] [--bootstrap 1000] [-o OUTDIR] [flags]",
		short: "test-time spill-over: one pass, every strength of a variant family",
		long: `
Test-time spill-over: one pass over the images, each decoded, resized and
cropped once, then every strength of the variant family applied to a copy of
the crop. OUTDIR gets predictions_<strength>.csv per strength (strength 0 is
exactly a plain run), factors.csv, spillover.csv, run.json and report.html;
stdout a summary per factor. A sweep is neither sharded nor resumed: its
statistics need every image in one pass.`,
		flags: f.register,
		run: func(ctx context.Context, e *env, _ []string) error {
			if f.images.dir == "" {
				return usagef("--images DIR is required")
			}
			p, err := f.plan()
			if err != nil {
				return err
			}
			return runSweepPlan(ctx, e, &f, p)
		},
	}
}

// sweepPlan is a checked sweep: the strengths with their variant chains.
type sweepPlan struct {
	family    string
	strengths []float64
	chains    []*variant.Chain
	opt       sweep.Options
}

func (f *sweepFlags) plan() (*sweepPlan, error) {
	family := f.model.opts.Variant
	if family == "" {
		return nil, usagef("--variant FAMILY is required (%s)", strings.Join(variant.Families(), ", "))
	}
	p := &sweepPlan{family: family, opt: f.opt}
	p.opt.Alpha = sweep.DefaultAlpha
	var err error
	if p.strengths, err = parseStrengths(f.strengths); err != nil {
		return nil, err
	}
	for _, s := range p.strengths {
		ch, err := variant.FamilyChain(p.family, s, f.seed)
		if err != nil {
			return nil, fmt.Errorf("--variant: %w", err)
		}
		p.chains = append(p.chains, ch)
	}
	return p, nil
}

// parseStrengths reads a comma-separated list of distinct strengths in
// [0, 1] that includes 0, and returns it sorted.
func parseStrengths(text string) ([]float64, error) {
	var out []float64
	for _, field := range strings.Split(text, ",") {
		s, err := strconv.ParseFloat(strings.TrimSpace(field), 64)
		if err != nil || !(s >= 0 && s <= 1) {
			return nil, fmt.Errorf("--strengths: %q is not a number in [0, 1]", strings.TrimSpace(field))
		}
		if slices.Contains(out, s) {
			return nil, fmt.Errorf("--strengths: %v given twice", s)
		}
		out = append(out, s)
	}
	slices.Sort(out)
	if len(out) < 2 || out[0] != 0 {
		return nil, fmt.Errorf("--strengths %q: need 0 (the baseline) and at least one other strength", text)
	}
	return out, nil
}

// sweepRun is an opened sweep: the model, its per-strength outputs and the
// accumulators the predictions stream into.
type sweepRun struct {
	flags  *sweepFlags
	plan   *sweepPlan
	model  *imagenetx.Model
	images *imagenetx.Images
	levels []sweep.Level
	sinks  []*runfiles.FileSink
}

func runSweepPlan(ctx context.Context, e *env, f *sweepFlags, p *sweepPlan) error {
	annotations, err := f.data.folder()
	if err == nil {
		f.data.dir = annotations
		var dataset *eval.Dataset
		if dataset, err = f.data.load(); err == nil {
			return runSweepOn(ctx, e, f, p, dataset)
		}
	}
	return fmt.Errorf("annotations: %w (run `bash scripts/setup.sh` to fetch them, or pass --annotations DIR)", err)
}

func runSweepOn(ctx context.Context, e *env, f *sweepFlags, p *sweepPlan, dataset *eval.Dataset) error {
	if err := os.MkdirAll(f.outDir, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	lock, err := runfiles.Lock(runfiles.ForDir(f.outDir))
	if err != nil {
		return err
	}
	defer lock.Unlock()
	images, err := f.images.list()
	if err != nil {
		return err
	}
	plain := f.model
	plain.opts.Variant = "" // the model's own pipeline; the variants come per strength
	model, err := plain.open()
	if err != nil {
		return err
	}
	defer model.Close()
	r := &sweepRun{flags: f, plan: p, model: model, images: images}
	st, err := r.execute(ctx, e, dataset)
	if st.Total > 0 {
		printSweepSummary(e.stderr, r, st)
	}
	if err != nil {
		return sweepOutcome(st, err, f.outDir)
	}
	if err := r.writeResults(ctx, e, st); err != nil {
		return err
	}
	return sweepOutcome(st, nil, f.outDir)
}

// execute runs the engine once over the images with one view per strength.
func (r *sweepRun) execute(ctx context.Context, e *env, dataset *eval.Dataset) (engine.Stats, error) {
	clf := r.model.Classifier()
	cfg, inf, err := engine.WithViews(clf.Config, len(r.plan.strengths), clf.Session)
	if err != nil {
		return engine.Stats{}, err
	}
	sink, err := r.openSinks(dataset)
	if err != nil {
		return engine.Stats{}, err
	}
	prep := &engine.VariantPreparer{Pipeline: clf.Preparer.Pipeline, Layout: clf.Preparer.Layout,
		Variants: r.plan.chains, Decode: clf.Preparer.Decode}
	pp := engine.NewProgressPrinter(e.stderr, r.flags.quiet)
	cfg.Progress = pp.Update
	st, err := engine.Run(ctx, r.images.Items, 0, prep, inf, sink, cfg)
	pp.Finish(st.Progress)
	for _, s := range r.sinks {
		err = errors.Join(err, s.Close())
	}
	return st, err
}

// openSinks makes, per strength, the predictions file (with its errors file
// beside it, as `run` writes them) and the accumulator for the statistics.
func (r *sweepRun) openSinks(dataset *eval.Dataset) (engine.Sink, error) {
	model := r.model.Classifier().Spec.Name
	var views engine.ViewSinks
	for _, s := range r.plan.strengths {
		path := filepath.Join(r.flags.outDir, runfiles.StrengthPredictionsFile(s))
		fsink, err := runfiles.CreateFileSink(path, runfiles.ErrorsPathFor(path), r.model.TopK())
		if err != nil {
			for _, open := range r.sinks {
				open.Close()
			}
			return nil, err
		}
		r.sinks = append(r.sinks, fsink)
		acc := eval.NewAccumulator(dataset)
		r.levels = append(r.levels, sweep.Level{Strength: s, Acc: acc, Model: model})
		add := func(res engine.Result) error {
			if res.Err != nil {
				return nil
			}
			return acc.Add(model, res.Pred)
		}
		views = append(views, engine.Tee{fsink, engine.FuncSink(add)})
	}
	return views, nil
}

func printSweepSummary(w io.Writer, r *sweepRun, st engine.Stats) {
	n := len(r.plan.strengths)
	fmt.Fprintf(w, "%s × %s at %d strengths on %d images: %d predicted, %d failed; %.1f img/s (%.1f predictions/s) over %s (batch %d)\n",
		r.model.Classifier().Spec.Name, r.plan.family, n, st.Total, st.Done-st.Failed, st.Failed, st.Rate(), float64(n)*st.Rate(),
		st.Elapsed.Round(time.Millisecond), r.model.Classifier().Config.Batch)
}

// sweepOutcome maps a finished sweep to the command's error, as runOutcome.
func sweepOutcome(st engine.Stats, err error, outDir string) error {
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("stopped after %d of %d images: %w", st.Done, st.Total, err)
		}
		return err
	}
	if st.Failed > 0 {
		return fmt.Errorf("%w: %d of %d images failed (see the .errors.csv files in %s)", errIncomplete, st.Failed, st.Total, outDir)
	}
	return nil
}

// writeResults analyses the sweep and writes the tables, run.json, the
// report and the summary.
func (r *sweepRun) writeResults(ctx context.Context, e *env, st engine.Stats) error {
	res, err := sweep.Analyze(ctx, r.levels, r.plan.opt)
	if err != nil {
		return err
	}
	tbl, err := sweep.FactorTable(r.levels, r.plan.opt.ErrorType)
	if err != nil {
		return err
	}
	dir := r.flags.outDir
	for _, out := range []struct {
		name string
		rec  *tabular.Records
	}{{"factors.csv", tbl}, {sweep.SpilloverFile, res.Records()}} {
		if err := e.writeOutput(filepath.Join(dir, out.name), out.rec.WriteCSV); err != nil {
			return err
		}
	}
	if err := writeSweepManifest(filepath.Join(dir, runfiles.ManifestFile), r, st); err != nil {
		return err
	}
	if err := r.writeReport(ctx, e, res); err != nil {
		return err
	}
	return sweep.WriteMarkdown(e.stdout, res, r.title())
}

func (r *sweepRun) title() string { return r.model.Classifier().Spec.Name + " × " + r.plan.family }

// writeReport renders report.html from the sweep's curves, each factor
// highlighted by the sweep's own verdict (as `imagenetx report --sweep DIR`
// reads it back from spillover.csv).
func (r *sweepRun) writeReport(ctx context.Context, e *env, res *sweep.Result) error {
	c, err := res.Curves()
	if err != nil {
		return err
	}
	c.Title, c.StrengthLabel = r.title(), r.plan.family+" strength"
	in := report.Input{Title: "imagenetx sweep: " + r.title(), Sweeps: []sweep.Curves{c},
		Notes: []string{e.commandLine()}}
	return e.writeOutput(filepath.Join(r.flags.outDir, runfiles.ReportFile), func(w io.Writer) error { return report.Write(ctx, w, in) })
}

// sweepManifest is run.json: what produced a sweep's outputs.
type sweepManifest struct {
	runfiles.Manifest
	Family          string    `json:"family"`
	Strengths       []float64 `json:"strengths"`
	Specs           []string  `json:"variant_specs"`
	Seed            uint64    `json:"seed"`
	ErrorType       string    `json:"error_type"`
	Correction      string    `json:"correction"`
	Resamples       int       `json:"bootstrap_resamples"`
	BootstrapSeed   uint64    `json:"bootstrap_seed"`
	ImagesDir       string    `json:"images_dir"`
	Annotations     string    `json:"annotations"`
	NumImages       int       `json:"num_images"`
	Failed          int       `json:"failed"`
	ElapsedSeconds  float64   `json:"elapsed_seconds"`
	ImagesPerSecond float64   `json:"images_per_second"`
}

func writeSweepManifest(path string, r *sweepRun, st engine.Stats) error {
	m := sweepManifest{Manifest: r.model.Manifest(r.images), Family: r.plan.family, Strengths: r.plan.strengths, Seed: r.flags.seed,
		ErrorType: r.plan.opt.ErrorType.String(), Correction: r.plan.opt.Correction.String(),
		Resamples: r.plan.opt.Bootstrap.Resamples, BootstrapSeed: r.plan.opt.Bootstrap.Seed,
		ImagesDir: r.flags.images.dir, Annotations: r.flags.data.dir, NumImages: st.Total, Failed: st.Failed,
		ElapsedSeconds: st.Elapsed.Seconds(), ImagesPerSecond: st.Rate()}
	m.OutputKind = st.OutputKind.String()
	for _, ch := range r.plan.chains {
		spec := ""
		if ch != nil {
			spec = ch.String()
		}
		m.Specs = append(m.Specs, spec)
	}
	return runfiles.WriteJSON(path, m)
}
