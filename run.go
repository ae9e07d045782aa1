package imagenetx

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/runfiles"
)

// RunOptions are what a caller may watch or add while a model runs.
type RunOptions struct {
	// Progress, when set, sees the run's progress after each batch.
	Progress func(engine.Progress)
}

// Run streams the model's results over images, in file-name order, into
// sink (the evaluator, a counter, a runfiles.FileSink). A failed image is a
// Result with Err set, and the run goes on; cancelling ctx stops it after
// the batches in flight, keeping what came before.
func (m *Model) Run(ctx context.Context, images *Images, sink engine.Sink, opts RunOptions) (engine.Stats, error) {
	return m.run(ctx, images, 0, sink, opts, nil)
}

func (m *Model) run(ctx context.Context, images *Images, start int, sink engine.Sink, opts RunOptions, kindDecided func(engine.OutputKind) error) (engine.Stats, error) {
	cfg := m.clf.Config
	cfg.Progress = opts.Progress
	cfg.KindDecided = kindDecided
	return engine.Run(ctx, images.Items, start, m.clf.Preparer, m.clf.Session, sink, cfg)
}

// Output says where a run's files go and whether an interrupted run there
// is continued.
type Output struct {
	runfiles.Outputs
	// Resume continues the run whose files are there (see
	// runfiles.ResumeFileSink); it refuses when the model, preprocessing,
	// image list or another setting changed since that run began.
	Resume bool
}

// RunToFiles runs the model over images into the files of out (predictions,
// errors, run.json), locked against a second writer for the duration.
// Every result also goes to also (nil: none), including, on resume, the
// results the earlier run's files already held, so that an evaluator sees
// the whole list. The returned Stats count those kept results too (Skipped,
// and Failed for the kept failures).
//
// Outputs that cannot be written, or two of them that are one file, are
// refused before anything is written. The files are written under their
// partial names (runfiles.PartialSuffix) and renamed onto out's when the
// run completes, so that the previous run's files stay whole until then;
// an interrupted or failed run leaves its partial files for Resume, unless
// it failed before its first result: then it leaves nothing.
func (m *Model) RunToFiles(ctx context.Context, images *Images, out Output, also engine.Sink, opts RunOptions) (engine.Stats, error) {
	if err := out.Outputs.Check(); err != nil {
		return engine.Stats{}, err
	}
	lock, err := runfiles.Lock(out.Outputs)
	if err != nil {
		return engine.Stats{}, err
	}
	defer lock.Unlock()
	work, err := out.Outputs.Work(out.Resume)
	if err != nil {
		return engine.Stats{}, err
	}
	var replay func(engine.Result) error
	if also != nil {
		replay = also.Put
	}
	sink, start, err := m.openFiles(images, Output{Outputs: work, Resume: out.Resume}, replay)
	if err != nil {
		if !out.Resume {
			err = errors.Join(err, runfiles.Discard(work, out.Outputs))
		}
		return engine.Stats{}, err
	}
	var into engine.Sink = sink
	if also != nil {
		into = engine.Tee{sink, also}
	}
	st, err := m.run(ctx, images, start, into, opts, m.writeManifestOnKind(images, work.Manifest))
	err = errors.Join(err, sink.Close())
	_, keptFailed := sink.Kept()
	st.Failed += keptFailed
	return st, finishFiles([]runfiles.Outputs{work}, []runfiles.Outputs{out.Outputs}, []*runfiles.FileSink{sink}, err)
}

// finishFiles ends a run into files: a complete run's files (work[i]) are
// put in place of out[i]'s (runfiles.Promote); an incomplete one keeps its
// partial files for a resumed run, unless none of them holds a result: a
// run that failed before its first result leaves nothing behind.
func finishFiles(work, out []runfiles.Outputs, sinks []*runfiles.FileSink, runErr error) error {
	if runErr == nil {
		for i := range work {
			if err := runfiles.Promote(work[i], out[i]); err != nil {
				return err
			}
		}
		return nil
	}
	for _, s := range sinks {
		if s.Results() > 0 {
			return runErr
		}
	}
	for i := range work {
		runErr = errors.Join(runErr, runfiles.Discard(work[i], out[i]))
	}
	return runErr
}

// writeManifestOnKind is the engine's KindDecided for a run of m over
// images into files: once the model's output kind is known, run.json is
// written to path with it.
func (m *Model) writeManifestOnKind(images *Images, path string) func(engine.OutputKind) error {
	return func(k engine.OutputKind) error {
		man := m.Manifest(images)
		man.OutputKind = k.String()
		return runfiles.WriteManifest(path, man)
	}
}

// openFiles creates or resumes the output files; replay sees the results a
// resumed run keeps.
func (m *Model) openFiles(images *Images, out Output, replay func(engine.Result) error) (*runfiles.FileSink, int, error) {
	if err := m.startFiles(images, out); err != nil {
		return nil, 0, err
	}
	if !out.Resume {
		s, err := runfiles.CreateFileSink(out.Predictions, out.Errors, m.TopK())
		return s, 0, err
	}
	return runfiles.ResumeFileSink(out.Predictions, out.Errors, m.TopK(), images.Items, m.clf.Config.Batch, replay)
}

// startFiles writes the run's run.json, or on resume checks the one there
// against this run and takes the output kind the earlier run decided.
// Predictions written in place (no run.json) hold nothing to check:
// resuming them is refused when the files are opened.
func (m *Model) startFiles(images *Images, out Output) error {
	man := m.Manifest(images)
	if !out.Resume {
		return runfiles.WriteManifest(out.Manifest, man)
	}
	if _, err := os.Stat(out.Predictions); err != nil || out.Manifest == "" {
		return runfiles.WriteManifest(out.Manifest, man)
	}
	if err := runfiles.CheckResume(out.Manifest, &man); err != nil {
		return err
	}
	if err := m.adoptOutputKind(man.OutputKind); err != nil {
		return fmt.Errorf("%s: %w", out.Manifest, err)
	}
	return nil
}
