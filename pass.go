package imagenetx

import (
	"context"
	"errors"
	"fmt"

	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/preprocess"
	"github.com/imagenetx/imagenetx/runfiles"
)

// pass is one engine run that feeds several models: the distinct inputs
// their preprocessing makes of an image, and one feed per model.
type pass struct {
	prep *engine.SharedPreparer
	cfg  engine.Config
	inf  *engine.ModelsInferer
}

// inputKey tells inputs apart: models whose preprocessing, layout and
// variant agree take the same tensor.
type inputKey struct {
	cfg     preprocess.Config
	layout  preprocess.Layout
	variant string
}

// planPass sets up the pass over ms: one SharedPreparer input per distinct
// preprocessing, one feed per model in its own batches.
func planPass(ms []*Model) (*pass, error) {
	decode := ms[0].opts.Decode
	var inputs []engine.Input
	index := map[inputKey]int{}
	var feeds []engine.Feed
	workers, runners := 0, 0
	for _, m := range ms {
		if m.opts.Decode != decode {
			return nil, fmt.Errorf("models %s and %s decode images differently (%+v and %+v): one pass decodes each image once for all", ms[0].Name(), m.Name(), decode, m.opts.Decode)
		}
		c := m.clf
		key := inputKey{cfg: c.Preparer.Pipeline.Config(), layout: c.Preparer.Layout, variant: m.opts.Variant}
		in, ok := index[key]
		if !ok {
			in = len(inputs)
			index[key] = in
			inputs = append(inputs, engine.Input{Pipeline: c.Preparer.Pipeline, Layout: c.Preparer.Layout})
		}
		feeds = append(feeds, engine.Feed{Inferer: c.Session, Input: in, Batch: c.Config.Batch, Pad: c.Config.PadBatch,
			Head: engine.Head{Classes: c.Config.Classes, Scorer: c.Config.Scorer}})
		workers, runners = max(workers, c.Config.Workers), max(runners, c.Config.Runners)
	}
	prep := &engine.SharedPreparer{Inputs: inputs, Decode: decode}
	cfg, inf, err := engine.MultiModel(prep.TensorLens(), feeds, workers, runners)
	if err != nil {
		return nil, err
	}
	return &pass{prep: prep, cfg: cfg, inf: inf}, nil
}

// runPass runs ms over images in one pass, each model's results into its
// sink, and with opts.Dir into its files too (resumed together).
func runPass(ctx context.Context, ms []*Model, images *Images, sinks []engine.Sink, audits []*Audit, opts AuditOptions) (engine.Stats, error) {
	var work, outs []runfiles.Outputs
	if opts.Dir != "" {
		for _, a := range audits {
			if err := a.Outputs.Check(); err != nil {
				return engine.Stats{}, fmt.Errorf("%s: %w", a.Model, err)
			}
			outs = append(outs, a.Outputs)
		}
		if err := runfiles.CheckDistinct(outs...); err != nil {
			return engine.Stats{}, err
		}
		for _, a := range audits {
			lock, err := runfiles.Lock(a.Outputs)
			if err != nil {
				return engine.Stats{}, err
			}
			defer lock.Unlock()
			w, err := a.Outputs.Work(opts.Resume)
			if err != nil {
				return engine.Stats{}, fmt.Errorf("%s: %w", a.Model, err)
			}
			work = append(work, w)
		}
		// A resumed run's output kinds are decided before the pass is
		// planned, which copies each model's scorer.
		for i, m := range ms {
			if err := m.startFiles(images, Output{Outputs: work[i], Resume: opts.Resume}); err != nil {
				if !opts.Resume {
					for j := range work[:i+1] {
						err = errors.Join(err, runfiles.Discard(work[j], outs[j]))
					}
				}
				return engine.Stats{}, err
			}
		}
	}
	p, err := planPass(ms)
	if err != nil {
		if opts.Resume {
			return engine.Stats{}, err
		}
		return engine.Stats{}, finishFiles(work, outs, nil, err)
	}
	cfg := p.cfg
	cfg.Progress = opts.Progress
	start := 0
	views := make(engine.ViewSinks, len(ms))
	copy(views, sinks)
	var files []*runfiles.FileSink
	if opts.Dir != "" {
		if files, start, err = openPassFiles(ms, images, work, sinks, opts.Resume, cfg.Batch); err != nil {
			if opts.Resume {
				return engine.Stats{}, err
			}
			return engine.Stats{}, finishFiles(work, outs, nil, err)
		}
		for i, m := range ms {
			views[i] = engine.Tee{files[i], sinks[i]}
			cfg.Heads[i].KindDecided = m.writeManifestOnKind(images, work[i].Manifest)
		}
	}
	st, err := engine.Run(ctx, images.Items, start, p.prep, p.inf, views, cfg)
	for _, f := range files {
		err = errors.Join(err, f.Close())
	}
	return st, finishFiles(work, outs, files, err)
}

// openPassFiles opens every model's files: new ones, or on resume the
// ones there, each kept up to the fewest images any model's files hold,
// cut back to the pass's batch (every kept result replayed into the
// model's sink). It returns the index the pass starts from.
func openPassFiles(ms []*Model, images *Images, work []runfiles.Outputs, sinks []engine.Sink, resume bool, batch int) ([]*runfiles.FileSink, int, error) {
	var files []*runfiles.FileSink
	fail := func(err error) ([]*runfiles.FileSink, int, error) {
		for _, f := range files {
			f.Close()
		}
		return nil, 0, err
	}
	start := 0
	if resume {
		start = len(images.Items)
		for i, m := range ms {
			o := work[i]
			n, err := runfiles.Resumable(o.Predictions, o.Errors, m.TopK(), images.Items)
			if err != nil {
				return fail(err)
			}
			start = min(start, n)
		}
		start = runfiles.ResumeStart(start, len(images.Items), batch)
	}
	for i, m := range ms {
		o := work[i]
		var f *runfiles.FileSink
		var err error
		if resume {
			f, err = runfiles.ResumeFileSinkAt(o.Predictions, o.Errors, m.TopK(), images.Items, start, sinks[i].Put)
		} else {
			f, err = runfiles.CreateFileSink(o.Predictions, o.Errors, m.TopK())
		}
		if err != nil {
			return fail(fmt.Errorf("%s: %w", m.Name(), err))
		}
		files = append(files, f)
	}
	return files, start, nil
}
