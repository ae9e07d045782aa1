package eval

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/imagenetx/imagenetx/eval/stats"
)

// AverageFactor is the factor name of the long-form rows that cover all of
// a group's images, after the table column of the same name.
const AverageFactor = "average"

// DefaultMinImages is the number of images below which a factor's numbers
// are flagged as resting on few images.
const DefaultMinImages = 30

// IntervalOptions configures Table.Intervals.
type IntervalOptions struct {
	// Confidence is the two-sided level of the intervals, e.g. 0.95.
	Confidence float64
	// MinImages flags groups measured on fewer images.
	MinImages int
}

// Validate reports options that cannot give intervals.
func (o IntervalOptions) Validate() error {
	if !(o.Confidence > 0 && o.Confidence < 1) {
		return fmt.Errorf("confidence %g: want a level between 0 and 1, e.g. 0.95", o.Confidence)
	}
	if o.MinImages < 0 {
		return fmt.Errorf("minimum image count %d is negative", o.MinImages)
	}
	return nil
}

// FactorInterval is one factor's accuracy within one table row, with its
// Wilson interval, and its error ratio with a delta-method interval
// (stats.ErrorRatioInterval). NaN marks what cannot be measured.
type FactorInterval struct {
	Model, Metaclass string
	// Factor is a name from Factors, or AverageFactor for all the row's
	// images (whose error ratio is left NaN: it is 1 by definition).
	Factor string
	// N images carry the factor; Correct of them were predicted correctly.
	N, Correct             int
	Accuracy, AccLo, AccHi float64
	ErrorRatio, ERLo, ERHi float64
	// FewImages is set when N < IntervalOptions.MinImages.
	FewImages bool
}

// IntervalTable is a factor table in long form with confidence intervals:
// per row of the source table, one FactorInterval per factor and one for
// AverageFactor.
type IntervalTable struct {
	ByMetaclass bool
	Options     IntervalOptions
	Rows        []FactorInterval
}

// Intervals computes confidence intervals for every accuracy and error
// ratio of t from the image counts behind them, so t must come from an
// Accumulator (a table read from a file has no counts).
func (t *Table) Intervals(opt IntervalOptions) (*IntervalTable, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	counted := false
	for i := range t.Rows {
		counted = counted || t.Rows[i].N > 0
	}
	if !counted {
		return nil, fmt.Errorf("the table carries no image counts (intervals need predictions, not a table read from a file)")
	}
	it := &IntervalTable{ByMetaclass: t.ByMetaclass, Options: opt}
	for i := range t.Rows {
		it.Rows = append(it.Rows, rowIntervals(&t.Rows[i], opt)...)
	}
	return it, nil
}

func rowIntervals(r *Row, opt IntervalOptions) []FactorInterval {
	out := make([]FactorInterval, 0, NumFactors+1)
	for f := range Factors {
		fi := countInterval(r, Factors[f], r.Count[f], r.Correct[f], opt)
		fi.ErrorRatio, fi.ERLo, fi.ERHi = stats.ErrorRatioInterval(r.Correct[f], r.Count[f], r.NCorrect, r.N, opt.Confidence)
		out = append(out, fi)
	}
	avg := countInterval(r, AverageFactor, r.N, r.NCorrect, opt)
	avg.ErrorRatio, avg.ERLo, avg.ERHi = math.NaN(), math.NaN(), math.NaN()
	return append(out, avg)
}

// countInterval fills the accuracy part of a FactorInterval. The accuracy
// is taken from the counts, so it is defined even where the reference's
// table has NaN (a group without any correct prediction).
func countInterval(r *Row, factor string, n, correct int, opt IntervalOptions) FactorInterval {
	fi := FactorInterval{Model: r.Model, Metaclass: r.Metaclass, Factor: factor, N: n, Correct: correct,
		Accuracy: math.NaN(), FewImages: n < opt.MinImages}
	if n > 0 {
		fi.Accuracy = float64(correct) / float64(n)
	}
	fi.AccLo, fi.AccHi = stats.WilsonInterval(correct, n, opt.Confidence)
	return fi
}

// IntervalColumns returns the long-form header of an interval table.
func IntervalColumns(byMetaclass bool) []string {
	cols := []string{"model"}
	if byMetaclass {
		cols = append(cols, "metaclass")
	}
	return append(cols, "factor", "n", "correct", "accuracy", "acc_lo", "acc_hi",
		"error_ratio", "er_lo", "er_hi", "few_images")
}

// Records returns the table in long form for CSV or JSON.
func (it *IntervalTable) Records() *Records {
	rec := &Records{Header: IntervalColumns(it.ByMetaclass)}
	for _, r := range it.Rows {
		row := []any{r.Model}
		if it.ByMetaclass {
			row = append(row, r.Metaclass)
		}
		row = append(row, r.Factor, r.N, r.Correct, r.Accuracy, r.AccLo, r.AccHi, r.ErrorRatio, r.ERLo, r.ERHi, r.FewImages)
		rec.Rows = append(rec.Rows, row)
	}
	return rec
}

