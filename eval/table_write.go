package eval

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/imagenetx/imagenetx/eval/tabular"
)

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

// WriteTable writes t in the given format and view: CSV in the reference
// toolkit's layout (byte-identical to its files), JSON, or markdown with
// four decimals.
func WriteTable(w io.Writer, t *Table, format tabular.Format, view View) error {
	switch format {
	case tabular.CSV:
		return writeCSV(w, t, view)
	case tabular.JSON:
		return writeJSON(w, t, view)
	case tabular.Markdown:
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
			rec = append(rec, tabular.FormatFloat(v))
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
	rows := make([][]string, len(t.Rows))
	for i := range t.Rows {
		rec := labels(&t.Rows[i], t.ByMetaclass)
		for _, v := range t.values(&t.Rows[i], view) {
			rec = append(rec, tabular.FormatFixed(v))
		}
		rows[i] = rec
	}
	return tabular.WriteMarkdownLeftHeader(w, t.columns(view), rows, len(labels(&Row{}, t.ByMetaclass)))
}
