package imagenetx

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/engine/ortlib"
	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/models"
	"github.com/imagenetx/imagenetx/runfiles"
)

func openDefault(t *testing.T, opts Options) *Model {
	t.Helper()
	m, err := Open(shareddata.Require(t, "models", models.DefaultName+".onnx"), opts)
	if err != nil {
		if os.Getenv("CI") == "" && errors.Is(err, ortlib.ErrNotFound) {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// TestAuditToFilesMatchesInMemory: an audit that writes its files and one
// that does not agree; the files resume to the same bytes after a cancel,
// and the resumed audit's numbers cover the whole list.
func TestAuditToFilesMatchesInMemory(t *testing.T) {
	model := openDefault(t, Options{Batch: 8, TopK: 5})
	images, err := Folder(shareddata.Require(t, "images", "val_227"), Selection{Limit: 48})
	if err != nil {
		t.Fatal(err)
	}
	ann, err := LoadAnnotations(shareddata.Require(t, "annotations"), eval.DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mem, err := model.Audit(context.Background(), images, ann, AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if mem.Score.Labeled != 48 || mem.Score.TopK < mem.Score.Top1 || mem.Score.K != 5 {
		t.Fatalf("score %+v: want 48 labelled images, top-5 ≥ top-1", mem.Score)
	}

	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	stopped, err := model.Audit(ctx, images, ann, AuditOptions{Dir: out, RunOptions: RunOptions{Progress: func(p engine.Progress) {
		if p.Done >= 16 {
			cancel()
		}
	}}})
	if !errors.Is(err, context.Canceled) || stopped.Stats.Done >= 48 {
		t.Fatalf("cancelled audit: %v after %d images", err, stopped.Stats.Done)
	}
	resumed, err := model.Audit(context.Background(), images, ann, AuditOptions{Dir: out, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if resumed.Score != mem.Score || resumed.Row().Average != mem.Row().Average || resumed.Stats.Skipped == 0 {
		t.Fatalf("resumed audit: score %+v, accuracy %v, skipped %d; want %+v, %v, > 0",
			resumed.Score, resumed.Row().Average, resumed.Stats.Skipped, mem.Score, mem.Row().Average)
	}
	whole := t.TempDir()
	if _, err := model.Audit(context.Background(), images, ann, AuditOptions{Dir: whole}); err != nil {
		t.Fatal(err)
	}
	a, b := runfiles.ForModel(out, model.Name()), runfiles.ForModel(whole, model.Name())
	for _, f := range [][2]string{{a.Predictions, b.Predictions}, {a.Manifest, b.Manifest}} {
		x, _ := os.ReadFile(f[0])
		y, _ := os.ReadFile(f[1])
		if len(x) == 0 || string(x) != string(y) {
			t.Fatalf("%s of the resumed audit differs from an uninterrupted one", filepath.Base(f[0]))
		}
	}
}

func TestFilesListsGivenImages(t *testing.T) {
	dir := shareddata.Require(t, "images", "val_227")
	paths := map[string]string{
		"b.JPEG": filepath.Join(dir, "ILSVRC2012_val_00000355.JPEG"),
		"a.JPEG": filepath.Join(dir, "ILSVRC2012_val_00000347.JPEG"),
	}
	images, err := Files(paths, Selection{})
	if err != nil {
		t.Fatal(err)
	}
	if len(images.Items) != 2 || images.Items[0].Name != "a.JPEG" || images.Items[1].Index != 1 || images.List.Count != 2 {
		t.Fatalf("items %+v", images.Items)
	}
}
