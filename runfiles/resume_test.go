package runfiles

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/predictions"
)

type runFiles struct{ preds, errs string }

func newRunFiles(t *testing.T) runFiles {
	dir := t.TempDir()
	p := filepath.Join(dir, "preds.csv")
	return runFiles{p, ErrorsPathFor(p)}
}

func (f runFiles) read(t *testing.T) (string, string) {
	t.Helper()
	p, err := os.ReadFile(f.preds)
	if err != nil {
		t.Fatal(err)
	}
	e, err := os.ReadFile(f.errs)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return string(p), string(e)
}

// testItems are n images; those at the indexes in bad fail.
func testItems(n int, bad ...int) []engine.Item {
	items := make([]engine.Item, n)
	for i := range items {
		items[i] = engine.Item{Index: i, Name: fmt.Sprintf("img_%05d.JPEG", i)}
	}
	for _, b := range bad {
		items[b].Name = fmt.Sprintf("img_%05d_bad.JPEG", b)
	}
	return items
}

// resultOf is what a run makes of an image: a prediction with topk
// classes, or a decode failure for the bad ones.
func resultOf(it engine.Item, topk int) engine.Result {
	if strings.Contains(it.Name, "bad") {
		return engine.Result{Item: it, Err: &engine.ImageError{Stage: engine.StageDecode, Err: errors.New("corrupt")}}
	}
	p := predictions.Prediction{FileName: it.Name, Class: it.Index % 1000, Prob: 0.5}
	for k := 0; k < topk && topk > 1; k++ {
		p.TopK = append(p.TopK, predictions.ClassProb{Class: (it.Index + k) % 1000, Prob: 0.5 / float64(k+1)})
	}
	return engine.Result{Item: it, Pred: p}
}

// produce puts the results of items[start:stop] into sink, in list order
// as the engine's committer does, and closes it: stopping early leaves on
// disk what a cancelled run leaves.
func produce(t *testing.T, sink *FileSink, items []engine.Item, start, stop, topk int) {
	t.Helper()
	for _, it := range items[start:stop] {
		if err := sink.Put(resultOf(it, topk)); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
}

func reference(t *testing.T, items []engine.Item, topk int) (string, string) {
	f := newRunFiles(t)
	sink, err := CreateFileSink(f.preds, f.errs, topk)
	if err != nil {
		t.Fatal(err)
	}
	produce(t, sink, items, 0, len(items), topk)
	return f.read(t)
}

// resumeAndFinish resumes the files and runs to the end, returning where it
// resumed and how many results were replayed.
func resumeAndFinish(t *testing.T, f runFiles, items []engine.Item, batch, topk int) (int, int) {
	t.Helper()
	replayed := 0
	sink, start, err := ResumeFileSink(f.preds, f.errs, topk, items, batch, func(engine.Result) error { replayed++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if start%batch != 0 && start != len(items) {
		t.Fatalf("resumed at %d, not a batch boundary", start)
	}
	produce(t, sink, items, start, len(items), topk)
	return start, replayed
}

func TestResumeAfterCancelIsIdentical(t *testing.T) {
	items := testItems(203, 3, 17, 50, 51, 140)
	const batch = 8
	for _, topk := range []int{1, 3} {
		wantP, wantE := reference(t, items, topk)
		for _, stopAt := range []int{1, 9, 50, 120, 202} {
			f := newRunFiles(t)
			sink, err := CreateFileSink(f.preds, f.errs, topk)
			if err != nil {
				t.Fatal(err)
			}
			sink.FlushInterval = 0 // write through: the stop point is what is on disk
			produce(t, sink, items, 0, stopAt, topk)
			start, replayed := resumeAndFinish(t, f, items, batch, topk)
			if replayed != start {
				t.Errorf("replayed %d results, resumed at %d", replayed, start)
			}
			if gotP, gotE := f.read(t); gotP != wantP || gotE != wantE {
				t.Fatalf("topk %d, stopped at %d: resumed output differs from an uninterrupted run", topk, stopAt)
			}
		}
	}
}

// TestResumeAfterKillIsIdentical cuts the predictions file at arbitrary
// bytes (a killed process leaves whatever its last write put there; errors
// are written at once, so that file may run ahead) and resumes.
func TestResumeAfterKillIsIdentical(t *testing.T) {
	items := testItems(150, 0, 33, 34, 149)
	const batch = 16
	wantP, wantE := reference(t, items, 1)
	cuts := []int{0, 1, len("file_name,predicted_class,predicted_probability"), len(wantP) / 3, len(wantP)/2 + 7, len(wantP) - 1, len(wantP)}
	for _, cut := range cuts {
		for _, errsAhead := range []bool{false, true} {
			f := newRunFiles(t)
			os.WriteFile(f.preds, []byte(wantP[:cut]), 0o644)
			if errsAhead {
				os.WriteFile(f.errs, []byte(wantE), 0o644)
			}
			// A cut inside the header (killed before it reached the disk)
			// resumes from the first image.
			start, _ := resumeAndFinish(t, f, items, batch, 1)
			if cut < len("file_name,predicted_class,predicted_probability\n") && start != 0 {
				t.Fatalf("cut %d: resumed at %d with no complete row", cut, start)
			}
			if gotP, gotE := f.read(t); gotP != wantP || gotE != wantE {
				t.Fatalf("cut %d (errors ahead %v): resumed output differs", cut, errsAhead)
			}
		}
	}
}

func TestResumeRefusesForeignFiles(t *testing.T) {
	items := testItems(40)
	wantP, _ := reference(t, items, 1)
	lines := strings.SplitAfter(wantP, "\n")
	tests := []struct {
		name, preds string
		topk        int
		wantErr     string
	}{
		{"other image list", wantP + "other.JPEG,1,0.5\n", 1, "not in this run's image list"},
		{"out of order", lines[0] + lines[2] + lines[1], 1, "out of file-name order"},
		{"different topk", wantP, 2, "header"},
		{"corrupt row", lines[0] + "img_00000.JPEG,notaclass,0.5\n", 1, "not a class"},
		{"foreign file without a line", "some text", 1, "not the header"},
		{"torn header of another topk", "file_name,predicted_class,predicted_probability,top2", 1, "not the header"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newRunFiles(t)
			os.WriteFile(f.preds, []byte(tc.preds), 0o644)
			_, _, err := ResumeFileSink(f.preds, f.errs, tc.topk, items, 8, nil)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if got, _ := os.ReadFile(f.preds); !bytes.Equal(got, []byte(tc.preds)) {
				t.Fatal("refused resume modified the file")
			}
		})
	}
}

func TestResumeWithoutFilesStartsAfresh(t *testing.T) {
	items := testItems(20, 4)
	wantP, wantE := reference(t, items, 1)
	f := newRunFiles(t)
	start, _ := resumeAndFinish(t, f, items, 8, 1)
	if gotP, gotE := f.read(t); start != 0 || gotP != wantP || gotE != wantE {
		t.Fatalf("start %d; output differs", start)
	}
}
