package engine

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/models"
)

// writeModel writes model bytes as NAME.onnx in a fresh folder.
func writeModel(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".onnx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// openModelFile resolves and opens a model file as `imagenetx run --model
// FILE` does.
func openModelFile(path string, opts Options) (*Classifier, error) {
	spec, err := models.Resolve(path, nil)
	if err != nil {
		return nil, err
	}
	return OpenClassifier(spec, opts)
}

// TestBrokenModelsNameTheFile opens model files that cannot serve as
// ImageNet classifiers: each must fail with an error naming the file and
// saying what is wrong.
func TestBrokenModelsNameTheFile(t *testing.T) {
	requireRuntime(t)
	good := imageToScores(32, 1000, "")
	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{"empty", nil, "not a loadable ONNX model: the file is empty (0 bytes)"},
		{"text", []byte("this is not an ONNX model\n"), "not a loadable ONNX model"},
		{"truncated", good[:len(good)/2], "not a loadable ONNX model"},
		{"vector input", identityModel(batchDim, dim{size: 10}), "not an image batch"},
		{"one-channel image", identityModel(batchDim, dim{size: 1}, dim{size: 32}, dim{size: 32}), "no 3-channel axis"},
		{"ten classes", imageToScores(32, 10, ""), "outputs 10 scores per image"},
		{"image output", identityModel(batchDim, dim{size: 3}, dim{size: 32}, dim{size: 32}), "want per-image class scores"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeModel(t, strings.ReplaceAll(tc.name, " ", "-"), tc.data)
			clf, err := openModelFile(path, Options{})
			if err == nil {
				clf.Close()
				t.Fatal("opened")
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v\nwant the file %s and %q", err, path, tc.wantErr)
			}
			// The reason, not ONNX Runtime's C++ source lines and signatures.
			for _, internal := range []string{"onnxruntime::", "onnxruntime_src", ".cc:", "temporary session"} {
				if strings.Contains(err.Error(), internal) {
					t.Errorf("err = %v\nshows C++ internals (%q)", err, internal)
				}
			}
		})
	}
	// The well-formed model the broken ones derive from opens.
	clf, err := openModelFile(writeModel(t, "good", good), Options{})
	if err != nil {
		t.Fatal(err)
	}
	clf.Close()
}

// writeSolidPNGs writes n solid-colour 40×40 PNGs named prefix_i.png.
func writeSolidPNGs(t *testing.T, dir, prefix string, n int, c color.Gray) {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 40, 40))
	for i := range img.Pix {
		img.Pix[i] = c.Y
	}
	for i := 0; i < n; i++ {
		f, err := os.Create(filepath.Join(dir, prefix+"_"+string(rune('a'+i))+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestNonFiniteScoresAreCountedPerImage runs models whose scores are NaN or
// Inf for some images: each such image is recorded as an inference failure
// in the errors file, the others are predicted, and the run goes on.
func TestNonFiniteScoresAreCountedPerImage(t *testing.T) {
	requireRuntime(t)
	dir := t.TempDir()
	// Normalised, black has a negative mean (sqrt: NaN), white a positive one.
	writeSolidPNGs(t, dir, "dark", 5, color.Gray{0})
	writeSolidPNGs(t, dir, "light", 7, color.Gray{255})
	items, err := ListImages(dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		op         string
		wantFailed int
	}{
		{"Sqrt", 5},       // NaN for the dark images only
		{"DivByZero", 12}, // ±Inf for every image
		{"", 0},
	}
	for _, tc := range tests {
		t.Run("op="+tc.op, func(t *testing.T) {
			clf, err := openModelFile(writeModel(t, "scores"+tc.op, imageToScores(32, 1000, tc.op)), Options{Batch: 4, Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer clf.Close()
			var sink collect
			st, err := Run(context.Background(), items, 0, clf.Preparer, clf.Session, &sink, clf.Config)
			if err != nil {
				t.Fatal(err)
			}
			var failed []Result
			for _, r := range sink.results {
				if r.Err != nil {
					failed = append(failed, r)
				}
			}
			if st.Failed != tc.wantFailed || len(failed) != tc.wantFailed || len(sink.results) != len(items) {
				t.Fatalf("%d failed, %d failures seen, %d results; want %d failed of %d", st.Failed, len(failed), len(sink.results), tc.wantFailed, len(items))
			}
			for _, r := range failed {
				if r.Err.Stage != StageInference || !strings.Contains(r.Err.Reason(), "not finite") {
					t.Fatalf("%s: %v; want an inference failure saying the scores are not finite", r.Item.Name, r.Err)
				}
				if tc.op == "Sqrt" && !strings.HasPrefix(r.Item.Name, "dark_") {
					t.Fatalf("%s failed: only the dark images have NaN scores", r.Item.Name)
				}
			}
		})
	}
}

// TestCUDAOnCPULibraryNamesTheLibrary asks the CPU-only ONNX Runtime that
// set-up installs for CUDA: the error names the library and says what to
// install, and nothing falls back to the CPU.
func TestCUDAOnCPULibraryNamesTheLibrary(t *testing.T) {
	requireRuntime(t)
	path := writeModel(t, "cuda", imageToScores(32, 1000, ""))
	clf, err := openModelFile(path, Options{Device: Device{Provider: ProviderCUDA}})
	if err == nil {
		clf.Close()
		t.Skipf("%s has CUDA support: nothing to refuse", RuntimePath())
	}
	if !strings.Contains(err.Error(), RuntimePath()) || !strings.Contains(err.Error(), "device cuda:0") || !strings.Contains(err.Error(), "CUDA-enabled ONNX Runtime") {
		t.Fatalf("err = %v\nwant the library %s, the device and what to install", err, RuntimePath())
	}
}
