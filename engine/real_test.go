package engine

import (
	"context"
	"os"
	"sort"
	"testing"

	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/models"
	"github.com/imagenetx/imagenetx/predictions"
)

// requireRuntime loads the ONNX Runtime library set-up installed; under CI
// its absence fails the test.
func requireRuntime(tb testing.TB) {
	tb.Helper()
	if err := InitDefault(""); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal(err)
		}
		tb.Skip(err)
	}
}

// openShared opens a registered model from the shared data.
func openShared(tb testing.TB, name string, opts Options) *Classifier {
	tb.Helper()
	requireRuntime(tb)
	dir := shareddata.Require(tb, "models")
	spec, err := models.Resolve(name, []string{dir})
	if err != nil {
		tb.Fatal(err)
	}
	clf, err := OpenClassifier(spec, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { clf.Close() })
	return clf
}

func top1(tb testing.TB, preds []predictions.Prediction) int {
	tb.Helper()
	labels, err := models.ReadFileLabels(shareddata.Require(tb, "annotations", "filename_label.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	correct := 0
	for _, p := range preds {
		c, ok := labels[p.FileName]
		if !ok {
			tb.Fatalf("%s has no label", p.FileName)
		}
		if c == p.Class {
			correct++
		}
	}
	return correct
}

// TestRealModelsOnVal227 runs the registered models over the 1,300 real
// validation images and checks row count, order and top-1 against the
// reference torchvision pipeline's figures.
func TestRealModelsOnVal227(t *testing.T) {
	images := shareddata.Require(t, "images", "val_227")
	items, err := ListImages(images)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range models.Known() {
		t.Run(m.Name, func(t *testing.T) {
			if testing.Short() && m.Name != models.DefaultName {
				t.Skip("short mode runs the default model only")
			}
			clf := openShared(t, m.Name, Options{})
			var sink collect
			st, err := Run(context.Background(), items, 0, clf.Preparer, clf.Session, &sink, clf.Config)
			if err != nil {
				t.Fatal(err)
			}
			var preds []predictions.Prediction
			for _, r := range sink.results {
				preds = append(preds, r.Pred)
			}
			if len(preds) != 1300 || st.Done != 1300 || st.Failed != 0 {
				t.Fatalf("%d rows, stats %+v; want 1300 predictions", len(preds), st)
			}
			if !sort.SliceIsSorted(preds, func(i, j int) bool { return preds[i].FileName < preds[j].FileName }) {
				t.Fatal("rows not sorted by file name")
			}
			if st.OutputKind != OutputLogits {
				t.Errorf("output kind %v, want logits", st.OutputKind)
			}
			got := top1(t, preds)
			t.Logf("%s: top-1 %d/1300 = %.4f (reference %.4f), batch %d, %.1f img/s",
				m.Name, got, float64(got)/1300, m.Top1Val227, clf.Config.Batch, st.Rate())
			if want := int(m.Top1Val227*1300 + 0.5); got != want {
				t.Errorf("top-1 %d/1300, want %d/1300 (reference pipeline)", got, want)
			}
		})
	}
}
