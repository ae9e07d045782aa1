package runfiles

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/internal/atomicfile"
	"github.com/imagenetx/imagenetx/predictions"
	"github.com/imagenetx/imagenetx/preprocess"
)

// ErrorsHeader is the header of a run's errors file.
var ErrorsHeader = []string{"file_name", "stage", "reason"}

// DefaultFlushInterval is how often predictions reach the file: a killed run
// loses at most this much work.
const DefaultFlushInterval = time.Second

// FileSink writes a run's predictions CSV (reference format, rows in list
// order) and its errors CSV (created at the first failure). Both are
// append-only: an error row is written at once, before any later prediction
// can reach the disk, so whatever a crash leaves is a consistent prefix that
// Resume can continue from.
type FileSink struct {
	predsPath, errorsPath string
	preds                 *atomicfile.File
	pw                    *predictions.Writer
	errs                  *atomicfile.File
	ew                    *csv.Writer
	// FlushInterval bounds how long a prediction waits in memory.
	FlushInterval time.Duration
	lastFlush     time.Time
	// keptDone and keptFailed count the images a resumed sink's files
	// already held and the failures among them.
	keptDone, keptFailed int
	// failed is the first write error; the sink writes nothing after it.
	failed error
	// puts counts the results written by this sink.
	puts int
}

// Results returns how many images' results the files hold: those kept
// from an earlier run and those written since.
func (s *FileSink) Results() int { return s.keptDone + s.puts }

// Kept returns how many images, from the first, the files held from an
// earlier run when this sink resumed them (0 for new files), and how many
// of those failed: a resumed run's summary and exit status add them to its
// own, so that failures are never forgotten across an interruption.
func (s *FileSink) Kept() (done, failed int) { return s.keptDone, s.keptFailed }

// CreateFileSink starts new output files, replacing old ones, with topk
// top-k columns in the predictions. Both are written as they grow
// (atomicfile.CreateLog): a regular file in place, so that a crash leaves a
// prefix to resume from; a device, FIFO or descriptor (/dev/null,
// /dev/stderr) streamed, never replaced; a stale errors file is removed.
func CreateFileSink(predsPath, errorsPath string, topk int) (*FileSink, error) {
	if err := atomicfile.Remove(errorsPath); err != nil {
		return nil, fmt.Errorf("remove stale errors file: %w", err)
	}
	f, err := atomicfile.CreateLog(predsPath)
	if err != nil {
		return nil, fmt.Errorf("create predictions file: %w", err)
	}
	pw, err := predictions.NewWriter(f, topk)
	if err != nil {
		f.Abort()
		return nil, fmt.Errorf("write %s: %w", predsPath, err)
	}
	return &FileSink{predsPath: predsPath, errorsPath: errorsPath, preds: f, pw: pw,
		FlushInterval: DefaultFlushInterval, lastFlush: time.Now()}, nil
}

// appendFileSink continues existing files (their headers already written).
func appendFileSink(predsPath, errorsPath string, topk int) (*FileSink, error) {
	f, err := atomicfile.AppendLog(predsPath)
	if err != nil {
		return nil, fmt.Errorf("open predictions file: %w", err)
	}
	pw, err := headerlessWriter(f, topk)
	if err != nil {
		f.Abort()
		return nil, err
	}
	s := &FileSink{predsPath: predsPath, errorsPath: errorsPath, preds: f, pw: pw,
		FlushInterval: DefaultFlushInterval, lastFlush: time.Now()}
	// An errors file is continued; one written in place (--errors
	// /dev/stderr) is opened again; a missing one is made at the first
	// failure.
	if t, err := atomicfile.Resolve(errorsPath); err != nil || t.Kind != atomicfile.Missing {
		if err == nil {
			s.errs, err = atomicfile.AppendLog(errorsPath)
		}
		if err != nil {
			f.Abort()
			return nil, fmt.Errorf("open errors file: %w", err)
		}
		s.ew = csv.NewWriter(s.errs)
		if t.InPlace() {
			s.ew.Write(ErrorsHeader)
		}
	}
	return s, nil
}

