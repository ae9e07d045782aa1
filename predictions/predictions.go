// Package predictions is the stream of a model's top-1 answers between the
// engine and the evaluator, and its on-disk form: the reference toolkit's CSV
// (file_name,predicted_class,predicted_probability), optionally followed by
// top-k columns. Readers and writers stream; nothing holds a whole file.
// Reader.ReadRow (rows.go) reads the reference's three columns without
// allocating, for evaluating thousands of files.
package predictions

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"github.com/imagenetx/imagenetx/internal/clip"
)

// Prediction is one image's answer.
type Prediction struct {
	FileName string
	// Class is the top-1 class index.
	Class int
	// Prob is the model's probability of Class (softmax of the logits).
	Prob float64
	// TopK optionally lists the k most probable classes, the top-1 first.
	TopK []ClassProb
}

// ClassProb is a class with its probability.
type ClassProb struct {
	Class int
	Prob  float64
}

// Column names of the reference CSV format.
const (
	ColFileName = "file_name"
	ColClass    = "predicted_class"
	ColProb     = "predicted_probability"
)

// Header returns the CSV header for a file with k top-k entries (k ≤ 1 means
// the three reference columns only).
func Header(k int) []string {
	h := []string{ColFileName, ColClass, ColProb}
	for i := 2; i <= k; i++ {
		h = append(h, fmt.Sprintf("top%d_class", i), fmt.Sprintf("top%d_probability", i))
	}
	return h
}

// Writer writes predictions as CSV.
type Writer struct {
	cw  *csv.Writer
	k   int
	rec []string
}

// NewWriter returns a Writer of the reference format with k top-k entries
// (k ≤ 1: reference columns only). The header is written first.
func NewWriter(w io.Writer, k int) (*Writer, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header(k)); err != nil {
		return nil, err
	}
	return &Writer{cw: cw, k: k}, nil
}

// Write appends one prediction.
func (w *Writer) Write(p Prediction) error {
	w.rec = append(w.rec[:0], p.FileName, strconv.Itoa(p.Class), formatProb(p.Prob))
	for i := 1; i < w.k; i++ {
		if i < len(p.TopK) {
			w.rec = append(w.rec, strconv.Itoa(p.TopK[i].Class), formatProb(p.TopK[i].Prob))
		} else {
			w.rec = append(w.rec, "", "")
		}
	}
	return w.cw.Write(w.rec)
}

// Flush writes buffered rows to the underlying writer.
func (w *Writer) Flush() error {
	w.cw.Flush()
	return w.cw.Error()
}

func formatProb(p float64) string { return strconv.FormatFloat(p, 'g', -1, 64) }

// Reader reads predictions from CSV, validating every row.
type Reader struct {
	cr                *recordReader
	source            string
	file, class, prob int
	topClass, topProb []int
	line              int
	// plain: the header is exactly the reference's three columns, so
	// ReadRow may take its fast path (rows.go).
	plain   bool
	nameBuf []byte // ReadRow's copy of a file name read the general way
}

// NewReader reads the header of r. source names the input in errors.
// Extra columns are ignored, except topN_class/topN_probability pairs.
func NewReader(r io.Reader, source string) (*Reader, error) {
	cr := newRecordReader(r)
	header, err := cr.read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file, want header %s,%s,%s", source, ColFileName, ColClass, ColProb)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	rd := &Reader{cr: cr, source: source, file: -1, class: -1, prob: -1, line: 1}
	index := map[string]int{}
	for i, h := range header {
		if i == 0 {
			h = trimBOM(h)
		}
		index[h] = i
	}
	var missing []string
	for _, c := range []struct {
		name string
		dst  *int
	}{{ColFileName, &rd.file}, {ColClass, &rd.class}, {ColProb, &rd.prob}} {
		i, ok := index[c.name]
		if !ok {
			missing = append(missing, c.name)
		}
		*c.dst = i
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s:1: missing column(s) %q (header %s)", source, missing, clip.Quotes(header))
	}
	for k := 2; ; k++ {
		ci, ok1 := index[fmt.Sprintf("top%d_class", k)]
		pi, ok2 := index[fmt.Sprintf("top%d_probability", k)]
		if !ok1 || !ok2 {
			break
		}
		rd.topClass, rd.topProb = append(rd.topClass, ci), append(rd.topProb, pi)
	}
	rd.plain = len(header) == 3 && rd.file == 0 && rd.class == 1 && rd.prob == 2
	return rd, nil
}

