package runfiles

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/internal/atomicfile"
	"github.com/imagenetx/imagenetx/internal/clip"
	"github.com/imagenetx/imagenetx/predictions"
	"github.com/imagenetx/imagenetx/preprocess"
)

// ResumeStart is where a resumed run of total images starts when done of
// them are on disk: at the start of the batch the first missing image is
// in (so that a model's batches, and so its outputs, are those of an
// uninterrupted run), or at the end when none is missing.
func ResumeStart(done, total, batch int) int {
	if done == total {
		return done
	}
	return done - done%batch
}

// ResumeFileSink continues the output files of an interrupted run over the
// same image list and batch size. It keeps the longest run of images, from
// the first, that the files record (a torn last line is dropped), cut back to
// a batch boundary so that the remaining batches are the ones an
// uninterrupted run forms; rewrites both files to exactly that (atomically);
// passes every kept result to replay (nil: none); and returns a sink that
// appends, with the index to restart from. Files that do not belong to this
// image list, or are out of order, are an error: nothing is guessed. Missing
// files mean starting over. Predictions written in place (a device, FIFO
// or descriptor) hold nothing to read back: resuming them is an error.
func ResumeFileSink(predsPath, errorsPath string, topk int, items []engine.Item, batch int, replay func(engine.Result) error) (*FileSink, int, error) {
	p, err := Resumable(predsPath, errorsPath, topk, items)
	if err != nil {
		return nil, 0, err
	}
	start := ResumeStart(p, len(items), batch)
	s, err := ResumeFileSinkAt(predsPath, errorsPath, topk, items, start, replay)
	return s, start, err
}

// Resumable reads the output files of an interrupted run over items and
// returns how many images, from the first, they record (0 when the
// predictions file is missing), with the checks of ResumeFileSink. Several
// models run in one pass resume together from the fewest any of them
// recorded, cut back to the pass's batch (ResumeFileSinkAt).
func Resumable(predsPath, errorsPath string, topk int, items []engine.Item) (int, error) {
	t, err := resumeTarget(predsPath)
	if err != nil || t.Kind == atomicfile.Missing {
		return 0, err
	}
	index := nameIndex(items)
	done := make([]bool, len(items))
	mark := func(name string, _ []string) (bool, error) {
		i, ok := index[name]
		if !ok {
			return false, fmt.Errorf("%s is not in this run's image list", name)
		}
		done[i] = true
		return true, nil
	}
	markPred := func(name string, rec []string) (bool, error) {
		if _, err := parsePrediction(rec, topk); err != nil {
			return false, err
		}
		return mark(name, rec)
	}
	if err := scanResults(predsPath, errorsPath, topk, index, markPred, mark); err != nil {
		return 0, fmt.Errorf("resume: %w (start afresh instead of resuming)", err)
	}
	p := 0
	for p < len(done) && done[p] {
		p++
	}
	return p, nil
}

// ResumeFileSinkAt continues the output files of an interrupted run over
// items keeping exactly the first start images' results, start at most
// what Resumable returns: it rewrites both files to those (atomically),
// passes each kept result to replay (nil: none) and returns a sink that
// appends. Missing files (start 0) mean starting over.
func ResumeFileSinkAt(predsPath, errorsPath string, topk int, items []engine.Item, start int, replay func(engine.Result) error) (*FileSink, error) {
	t, err := resumeTarget(predsPath)
	if err != nil {
		return nil, err
	}
	if t.Kind == atomicfile.Missing {
		if start != 0 {
			return nil, fmt.Errorf("resume: %s is missing, so no image of it can be kept", predsPath)
		}
		return CreateFileSink(predsPath, errorsPath, topk)
	}
	index := nameIndex(items)
	failed, err := rewriteKept(predsPath, errorsPath, topk, items, index, start, replay)
	if err != nil {
		return nil, fmt.Errorf("resume: %w", err)
	}
	s, err := appendFileSink(predsPath, errorsPath, topk)
	if err != nil {
		return nil, err
	}
	s.keptDone, s.keptFailed = start, failed
	return s, nil
}

// resumeTarget resolves the predictions file to resume, refusing one
// written in place.
func resumeTarget(predsPath string) (atomicfile.Target, error) {
	t, err := atomicfile.Resolve(predsPath)
	if err != nil {
		return t, err
	}
	if t.InPlace() {
		return t, fmt.Errorf("resume: %s is a %v, written in place: it holds no earlier predictions to continue (start without resume)", predsPath, t.Kind)
	}
	return t, nil
}

// nameIndex maps each image's name, as the output files write it (see
// preprocess.PrintablePath), to its place in the list.
func nameIndex(items []engine.Item) map[string]int {
	index := make(map[string]int, len(items))
	for i, it := range items {
		index[preprocess.PrintablePath(it.Name)] = i
	}
	return index
}

// rowFunc sees one row (file name, all fields) and says whether to keep it.
type rowFunc func(name string, rec []string) (bool, error)

// scanResults reads both files' complete rows, checking that each file
// lists images in increasing list order.
func scanResults(predsPath, errorsPath string, topk int, index map[string]int, predFn, errFn rowFunc) error {
	if err := scanCSV(predsPath, predictions.Header(topk), index, predFn); err != nil {
		return err
	}
	if !holdsRows(errorsPath) {
		return nil
	}
	return scanCSV(errorsPath, ErrorsHeader, index, errFn)
}