// WriteIntervals writes an interval table: CSV and JSON in long form (one
// record per model, [metaclass,] factor), markdown as a long table with
// "0.8240 [0.8201, 0.8278]" cells where few-image counts carry a "*" and a
// footnote.
func WriteIntervals(w io.Writer, it *IntervalTable, format Format) error {
	switch format {
	case FormatCSV:
		return it.Records().WriteCSV(w)
	case FormatJSON:
		return it.Records().WriteJSON(w)
	case FormatMarkdown:
		return writeIntervalsMarkdown(w, it)
	}
	return fmt.Errorf("unknown format %d", format)
}

func writeIntervalsMarkdown(w io.Writer, it *IntervalTable) error {
	level := strconv.FormatFloat(100*it.Options.Confidence, 'f', -1, 64) + "%"
	header := []string{"model"}
	if it.ByMetaclass {
		header = append(header, "metaclass")
	}
	labels := len(header) + 1
	header = append(header, "factor", "n", "accuracy ["+level+" CI]", "error ratio ["+level+" CI]")
	var rows [][]string
	few := false
	for _, r := range it.Rows {
		row := []string{r.Model}
		if it.ByMetaclass {
			row = append(row, r.Metaclass)
		}
		n := strconv.Itoa(r.N)
		if r.FewImages {
			n += "*"
			few = true
		}
		rows = append(rows, append(row, r.Factor, n, IntervalCell(r.Accuracy, r.AccLo, r.AccHi), IntervalCell(r.ErrorRatio, r.ERLo, r.ERHi)))
	}
	if err := WriteMarkdownTable(w, header, rows, labels); err != nil {
		return err
	}
	if few {
		_, err := fmt.Fprintf(w, "\n\\* fewer than %d images: the interval is wide and the point estimate unreliable.\n", it.Options.MinImages)
		return err
	}
	return nil
}

// IntervalCell formats a value with its interval as "0.8240 [0.8201,
// 0.8278]": the value alone when the interval is undefined, "" when the
// value is.
func IntervalCell(v, lo, hi float64) string {
	if math.IsNaN(v) {
		return ""
	}
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return FormatFixed(v)
	}
	return FormatFixed(v) + " [" + FormatFixed(lo) + ", " + FormatFixed(hi) + "]"
}

// FormatFixed prints v with four decimals, as the markdown tables do; NaN
// prints as "".
func FormatFixed(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

// FormatSigned prints v with the given decimals and an explicit sign for
// positive values, "+0.125" ("" for NaN): changes and differences.
func FormatSigned(v float64, decimals int) string {
	if math.IsNaN(v) {
		return ""
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if v > 0 {
		s = "+" + s
	}
	return s
}

// Records is a long-form table of typed cells (string, int, float64 or
// bool), written as CSV for pandas or as JSON.
type Records struct {
	Header []string
	Rows   [][]any
}

// WriteCSV writes the records with floats at full precision (FormatFloat:
// NaN as an empty field) and booleans as pandas writes them (True/False).
func (r *Records) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(r.Header); err != nil {
		return err
	}
	cells := make([]string, len(r.Header))
	for _, row := range r.Rows {
		for j, v := range row {
			cells[j] = csvCell(v)
		}
		if err := cw.Write(cells[:len(row)]); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvCell(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case float64:
		return FormatFloat(x)
	case bool:
		if x {
			return "True"
		}
		return "False"
	}
	return fmt.Sprint(v)
}

// WriteJSON writes the records as an array of objects whose keys follow the
// header order; NaN and infinities become null (JSON has neither).
func (r *Records) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("[")
	for i, row := range r.Rows {
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n  {")
		for j, v := range row {
			if j > 0 {
				bw.WriteString(", ")
			}
			bw.WriteString(jsonCell(r.Header[j]) + ": " + jsonCell(v))
		}
		bw.WriteString("}")
	}
	bw.WriteString("\n]\n")
	return bw.Flush()
}

func jsonCell(v any) string {
	if x, ok := v.(float64); ok && (math.IsNaN(x) || math.IsInf(x, 0)) {
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "null" // unreachable for the cell types Records holds
	}
	return string(b)
}

// WriteMarkdownTable writes preformatted cells as an aligned markdown
// table; columns from numericFrom on are right-aligned (numbers).
func WriteMarkdownTable(w io.Writer, header []string, rows [][]string, numericFrom int) error {
	width := make([]int, len(header))
	for j, h := range header {
		width[j] = utf8.RuneCountInString(h)
		for _, r := range rows {
			width[j] = max(width[j], utf8.RuneCountInString(r[j]))
		}
	}
	var b strings.Builder
	line := func(cells []string, sep bool) {
		b.WriteString("|")
		for j, c := range cells {
			pad := strings.Repeat(" ", width[j]-utf8.RuneCountInString(c))
			switch {
			case sep && j >= numericFrom:
				c = strings.Repeat("-", width[j]-1) + ":"
			case sep:
				c = strings.Repeat("-", width[j])
			case j >= numericFrom:
				c = pad + c
			default:
				c += pad
			}
			b.WriteString(" " + c + " |")
		}
		b.WriteString("\n")
	}
	line(header, false)
	line(header, true)
	for _, r := range rows {
		line(r, false)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