// headerlessWriter is a predictions.Writer whose header (which NewWriter
// always emits) is swallowed, for appending to a file that has one.
func headerlessWriter(f io.Writer, topk int) (*predictions.Writer, error) {
	var hdr bytes.Buffer
	cw := csv.NewWriter(&hdr)
	cw.Write(predictions.Header(topk))
	cw.Flush()
	return predictions.NewWriter(&skipPrefix{w: f, prefix: hdr.Bytes()}, topk)
}

// skipPrefix drops exactly prefix from the start of the stream, checking it.
type skipPrefix struct {
	w      io.Writer
	prefix []byte
}

func (s *skipPrefix) Write(b []byte) (int, error) {
	n := 0
	if len(s.prefix) > 0 {
		k := min(len(s.prefix), len(b))
		if !bytes.Equal(b[:k], s.prefix[:k]) {
			return 0, errors.New("predictions writer header changed; cannot append")
		}
		s.prefix, b, n = s.prefix[k:], b[k:], k
	}
	m, err := s.w.Write(b)
	return n + m, err
}

// Put writes one result. After a failed write every call fails the same
// way, so that nothing lands after a gap.
func (s *FileSink) Put(r engine.Result) error {
	if s.failed != nil {
		return s.failed
	}
	if r.Err != nil {
		err := s.putError(r)
		if err == nil {
			s.puts++
		}
		return err
	}
	pred := r.Pred
	pred.FileName = preprocess.PrintablePath(pred.FileName)
	if err := s.pw.Write(pred); err != nil {
		return s.fail(s.predsPath, err)
	}
	s.puts++
	if time.Since(s.lastFlush) >= s.FlushInterval {
		return s.Flush()
	}
	return nil
}

func (s *FileSink) putError(r engine.Result) error {
	if s.ew == nil {
		f, err := atomicfile.CreateLog(s.errorsPath)
		if err != nil {
			return s.fail(s.errorsPath, fmt.Errorf("create errors file: %w", err))
		}
		s.errs, s.ew = f, csv.NewWriter(f)
		s.ew.Write(ErrorsHeader)
	}
	// Predictions buffered so far precede this error in list order: write
	// them first so the files never disagree about what is done.
	if err := s.Flush(); err != nil {
		return err
	}
	why := strings.Join(strings.Fields(r.Err.Reason()), " ")
	s.ew.Write([]string{preprocess.PrintablePath(r.Item.Name), r.Err.Stage, why})
	s.ew.Flush()
	if err := s.ew.Error(); err != nil {
		return s.fail(s.errorsPath, err)
	}
	return nil
}

// Flush writes buffered predictions to the file.
func (s *FileSink) Flush() error {
	if s.failed != nil {
		return s.failed
	}
	s.lastFlush = time.Now()
	if err := s.pw.Flush(); err != nil {
		return s.fail(s.predsPath, err)
	}
	return nil
}

// fail records the sink's first write error, naming the file once (a full
// disk: "write preds.csv: no space left on device").
func (s *FileSink) fail(path string, err error) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != path {
		err = fmt.Errorf("write %s: %w", path, err)
	}
	s.failed = err
	return err
}

// Close flushes, syncs and closes the files. It reports every error that
// Put and Flush have not already returned: a sink whose Put failed has
// already said so, and its files hold a consistent prefix (up to a torn
// last line) that a resumed run continues from.
func (s *FileSink) Close() error {
	var err error
	if s.failed == nil {
		err = s.Flush()
	}
	// The files keep their first write error and Commit returns it again:
	// once Put has returned it, it is not reported a second time.
	said := func(cerr error) error {
		if s.failed != nil && errors.Is(cerr, s.failed) {
			return nil
		}
		return cerr
	}
	err = errors.Join(err, said(s.preds.Commit()))
	if s.errs != nil {
		err = errors.Join(err, said(s.errs.Commit()))
	}
	return err
}
