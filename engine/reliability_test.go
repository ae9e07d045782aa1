package engine

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/imagenetx/imagenetx/models"
	"github.com/imagenetx/imagenetx/predictions"
	"github.com/imagenetx/imagenetx/preprocess"
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
		{"empty", nil, "not a loadable ONNX model"},
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
			f := newRunFiles(t)
			sink, err := CreateFileSink(f.preds, f.errs, 1)
			if err != nil {
				t.Fatal(err)
			}
			st, err := Run(context.Background(), items, 0, clf.Preparer, clf.Session, sink, clf.Config)
			if cerr := sink.Close(); err != nil || cerr != nil {
				t.Fatal(err, cerr)
			}
			preds, errs := f.read(t)
			predRows := strings.Count(preds, "\n") - 1
			var errRows []string
			if errs != "" {
				errRows = strings.Split(strings.TrimSuffix(errs, "\n"), "\n")[1:]
			}
			if st.Failed != tc.wantFailed || len(errRows) != tc.wantFailed || predRows != len(items)-tc.wantFailed {
				t.Fatalf("%d failed, %d error rows, %d predictions; want %d failed of %d", st.Failed, len(errRows), predRows, tc.wantFailed, len(items))
			}
			for _, row := range errRows {
				if !strings.Contains(row, ",inference,") || !strings.Contains(row, "not finite") {
					t.Fatalf("error row %q: want an inference failure saying the scores are not finite", row)
				}
				if tc.op == "Sqrt" && !strings.HasPrefix(row, "dark_") {
					t.Fatalf("error row %q: only the dark images have NaN scores", row)
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
	clf, err := openModelFile(path, Options{Device: Device{CUDA: true}})
	if err == nil {
		clf.Close()
		t.Skipf("%s has CUDA support: nothing to refuse", RuntimePath())
	}
	if !strings.Contains(err.Error(), RuntimePath()) || !strings.Contains(err.Error(), "--device cuda:0") || !strings.Contains(err.Error(), "CUDA-enabled ONNX Runtime") {
		t.Fatalf("err = %v\nwant the library %s, the device and what to install", err, RuntimePath())
	}
}

// TestFileSinkStopsAtTheFirstWriteFailure writes predictions to /dev/full
// (every write fails with ENOSPC, a full disk): the error names the file,
// every later Put fails the same way, and Close does not pretend success
// by writing anything after the gap.
func TestFileSinkStopsAtTheFirstWriteFailure(t *testing.T) {
	if st, err := os.Stat("/dev/full"); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Skip("no /dev/full")
	}
	items := fakeItems(5, 3)
	sink, err := CreateFileSink("/dev/full", filepath.Join(t.TempDir(), "errors.csv"), 1)
	if err != nil {
		t.Fatal(err)
	}
	sink.FlushInterval = 0
	first := sink.Put(Result{Item: items[0], Pred: predictions.Prediction{FileName: items[0].Name, Class: 1, Prob: 0.5}})
	if first == nil || !strings.Contains(first.Error(), "/dev/full") || !errors.Is(first, syscall.ENOSPC) {
		t.Fatalf("Put on a full disk: %v, want ENOSPC naming /dev/full", first)
	}
	if strings.Count(first.Error(), "/dev/full") != 1 {
		t.Errorf("the file is named more than once: %v", first)
	}
	for _, it := range items[1:] {
		r := Result{Item: it, Pred: predictions.Prediction{FileName: it.Name}}
		if strings.Contains(it.Name, "bad") {
			r = Result{Item: it, Err: &ImageError{Stage: StageDecode, Err: errors.New("corrupt")}}
		}
		if err := sink.Put(r); err != first {
			t.Fatalf("Put after the failure: %v, want the first failure again", err)
		}
	}
	if _, err := os.Stat(sink.errorsPath); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("an error row was written after the predictions failed")
	}
	sink.Close()
}

// TestOutputsReplaceOnlyRegularFiles names a FIFO and a symbolic link as the
// errors file: starting a run must not delete them (as root, removing
// /dev/stderr or a device is otherwise one typo away).
func TestOutputsReplaceOnlyRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "errors.fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "errors.link")
	if err := os.Symlink(filepath.Join(dir, "target.csv"), link); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "stale.csv")
	os.WriteFile(stale, []byte("old"), 0o644)
	for _, tc := range []struct {
		path string
		kept bool
	}{{fifo, true}, {link, true}, {stale, false}} {
		sink, err := CreateFileSink(filepath.Join(dir, "preds.csv"), tc.path, 1)
		if err != nil {
			t.Fatal(err)
		}
		sink.Close()
		_, err = os.Lstat(tc.path)
		if kept := err == nil; kept != tc.kept {
			t.Fatalf("%s: kept %v, want %v", tc.path, kept, tc.kept)
		}
	}
}

// TestPreparerFilesFailuresUnderTheDecoderStage checks that a file that
// cannot be read, one over a limit and one that is not an image are
// recorded under the decoder's stage, and that the errors file names them
// printably (a non-UTF-8 name is quoted) without repeating the path.
func TestPreparerFilesFailuresUnderTheDecoderStage(t *testing.T) {
	dir := t.TempDir()
	writeSolidPNGs(t, dir, "ok", 1, color.Gray{128})
	os.WriteFile(filepath.Join(dir, "text.png"), []byte("not an image"), 0o644)
	os.WriteFile(filepath.Join(dir, "big\xff.png"), make([]byte, 4096), 0o644)
	pipe, err := preprocess.NewPipeline(preprocess.DefaultConfig(), "")
	if err != nil {
		t.Fatal(err)
	}
	prep := &ImagePreparer{Pipeline: pipe, Decode: preprocess.DecodeOptions{MaxFileBytes: 1024}}
	items := []Item{
		{Index: 0, Name: "big\xff.png", Path: filepath.Join(dir, "big\xff.png")},
		{Index: 1, Name: "missing.png", Path: filepath.Join(dir, "missing.png")},
		{Index: 2, Name: "ok_a.png", Path: filepath.Join(dir, "ok_a.png")},
		{Index: 3, Name: "text.png", Path: filepath.Join(dir, "text.png")},
	}
	f := newRunFiles(t)
	sink, err := CreateFileSink(f.preds, f.errs, 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Batch: 2, Workers: 2, InputLen: 3 * 224 * 224, Classes: fakeClasses, Scorer: Scorer{Kind: OutputLogits}}
	st, err := Run(context.Background(), items, 0, prep, &fakeModel{}, sink, cfg)
	if cerr := sink.Close(); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}
	_, errs := f.read(t)
	want := "file_name,stage,reason\n" +
		`"""big\xff.png""",limit,"file too large: 4096 bytes, over the 1024-byte limit"` + "\n" +
		"missing.png,open,open: no such file or directory\n" +
		`text.png,decode,"cannot identify image file (not JPEG, PNG, GIF, BMP, TIFF or WebP)"` + "\n"
	if st.Failed != 3 || errs != want {
		t.Fatalf("%d failed; errors file:\n%s\nwant:\n%s", st.Failed, errs, want)
	}
	// The quoted name is recognised when the run is resumed.
	if _, start, err := ResumeFileSink(f.preds, f.errs, 1, items, cfg.Batch, nil); err != nil || start != len(items) {
		t.Fatalf("resume: start %d, %v; want everything done", start, err)
	}
}
