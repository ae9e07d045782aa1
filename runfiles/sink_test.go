package runfiles

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/internal/atomicfile/atomicfiletest"
	"github.com/imagenetx/imagenetx/predictions"
	"github.com/imagenetx/imagenetx/preprocess"
)

// TestFileSinkStopsAtTheFirstWriteFailure writes predictions to /dev/full
// (every write fails with ENOSPC, a full disk): the error names the file,
// every later Put fails the same way, and Close does not pretend success
// by writing anything after the gap.
func TestFileSinkStopsAtTheFirstWriteFailure(t *testing.T) {
	if st, err := os.Stat("/dev/full"); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Skip("no /dev/full")
	}
	items := testItems(5, 3)
	sink, err := CreateFileSink("/dev/full", filepath.Join(t.TempDir(), "errors.csv"), 1)
	if err != nil {
		t.Fatal(err)
	}
	sink.FlushInterval = 0
	first := sink.Put(engine.Result{Item: items[0], Pred: predictions.Prediction{FileName: items[0].Name, Class: 1, Prob: 0.5}})
	if first == nil || !strings.Contains(first.Error(), "/dev/full") || !errors.Is(first, syscall.ENOSPC) {
		t.Fatalf("Put on a full disk: %v, want ENOSPC naming /dev/full", first)
	}
	if strings.Count(first.Error(), "/dev/full") != 1 {
		t.Errorf("the file is named more than once: %v", first)
	}
	for _, it := range items[1:] {
		r := engine.Result{Item: it, Pred: predictions.Prediction{FileName: it.Name}}
		if strings.Contains(it.Name, "bad") {
			r = engine.Result{Item: it, Err: &engine.ImageError{Stage: engine.StageDecode, Err: errors.New("corrupt")}}
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
	writeGrayPNG(t, filepath.Join(dir, "ok_a.png"))
	os.WriteFile(filepath.Join(dir, "text.png"), []byte("not an image"), 0o644)
	os.WriteFile(filepath.Join(dir, "big\xff.png"), make([]byte, 4096), 0o644)
	pipe, err := preprocess.NewPipeline(preprocess.DefaultConfig(), "")
	if err != nil {
		t.Fatal(err)
	}
	prep := &engine.ImagePreparer{Pipeline: pipe, Decode: preprocess.DecodeOptions{MaxFileBytes: 1024}}
	items := []engine.Item{
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
	cfg := engine.Config{Batch: 2, Workers: 2, InputLen: 3 * 224 * 224, Classes: 1000, Scorer: engine.Scorer{Kind: engine.OutputLogits}}
	st, err := engine.Run(context.Background(), items, 0, prep, zeroModel{}, sink, cfg)
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

// zeroModel scores every class 0.
type zeroModel struct{}

func (zeroModel) Run(in []float32, n int, out []float32) error { clear(out); return nil }

func writeGrayPNG(t *testing.T, path string) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 40, 40))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFileSinkFollowsTheOutputRule writes a run's files through a link and
// onto a device: the link stays and its target holds the rows; the device
// stays a device; resuming predictions that went to a device is refused,
// as there is nothing to read back.
func TestFileSinkFollowsTheOutputRule(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "real"), 0o755)
	link := filepath.Join(dir, "preds.csv")
	if err := os.Symlink("real/preds.csv", link); err != nil {
		t.Fatal(err)
	}
	null := atomicfiletest.DeviceNode(t, dir, "null", atomicfiletest.NullDev, "/dev/null")
	items := testItems(3, 1)
	put := func(preds, errs string) {
		t.Helper()
		sink, err := CreateFileSink(preds, errs, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			r := engine.Result{Item: it, Pred: predictions.Prediction{FileName: it.Name, Class: 1, Prob: 0.5}}
			if strings.Contains(it.Name, "bad") {
				r = engine.Result{Item: it, Err: &engine.ImageError{Stage: engine.StageDecode, Err: errors.New("corrupt")}}
			}
			if err := sink.Put(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := sink.Close(); err != nil {
			t.Fatal(err)
		}
	}
	before := atomicfiletest.Snapshot(t, dir)
	put(link, filepath.Join(dir, "preds.errors.csv"))
	put(null, null)
	atomicfiletest.SameTree(t, before, atomicfiletest.Snapshot(t, dir), "real/preds.csv", "preds.errors.csv")
	atomicfiletest.IsCharDevice(t, null, atomicfiletest.NullDev)
	if b, err := os.ReadFile(link); err != nil || strings.Count(string(b), "\n") != 3 {
		t.Errorf("through the link: %q, %v; want a header and 2 rows", b, err)
	}
	// Resuming rewrites the files through the link (atomically, onto its
	// target): the link stays a link.
	before = atomicfiletest.Snapshot(t, dir)
	s, start, err := ResumeFileSink(link, filepath.Join(dir, "preds.errors.csv"), 1, items, 1, nil)
	if err != nil || start != len(items) {
		t.Fatalf("resume through the link: start %d, %v", start, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	atomicfiletest.SameTree(t, before, atomicfiletest.Snapshot(t, dir), "real/preds.csv", "preds.errors.csv")
	_, _, err = ResumeFileSink(null, filepath.Join(dir, "e.csv"), 1, items, 1, nil)
	if err == nil || !strings.Contains(err.Error(), "character device") {
		t.Errorf("resume onto a device: %v, want a refusal", err)
	}
}
