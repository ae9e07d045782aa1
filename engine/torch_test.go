package engine

import (
	"context"
	"math"
	"testing"

	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/internal/torchexport"
	"github.com/imagenetx/imagenetx/models"
	"github.com/imagenetx/imagenetx/predictions"
)

// exportRequest is a torchvision model with conditioned random weights:
// BatchNorm recalibrated on the first 64 val_orig images (not the images
// evaluated), classifier centred (scripts/export_torchvision.py says why).
func exportRequest(tb testing.TB, model string, predict bool) torchexport.Request {
	req := torchexport.Request{Model: model, Seed: 0, CalibDir: shareddata.Require(tb, "images", "val_orig"), CalibCount: 64}
	if predict {
		req.PredictDir = shareddata.Require(tb, "images", "val_227")
	}
	return req
}

// runExported runs an exported model (its sidecar gives the preprocessing)
// over items on dev and returns the results in list order.
func runExported(tb testing.TB, onnxPath string, items []Item, opts Options) []Result {
	tb.Helper()
	requireRuntime(tb)
	spec, err := models.Resolve(onnxPath, nil)
	if err != nil {
		tb.Fatal(err)
	}
	clf, err := OpenClassifier(spec, opts)
	if err != nil {
		tb.Fatal(err)
	}
	defer clf.Close()
	var sink collect
	st, err := Run(context.Background(), items, 0, clf.Preparer, clf.Session, &sink, clf.Config)
	if err != nil {
		tb.Fatal(err)
	}
	if st.Failed != 0 || len(sink.results) != len(items) {
		tb.Fatalf("%d results, %d failed; want %d predictions", len(sink.results), st.Failed, len(items))
	}
	return sink.results
}

// TestTorchvisionExportAgreesWithPyTorch exports torchvision's ResNet-50
// (fp32, random weights with a fixed seed, conditioned) to ONNX and checks
// that imagenetx's top-1 on val_227 equals PyTorch's with torchvision's
// transforms (Resize(256), CenterCrop(224), ToTensor, Normalize, PIL
// loader) for at least 99.9% of the 1,300 images: the preprocessing is
// bit-exact, so only the two runtimes' float arithmetic differs.
func TestTorchvisionExportAgreesWithPyTorch(t *testing.T) {
	if testing.Short() {
		t.Skip("exports ResNet-50 and runs it twice over 1,300 images")
	}
	exp := torchexport.Require(t, exportRequest(t, "resnet50", true))
	items, err := ListImages(shareddata.Require(t, "images", "val_227"))
	if err != nil {
		t.Fatal(err)
	}
	torch := readPredictions(t, exp.Predictions)
	if len(torch) != len(items) {
		t.Fatalf("PyTorch predicted %d images, imagenetx lists %d", len(torch), len(items))
	}
	ours := runExported(t, exp.ONNX, items, Options{Batch: 16})
	agree, classes := 0, map[int]bool{}
	var maxDP float64
	for i, r := range ours {
		p := torch[i]
		if r.Item.Name != p.FileName {
			t.Fatalf("row %d: imagenetx %s, PyTorch %s", i, r.Item.Name, p.FileName)
		}
		classes[p.Class] = true
		if r.Pred.Class == p.Class {
			agree++
			maxDP = math.Max(maxDP, math.Abs(r.Pred.Prob-p.Prob))
		} else {
			t.Logf("%s: imagenetx class %d (p %.6g), PyTorch %d (p %.6g)", p.FileName, r.Pred.Class, r.Pred.Prob, p.Class, p.Prob)
		}
	}
	t.Logf("resnet50: top-1 agrees on %d/%d images; %d distinct classes predicted; max |Δ top-1 probability| where they agree %.3g",
		agree, len(items), len(classes), maxDP)
	if 1000*agree < 999*len(items) {
		t.Errorf("top-1 agrees on %d/%d images, want at least 99.9%%", agree, len(items))
	}
	// Near-uniform logits would make agreement meaningless: the
	// conditioned network spreads its answers over many classes.
	if len(classes) < 50 {
		t.Errorf("only %d distinct classes predicted: the exported network is not well-conditioned", len(classes))
	}
}

// readPredictions reads a predictions CSV whole (a test's few rows).
func readPredictions(tb testing.TB, path string) []predictions.Prediction {
	tb.Helper()
	var out []predictions.Prediction
	if err := predictions.ReadFile(path, func(p predictions.Prediction) error {
		out = append(out, p)
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	return out
}
