package eval

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Format is an output format for tables.
type Format int

const (
	// FormatCSV is the reference toolkit's CSV layout, floats at full precision.
	FormatCSV Format = iota
	// FormatJSON is an array of objects, one per row.
	FormatJSON
	// FormatMarkdown is an aligned table for humans in a terminal.
	FormatMarkdown
)

// ParseFormat reads "csv", "json" or "markdown" ("md").
func ParseFormat(s string) (Format, error) {
	switch s {
	case "csv":
		return FormatCSV, nil
	case "json":
		return FormatJSON, nil
	case "markdown", "md":
		return FormatMarkdown, nil
	}
	return 0, fmt.Errorf("unknown format %q (want csv, json or markdown)", s)
}

// View chooses what a written table shows.
type View int

const (
	// ViewAccuracy shows per-factor accuracies, worst_factor and average (and
	// worst_100_classes for whole-data-set tables), as the reference does.
	ViewAccuracy View = iota
	// ViewErrorRatio shows (1 − factor accuracy) / (1 − average) per factor.
	ViewErrorRatio
)

// columns returns the header and the values of one row for a view.
func (t *Table) columns(view View) []string {
	cols := []string{"model"}
	if t.ByMetaclass {
		cols = append(cols, "metaclass")
	}
	cols = append(cols, Factors[:]...)
	if view == ViewAccuracy {
		cols = append(cols, "worst_factor", "average")
		if !t.ByMetaclass {
			cols = append(cols, "worst_100_classes")
		}
	}
	return cols
}

func (t *Table) values(r *Row, view View) []float64 {
	v := make([]float64, 0, NumFactors+3)
	for f := range Factors {
		if view == ViewErrorRatio {
			v = append(v, r.ErrorRatio(f))
		} else {
			v = append(v, r.Factor[f])
		}
	}
	if view == ViewAccuracy {
		v = append(v, r.WorstFactor, r.Average)
		if !t.ByMetaclass {
			v = append(v, r.Worst100Classes)
		}
	}
	return v
}

// FormatFloat prints v as the shortest string that reads back to the same
// float64 (Python's repr), and NaN as an empty field (pandas' to_csv).
func FormatFloat(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	if math.IsInf(v, 1) {
		return "inf"
	}
	if math.IsInf(v, -1) {
		return "-inf"
	}
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if !strings.ContainsAny(s, ".en") {
		s += ".0" // 1 → "1.0", as pandas writes a float column
	}
	return s
}

// WriteTable writes t in the given format and view.
func WriteTable(w io.Writer, t *Table, format Format, view View) error {
	switch format {
	case FormatCSV:
		return writeCSV(w, t, view)
	case FormatJSON:
		return writeJSON(w, t, view)
	case FormatMarkdown:
		return writeMarkdown(w, t, view)
	}
	return fmt.Errorf("unknown format %d", format)
}

func labels(r *Row, byMetaclass bool) []string {
	if byMetaclass {
		return []string{r.Model, r.Metaclass}
	}
	return []string{r.Model}
}

func writeCSV(w io.Writer, t *Table, view View) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.columns(view)); err != nil {
		return err
	}
	for i := range t.Rows {
		rec := labels(&t.Rows[i], t.ByMetaclass)
		for _, v := range t.values(&t.Rows[i], view) {
			rec = append(rec, FormatFloat(v))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeJSON(w io.Writer, t *Table, view View) error {
	cols := t.columns(view)
	out := make([]map[string]any, len(t.Rows))
	for i := range t.Rows {
		obj := map[string]any{}
		lab := labels(&t.Rows[i], t.ByMetaclass)
		for j, l := range lab {
			obj[cols[j]] = l
		}
		for j, v := range t.values(&t.Rows[i], view) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				obj[cols[len(lab)+j]] = nil // JSON has no NaN
			} else {
				obj[cols[len(lab)+j]] = v
			}
		}
		out[i] = obj
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeMarkdown(w io.Writer, t *Table, view View) error {
	cols := t.columns(view)
	rows := make([][]string, len(t.Rows))
	for i := range t.Rows {
		rec := labels(&t.Rows[i], t.ByMetaclass)
		for _, v := range t.values(&t.Rows[i], view) {
			if math.IsNaN(v) {
				rec = append(rec, "")
			} else {
				rec = append(rec, strconv.FormatFloat(v, 'f', 4, 64))
			}
		}
		rows[i] = rec
	}
	width := make([]int, len(cols))
	for j, c := range cols {
		width[j] = len(c)
		for _, r := range rows {
			width[j] = max(width[j], len(r[j]))
		}
	}
	line := func(cells []string, pad func(s string, w int) string) error {
		var b strings.Builder
		b.WriteString("|")
		for j, c := range cells {
			b.WriteString(" " + pad(c, width[j]) + " |")
		}
		b.WriteString("\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	left := func(s string, n int) string { return s + strings.Repeat(" ", n-len(s)) }
	right := func(s string, n int) string { return strings.Repeat(" ", n-len(s)) + s }
	if err := line(cols, left); err != nil {
		return err
	}
	sep := make([]string, len(cols))
	for j := range cols {
		sep[j] = strings.Repeat("-", width[j])
		if j >= len(labelsHeader(t)) {
			sep[j] = sep[j][1:] + ":"
		}
	}
	if err := line(sep, left); err != nil {
		return err
	}
	for _, r := range rows {
		cells := make([]string, len(r))
		copy(cells, r)
		for j := len(labelsHeader(t)); j < len(cells); j++ {
			cells[j] = right(cells[j], width[j])
		}
		if err := line(cells, left); err != nil {
			return err
		}
	}
	return nil
}

func labelsHeader(t *Table) []string {
	if t.ByMetaclass {
		return []string{"model", "metaclass"}
	}
	return []string{"model"}
}