// scanCSV reads path up to its last newline (a torn last line is left out),
// requiring the exact header.
func scanCSV(path string, header []string, index map[string]int, fn rowFunc) error {
	last := -1
	return readCompleteRows(path, header, "another top-k or not an imagenetx output?", func(rec []string) error {
		if i, ok := index[rec[0]]; ok {
			if i <= last {
				return fmt.Errorf("%s is out of file-name order", clip.String(rec[0]))
			}
			last = i
		}
		_, err := fn(rec[0], rec)
		return err
	})
}

// readCompleteRows streams the rows of a CSV file after its exact header,
// up to its last newline: a torn last line (a run killed mid-write) is left
// out, and a file that holds only the start of the header has no rows.
// fn's errors come back with the file and line; hint says, after a wrong
// header, what the file may be instead.
func readCompleteRows(path string, header []string, hint string, fn func(rec []string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := completeLength(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if n == 0 {
		// Killed before the header reached the disk: no rows yet.
		return checkTornHeader(f, path, header)
	}
	cr := csv.NewReader(bufio.NewReader(io.LimitReader(f, n)))
	cr.FieldsPerRecord = len(header)
	got, err := cr.Read()
	if err != nil || !equalStrings(got, header) {
		return fmt.Errorf("%s: header %s, want %q (%s)", path, clip.Quotes(got), header, hint)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := fn(rec); err != nil {
			line, _ := cr.FieldPos(0)
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
}

// checkTornHeader accepts a file without a complete line only when what it
// holds is the start of the header (or nothing), so that a foreign file is
// never taken for an empty output.
func checkTornHeader(f *os.File, path string, header []string) error {
	var want bytes.Buffer
	cw := csv.NewWriter(&want)
	cw.Write(header)
	cw.Flush()
	got := make([]byte, want.Len())
	k, err := io.ReadFull(f, got)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: %w", path, err)
	}
	if !bytes.HasPrefix(want.Bytes(), got[:k]) {
		return fmt.Errorf("%s: starts with %q, not the header %q (another top-k or not an imagenetx output?)", path, got[:k], header)
	}
	return nil
}

// completeLength returns the length of f up to and including its last
// newline, and seeks f back to the start.
func completeLength(f *os.File) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	buf := make([]byte, 64<<10)
	for end := st.Size(); end > 0; {
		start := max(end-int64(len(buf)), 0)
		chunk := buf[:end-start]
		if _, err := f.ReadAt(chunk, start); err != nil {
			return 0, err
		}
		if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			_, err := f.Seek(0, io.SeekStart)
			return start + int64(i) + 1, err
		}
		end = start
	}
	_, err = f.Seek(0, io.SeekStart)
	return 0, err
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// rewriteKept replaces each file by its rows of images before start,
// replaying them, and returns how many of those images failed; an errors
// file left with no row is removed, as an uninterrupted run would not have
// made one.
func rewriteKept(predsPath, errorsPath string, topk int, items []engine.Item, index map[string]int, start int, replay func(engine.Result) error) (int, error) {
	keepPred := func(name string, rec []string) (bool, error) {
		if index[name] >= start {
			return false, nil
		}
		if replay == nil {
			return true, nil
		}
		p, err := parsePrediction(rec, topk)
		if err != nil {
			return false, err
		}
		it := items[index[name]]
		p.FileName = it.Name
		return true, replay(engine.Result{Item: it, Pred: p})
	}
	if _, err := rewriteFile(predsPath, predictions.Header(topk), index, keepPred); err != nil {
		return 0, err
	}
	if !holdsRows(errorsPath) {
		return 0, nil
	}
	keepErr := func(name string, rec []string) (bool, error) {
		if index[name] >= start {
			return false, nil
		}
		if replay == nil {
			return true, nil
		}
		ie := &engine.ImageError{Stage: rec[1], Err: errors.New(rec[2])}
		return true, replay(engine.Result{Item: items[index[name]], Err: ie})
	}
	kept, err := rewriteFile(errorsPath, ErrorsHeader, index, keepErr)
	if err == nil && kept == 0 {
		err = atomicfile.Remove(errorsPath)
	}
	return kept, err
}

// holdsRows reports whether path is an errors file to read back: a
// regular file (behind any links), not a missing one nor one written in
// place (--errors /dev/stderr), which cannot be read back.
func holdsRows(path string) bool {
	t, err := atomicfile.Resolve(path)
	return err != nil || t.Kind == atomicfile.Regular // an error surfaces when it is read
}

// rewriteFile writes the rows keep accepts to a new file that replaces
// path atomically (through any links), and returns how many it kept.
func rewriteFile(path string, header []string, index map[string]int, keep rowFunc) (int, error) {
	tmp, err := atomicfile.Create(path)
	if err != nil {
		return 0, err
	}
	defer tmp.Abort() // after Commit this is a no-op
	bw := bufio.NewWriter(tmp)
	cw := csv.NewWriter(bw)
	cw.Write(header)
	kept := 0
	err = scanCSV(path, header, index, func(name string, rec []string) (bool, error) {
		ok, err := keep(name, rec)
		if ok && err == nil {
			kept++
			err = cw.Write(rec)
		}
		return ok, err
	})
	cw.Flush()
	if err = errors.Join(err, cw.Error(), bw.Flush()); err != nil {
		return 0, err
	}
	return kept, tmp.Commit()
}

// parsePrediction reads one predictions row through the predictions
// package, so resumed rows are validated like any other input.
func parsePrediction(rec []string, topk int) (predictions.Prediction, error) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write(predictions.Header(topk))
	cw.Write(rec)
	cw.Flush()
	r, err := predictions.NewReader(&buf, "row")
	if err != nil {
		return predictions.Prediction{}, err
	}
	return r.Read()
}
