package imagenetx

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/engine/ortlib"
	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/runfiles"
)

// registryModels are the shared data's four models: a batch-16 int8 one, a
// fixed batch of 1, a dynamically quantised one (scores depend on
// batch-mates) and a damaged one.
var registryModels = []string{"mobilenetv2-12-int8", "shufflenet-v2-12-qdq", "mobilenet_v2_int8_dynamic", "mobilenetv2-7.quant"}

func openShared(t testing.TB, name string, opts Options) *Model {
	t.Helper()
	m, err := Open(shareddata.Require(t, "models", name+".onnx"), opts)
	if err != nil {
		if os.Getenv("CI") == "" && errors.Is(err, ortlib.ErrNotFound) {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func openRegistry(t testing.TB, opts Options) []*Model {
	var ms []*Model
	for _, name := range registryModels {
		ms = append(ms, openShared(t, name, opts))
	}
	return ms
}

func loadShared(t testing.TB) *Annotations {
	t.Helper()
	ann, err := LoadAnnotations(shareddata.Require(t, "annotations"), eval.DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ann
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAuditModelsMatchesSeparateAudits: the four registry models in one
// pass write, byte for byte, the files four separate audits write, with
// the same scores and factor rows; an interrupted pass resumes to the same
// files; the leaderboard compares each with the first.
func TestAuditModelsMatchesSeparateAudits(t *testing.T) {
	opts := Options{Batch: 8, TopK: 5}
	ms := openRegistry(t, opts)
	images, err := Folder(shareddata.Require(t, "images", "val_227"), Selection{Limit: 40})
	if err != nil {
		t.Fatal(err)
	}
	ann := loadShared(t)
	one := t.TempDir()
	as, err := AuditModels(context.Background(), ms, images, ann, AuditOptions{Dir: one})
	if err != nil {
		t.Fatal(err)
	}
	if len(as.Table.Rows) != 4 || as.Coverage != (Coverage{Images: 40, Labeled: 40, Annotated: 36}) {
		t.Fatalf("%d table rows, coverage %+v", len(as.Table.Rows), as.Coverage)
	}
	for i, m := range ms {
		sep := t.TempDir()
		a, err := openShared(t, registryModels[i], opts).Audit(context.Background(), images, ann, AuditOptions{Dir: sep})
		if err != nil {
			t.Fatal(err)
		}
		got, want := as.Models[i], a
		if got.Model != m.Name() || got.Score != want.Score || got.Row().Average != want.Row().Average || got.Stats.OutputKind != want.Stats.OutputKind {
			t.Errorf("%s in one pass: %+v, %v, %v; alone %+v, %v, %v", m.Name(), got.Score, got.Row().Average, got.Stats.OutputKind,
				want.Score, want.Row().Average, want.Stats.OutputKind)
		}
		for _, f := range [][2]string{{got.Outputs.Predictions, want.Outputs.Predictions}, {got.Outputs.Manifest, want.Outputs.Manifest}} {
			if readFile(t, f[0]) != readFile(t, f[1]) {
				t.Errorf("%s: %s of the pass differs from its own audit's", m.Name(), filepath.Base(f[0]))
			}
		}
	}

	// Interrupted after a few batches, then resumed: the same files.
	cut := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	stopped, err := AuditModels(ctx, ms, images, ann, AuditOptions{Dir: cut, RunOptions: RunOptions{Progress: func(p engine.Progress) {
		if p.Done >= 8 {
			cancel()
		}
	}}})
	if !errors.Is(err, context.Canceled) || stopped.Stats.Done >= 40 {
		t.Fatalf("cancelled pass: %v after %d images", err, stopped.Stats.Done)
	}
	resumed, err := AuditModels(context.Background(), ms, images, ann, AuditOptions{Dir: cut, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if resumed.Stats.Skipped == 0 {
		t.Error("the resumed pass kept nothing")
	}
	for i, a := range resumed.Models {
		if a.Score != as.Models[i].Score || readFile(t, a.Outputs.Predictions) != readFile(t, as.Models[i].Outputs.Predictions) {
			t.Errorf("%s: the resumed pass differs from the uninterrupted one", a.Model)
		}
	}

	lb, err := as.Leaderboard(LeaderboardOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if lb.Baseline != registryModels[0] || len(lb.Rows) != 4 {
		t.Fatalf("leaderboard %+v", lb)
	}
	for i, r := range lb.Rows {
		if i > 0 && r.Score.Top1Accuracy() > lb.Rows[i-1].Score.Top1Accuracy() {
			t.Errorf("row %d (%s) ranks above a better model", i, r.Model)
		}
		if r.Baseline != (r.Model == lb.Baseline) || r.Baseline != math.IsNaN(r.P) {
			t.Errorf("row %s: baseline %v, p %v", r.Model, r.Baseline, r.P)
		}
		if !r.Baseline && (r.Paired != 40 || r.PAdjusted < r.P || r.Top1Lo > r.Score.Top1Accuracy() || r.Top1Hi < r.Score.Top1Accuracy()) {
			t.Errorf("row %+v", r)
		}
	}
	if _, err := as.Leaderboard(LeaderboardOptions{Baseline: "resnet"}); err == nil {
		t.Error("an unknown baseline was accepted")
	}
}

// TestAuditModelsRefusesClashingNames: two models under one name would
// write the same files.
func TestAuditModelsRefusesClashingNames(t *testing.T) {
	a := openShared(t, "mobilenetv2-12-int8", Options{})
	b := openShared(t, "mobilenetv2-7.quant", Options{Name: "mobilenetv2-12-int8"})
	images, err := Folder(shareddata.Require(t, "images", "val_227"), Selection{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := AuditModels(context.Background(), []*Model{a, b}, images, loadShared(t), AuditOptions{}); err == nil {
		t.Fatal("two models named alike were audited together")
	}
	if _, err := Open(shareddata.Require(t, "models", "mobilenetv2-7.quant.onnx"), Options{Name: "a/b"}); err == nil {
		t.Fatal("a name with a slash was accepted")
	}
	if m := openShared(t, "mobilenetv2-7.quant", Options{Name: "q"}); m.Manifest(images).Name != "q" || runfiles.ForModel("d", m.Name()).Manifest != filepath.Join("d", "q.run.json") {
		t.Fatalf("name not recorded: %+v", m.Manifest(images))
	}
}