func trimBOM(s string) string {
	if len(s) >= 3 && s[:3] == "\ufeff" {
		return s[3:]
	}
	return s
}

// Ranks returns how many classes a row of the file can rank: 1 for the
// reference's three columns, k with top2_class … topk_class columns.
func (r *Reader) Ranks() int { return 1 + len(r.topClass) }

// Line returns the line number of the last row read.
func (r *Reader) Line() int { return r.line }

// Read returns the next prediction, or io.EOF after the last.
func (r *Reader) Read() (Prediction, error) {
	return r.prediction(r.cr.read())
}

// prediction checks and parses a record that r.cr returned (with its
// error), setting the line number.
func (r *Reader) prediction(rec []string, err error) (Prediction, error) {
	if err == io.EOF {
		return Prediction{}, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			r.line = pe.Line
		}
		return Prediction{}, fmt.Errorf("%s: %w", r.source, err)
	}
	r.line = r.cr.start
	p, err := r.parse(rec)
	if err != nil {
		return Prediction{}, fmt.Errorf("%s:%d: %w", r.source, r.line, err)
	}
	return p, nil
}

func (r *Reader) parse(rec []string) (Prediction, error) {
	p := Prediction{FileName: rec[r.file]}
	if p.FileName == "" {
		return p, errors.New("empty file_name")
	}
	var err error
	if p.Class, err = parseClass(rec[r.class], ColClass); err != nil {
		return p, err
	}
	if p.Prob, err = parseProb(rec[r.prob], ColProb); err != nil {
		return p, err
	}
	if len(r.topClass) == 0 {
		return p, nil
	}
	p.TopK = append(p.TopK, ClassProb{p.Class, p.Prob})
	for i := range r.topClass {
		if rec[r.topClass[i]] == "" {
			break
		}
		var cp ClassProb
		if cp.Class, err = parseClass(rec[r.topClass[i]], fmt.Sprintf("top%d_class", i+2)); err != nil {
			return p, err
		}
		if cp.Prob, err = parseProb(rec[r.topProb[i]], fmt.Sprintf("top%d_probability", i+2)); err != nil {
			return p, err
		}
		p.TopK = append(p.TopK, cp)
	}
	return p, nil
}

func parseClass(s, col string) (int, error) {
	c, err := strconv.Atoi(s)
	if err != nil {
		// pandas may write an integer column as "12.0"
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || f < 0 || f > math.MaxInt32 {
			return 0, fmt.Errorf("%s %s is not a class index", col, clip.Quote(s))
		}
		c = int(f)
	}
	if c < 0 {
		return 0, fmt.Errorf("%s %d is negative", col, c)
	}
	return c, nil
}

func parseProb(s, col string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%s %s is not a number", col, clip.Quote(s))
	}
	if math.IsNaN(v) || v < 0 || v > 1 {
		return 0, fmt.Errorf("%s %v is outside [0,1]", col, s)
	}
	return v, nil
}

// ReadFile streams the predictions of a CSV file to fn, stopping at the
// first error (fn's errors are returned with the file and line).
func ReadFile(path string, fn func(Prediction) error) error {
	return readFile(path, func(r *Reader) error { return r.Each(fn) })
}

// readFile opens a CSV file and calls read with a Reader of it.
func readFile(path string, read func(*Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := NewReader(f, path)
	if err != nil {
		return err
	}
	return read(r)
}

// Each streams the predictions left to fn, stopping at the first error
// (fn's errors are returned with the source and line).
func (r *Reader) Each(fn func(Prediction) error) error {
	for {
		p, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return fmt.Errorf("%s:%d: %w", r.source, r.Line(), err)
		}
	}
}
