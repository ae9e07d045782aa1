package imagenetx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/stats"
	"github.com/imagenetx/imagenetx/eval/sweep"
	"github.com/imagenetx/imagenetx/eval/tabular"
	"github.com/imagenetx/imagenetx/internal/atomicfile"
	"github.com/imagenetx/imagenetx/predictions"
	"github.com/imagenetx/imagenetx/preprocess/variant"
	"github.com/imagenetx/imagenetx/report"
	"github.com/imagenetx/imagenetx/runfiles"
)

// SweepOptions choose a test-time sweep (Model.Sweep).
type SweepOptions struct {
	RunOptions
	// Family is the variant family swept (variant.Families) at Strengths,
	// sorted, 0 among them: the model's own pipeline, byte for byte a plain
	// run (sweep.ParseStrengths reads such a list). Seed seeds the
	// variants' random draws (0: the draws of a run with that variant).
	Family    string
	Strengths []float64
	Seed      uint64
	// Analysis configures the statistics: error type, correction,
	// bootstrap (none: stats.DefaultBootstrap), significance level (0:
	// sweep.DefaultAlpha).
	Analysis sweep.Options
	// Dir, when set, receives each strength's predictions and errors files
	// (NAME_FAMILYSTRENGTH.predictions.csv, runfiles.StrengthName), as a plain
	// run writes them; a
	// second writer there is refused while the sweep runs.
	Dir string
}

// Sweep is a finished test-time sweep: every strength's predictions joined
// with the annotations, the run's statistics and the analysis.
type Sweep struct {
	// Model and Family name what was swept; Strengths and Chains (nil at
	// 0) the variants, seeded by Seed.
	Model, Family string
	Strengths     []float64
	Chains        []*variant.Chain
	Seed          uint64
	// Levels are each strength's predictions, in Strengths order.
	Levels []sweep.Level
	// Stats describe the one pass over the images.
	Stats engine.Stats
	// Options are the analysis options used; Result the analysis and
	// Factors the factor table, one row per strength (both nil when the
	// run stopped early).
	Options sweep.Options
	Result  *sweep.Result
	Factors *tabular.Records

	manifest runfiles.Manifest
	batch    int
	images   *Images
	ann      *Annotations
}

// Sweep runs the model once over images and, for every image, decodes,
// resizes and crops it once, then infers each strength of the variant
// family on a copy of the crop, in the batches a plain run would use. The
// predictions stream into one evaluator per strength; the analysis (per
// factor and strength: accuracy, error ratio, its change against strength
// 0 with a paired bootstrap interval, exact McNemar tests, corrected) comes
// back in Sweep.Result. The model must be opened without a variant. When
// the run stops early (an error, ctx cancelled), the Sweep so far is
// returned with the error.
func (m *Model) Sweep(ctx context.Context, images *Images, ann *Annotations, opts SweepOptions) (*Sweep, error) {
	if m.opts.Variant != "" {
		return nil, fmt.Errorf("sweep of %s: the model was opened with the variant %q; a sweep applies its own", m.Name(), m.opts.Variant)
	}
	if len(opts.Strengths) < 2 || opts.Strengths[0] != 0 {
		return nil, fmt.Errorf("sweep of %s: strengths %v: need 0 (the baseline) first and at least one other", m.Name(), opts.Strengths)
	}
	s := &Sweep{Model: m.Name(), Family: opts.Family, Strengths: opts.Strengths, Seed: opts.Seed, Options: opts.Analysis,
		manifest: m.Manifest(images), batch: m.clf.Config.Batch, images: images, ann: ann}
	if s.Options.Alpha == 0 {
		s.Options.Alpha = sweep.DefaultAlpha
	}
	if s.Options.Bootstrap.Resamples == 0 {
		s.Options.Bootstrap = stats.DefaultBootstrap
	}
	for _, st := range opts.Strengths {
		ch, err := variant.FamilyChain(opts.Family, st, opts.Seed)
		if err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
		s.Chains = append(s.Chains, ch)
	}
	if opts.Dir != "" {
		lock, err := runfiles.LockDir(opts.Dir)
		if err != nil {
			return nil, err
		}
		defer lock.Unlock()
	}
	if err := s.run(ctx, m, opts); err != nil {
		return s, err
	}
	var err error
	if s.Result, err = sweep.Analyze(ctx, s.Levels, s.Options); err != nil {
		return s, err
	}
	s.Factors, err = sweep.FactorTable(s.Levels, s.Options.ErrorType)
	return s, err
}

// run is the engine's one pass, with one view per strength.
func (s *Sweep) run(ctx context.Context, m *Model, opts SweepOptions) error {
	clf := m.clf
	cfg, inf, err := engine.WithViews(clf.Config, len(s.Strengths), clf.Session)
	if err != nil {
		return err
	}
	sink, files, work, outs, err := s.sinks(opts.Dir, m.TopK())
	if err != nil {
		return err
	}
	prep := &engine.VariantPreparer{Pipeline: clf.Preparer.Pipeline, Layout: clf.Preparer.Layout,
		Variants: s.Chains, Decode: clf.Preparer.Decode}
	cfg.Progress = opts.Progress
	s.Stats, err = engine.Run(ctx, s.images.Items, 0, prep, inf, sink, cfg)
	for _, f := range files {
		err = errors.Join(err, f.Close())
	}
	return finishFiles(work, outs, files, err)
}

