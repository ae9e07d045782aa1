package runfiles

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/models"
)

// openDefaultModel opens the default model from the shared data with the
// ONNX Runtime library set-up installed; under CI their absence fails.
func openDefaultModel(tb testing.TB, opts engine.Options) *engine.Classifier {
	tb.Helper()
	if err := engine.InitDefault(""); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal(err)
		}
		tb.Skip(err)
	}
	spec, err := models.Resolve(models.DefaultName, []string{shareddata.Require(tb, "models")})
	if err != nil {
		tb.Fatal(err)
	}
	clf, err := engine.OpenClassifier(spec, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { clf.Close() })
	return clf
}

// TestRealResumeIsIdentical interrupts a real run part-way, tears the last
// line as a kill would, resumes, and compares with an uninterrupted run.
func TestRealResumeIsIdentical(t *testing.T) {
	items, err := engine.ListImages(shareddata.Require(t, "images", "val_227"))
	if err != nil {
		t.Fatal(err)
	}
	items = items[:100]
	clf := openDefaultModel(t, engine.Options{Batch: 8, TopK: 5})
	run := func(ctx context.Context, f runFiles, resume bool) {
		var sink *FileSink
		start := 0
		var err error
		if resume {
			sink, start, err = ResumeFileSink(f.preds, f.errs, 5, items, clf.Config.Batch, nil)
		} else {
			sink, err = CreateFileSink(f.preds, f.errs, 5)
		}
		if err != nil {
			t.Fatal(err)
		}
		sink.FlushInterval = 0
		_, err = engine.Run(ctx, items, start, clf.Preparer, clf.Session, sink, clf.Config)
		if cerr := sink.Close(); cerr != nil {
			t.Fatal(cerr)
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
	}
	ref := newRunFiles(t)
	run(context.Background(), ref, false)
	wantP, _ := ref.read(t)

	f := newRunFiles(t)
	ctx, cancel := context.WithCancel(context.Background())
	cfg := clf.Config
	clf.Config.Progress = func(p engine.Progress) {
		if p.Done >= 37 {
			cancel()
		}
	}
	run(ctx, f, false)
	clf.Config = cfg
	cancel()
	got, _ := f.read(t)
	if len(got) >= len(wantP) {
		t.Fatal("the run was not interrupted")
	}
	os.WriteFile(f.preds, []byte(got[:len(got)-9]), 0o644) // a torn last line
	run(context.Background(), f, true)
	if gotP, _ := f.read(t); gotP != wantP {
		t.Fatal("resumed predictions differ from an uninterrupted run")
	}
}
