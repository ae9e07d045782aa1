package engine

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
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

// runFake runs the fake model from start into sink and closes it.
func runFake(t *testing.T, ctx context.Context, items []Item, start int, sink *FileSink, cfg Config) error {
	t.Helper()
	_, err := Run(ctx, items, start, fakePrep{jitter: true}, &fakeModel{}, sink, cfg)
	if cerr := sink.Close(); cerr != nil {
		t.Fatal(cerr)
	}
	return err
}

func reference(t *testing.T, items []Item, cfg Config, topk int) (string, string) {
	f := newRunFiles(t)
	sink, err := CreateFileSink(f.preds, f.errs, topk)
	if err != nil {
		t.Fatal(err)
	}
	if err := runFake(t, context.Background(), items, 0, sink, cfg); err != nil {
		t.Fatal(err)
	}
	return f.read(t)
}

// resumeAndFinish resumes the files and runs to the end, returning how
// many results were replayed.
func resumeAndFinish(t *testing.T, f runFiles, items []Item, cfg Config, topk int) (int, int) {
	t.Helper()
	replayed := 0
	sink, start, err := ResumeFileSink(f.preds, f.errs, topk, items, cfg.Batch, func(Result) error { replayed++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if start%cfg.Batch != 0 && start != len(items) {
		t.Fatalf("resumed at %d, not a batch boundary", start)
	}
	if err := runFake(t, context.Background(), items, start, sink, cfg); err != nil {
		t.Fatal(err)
	}
	return start, replayed
}

func TestResumeAfterCancelIsIdentical(t *testing.T) {
	items := fakeItems(203, 3, 17, 50, 51, 140)
	cfg := fakeConfig(8, 3, 2)
	for _, topk := range []int{1, 3} {
		wantP, wantE := reference(t, items, cfg, topk)
		for _, stopAt := range []int{1, 9, 50, 120, 202} {
			f := newRunFiles(t)
			sink, err := CreateFileSink(f.preds, f.errs, topk)
			if err != nil {
				t.Fatal(err)
			}
			sink.FlushInterval = 0 // write through: the cancel point is what is on disk
			ctx, cancel := context.WithCancel(context.Background())
			c := cfg
			c.Progress = func(p Progress) {
				if p.Done >= stopAt {
					cancel()
				}
			}
			err = runFake(t, ctx, items, 0, sink, c)
			cancel()
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Fatal(err)
			}
			start, replayed := resumeAndFinish(t, f, items, cfg, topk)
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
	items := fakeItems(150, 0, 33, 34, 149)
	cfg := fakeConfig(16, 2, 1)
	wantP, wantE := reference(t, items, cfg, 1)
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
			start, _ := resumeAndFinish(t, f, items, cfg, 1)
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
	items := fakeItems(40)
	cfg := fakeConfig(8, 2, 1)
	wantP, _ := reference(t, items, cfg, 1)
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
			_, _, err := ResumeFileSink(f.preds, f.errs, tc.topk, items, cfg.Batch, nil)
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
	items := fakeItems(20, 4)
	cfg := fakeConfig(8, 2, 1)
	wantP, wantE := reference(t, items, cfg, 1)
	f := newRunFiles(t)
	start, _ := resumeAndFinish(t, f, items, cfg, 1)
	if gotP, gotE := f.read(t); start != 0 || gotP != wantP || gotE != wantE {
		t.Fatalf("start %d; output differs", start)
	}
}