// sinks makes, per strength, the accumulator for the statistics and, with
// a folder, the predictions file (with its errors file beside it), written
// under its partial name (work) until the sweep completes (outs).
func (s *Sweep) sinks(dir string, topK int) (sink engine.Sink, files []*runfiles.FileSink, work, outs []runfiles.Outputs, err error) {
	var views engine.ViewSinks
	fail := func(err error) (engine.Sink, []*runfiles.FileSink, []runfiles.Outputs, []runfiles.Outputs, error) {
		for _, open := range files {
			open.Close()
		}
		for i := range files {
			err = errors.Join(err, runfiles.Discard(work[i], outs[i]))
		}
		return nil, nil, nil, nil, err
	}
	for _, st := range s.Strengths {
		acc := eval.NewAccumulator(s.ann.Dataset)
		s.Levels = append(s.Levels, sweep.Level{Strength: st, Acc: acc, Model: s.Model})
		view := engine.Tee{engine.FuncSink(func(res engine.Result) error {
			if res.Err != nil {
				return nil
			}
			return acc.Add(s.Model, res.Pred)
		})}
		if dir != "" {
			path := filepath.Join(dir, predictions.FileName(runfiles.StrengthName(s.Model, s.Family, st)))
			o := runfiles.Outputs{Predictions: path, Errors: runfiles.ErrorsPathFor(path)}
			if err := o.Check(); err != nil {
				return fail(err)
			}
			w, err := o.Partial()
			if err != nil {
				return fail(err)
			}
			f, err := runfiles.CreateFileSink(w.Predictions, w.Errors, topK)
			if err != nil {
				return fail(err)
			}
			files, work, outs = append(files, f), append(work, w), append(outs, o)
			view = engine.Tee{f, view[0]}
		}
		views = append(views, view)
	}
	return views, files, work, outs, nil
}

// Summary is one line on the pass: images, failures, throughput.
func (s *Sweep) Summary() string {
	st, n := s.Stats, len(s.Strengths)
	return fmt.Sprintf("%s × %s at %d strengths on %d images: %d predicted, %d failed; %.1f img/s (%.1f predictions/s) over %s (batch %d)",
		s.Model, s.Family, n, st.Total, st.Done-st.Failed, st.Failed, st.Rate(), float64(n)*st.Rate(),
		st.Elapsed.Round(time.Millisecond), s.batch)
}

// Title is "model × family".
func (s *Sweep) Title() string { return s.Model + " × " + s.Family }

// WriteMarkdown writes the per-factor summary for a terminal.
func (s *Sweep) WriteMarkdown(w io.Writer) error { return sweep.WriteMarkdown(w, s.Result, s.Title()) }

// Manifest is the sweep's run.json.
func (s *Sweep) Manifest() runfiles.SweepManifest {
	st := s.Stats
	m := runfiles.SweepManifest{Manifest: s.manifest, Family: s.Family, Strengths: s.Strengths, Seed: s.Seed,
		ErrorType: s.Options.ErrorType.String(), Correction: s.Options.Correction.String(),
		Resamples: s.Options.Bootstrap.Resamples, BootstrapSeed: s.Options.Bootstrap.Seed,
		ImagesDir: s.images.Dir, Annotations: s.ann.Dir, NumImages: st.Total, Failed: st.Failed,
		ElapsedSeconds: st.Elapsed.Seconds(), ImagesPerSecond: st.Rate()}
	m.OutputKind = st.OutputKind.String()
	for _, ch := range s.Chains {
		spec := ""
		if ch != nil {
			spec = ch.String()
		}
		m.Specs = append(m.Specs, spec)
	}
	return m
}

// WriteReport writes the HTML report of the sweep's curves, each factor
// highlighted by the sweep's own verdict, with notes (the command line, …).
func (s *Sweep) WriteReport(ctx context.Context, w io.Writer, notes []string) error {
	c, err := s.Result.Curves()
	if err != nil {
		return err
	}
	c.Title, c.StrengthLabel = s.Title(), s.Family+" strength"
	in := report.Input{Title: "imagenetx sweep: " + s.Title(), Sweeps: []sweep.Curves{c}, Notes: notes}
	return report.Write(ctx, w, in)
}

// WriteFiles writes the sweep's results into dir (beside the predictions
// of SweepOptions.Dir): factors.csv, spillover.csv, run.json and
// report.html, each by atomicfile's rule.
func (s *Sweep) WriteFiles(ctx context.Context, dir string, notes []string) error {
	for _, out := range []struct {
		name  string
		write func(io.Writer) error
	}{
		{runfiles.FactorsFile, s.Factors.WriteCSV},
		{sweep.SpilloverFile, s.Result.Records().WriteCSV},
	} {
		if err := atomicfile.Write(filepath.Join(dir, out.name), out.write); err != nil {
			return err
		}
	}
	if err := runfiles.WriteJSON(filepath.Join(dir, runfiles.SweepManifestFile), s.Manifest()); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, runfiles.ReportFile), func(w io.Writer) error { return s.WriteReport(ctx, w, notes) })
}
