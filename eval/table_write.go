package eval

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

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
// four decimals, flagged as WriteTableWith does with DefaultMinImages.
func WriteTable(w io.Writer, t *Table, format tabular.Format, view View) error {
	return WriteTableWith(w, t, TableWriting{Format: format, View: view, MinImages: DefaultMinImages})
}

// TableWriting says how WriteTableWith writes a table.
type TableWriting struct {
	Format tabular.Format
	View   View
	// MinImages is the small-sample rule (Enough) of the markdown form.
	MinImages int
}

// WriteTableWith writes t as WriteTable does. The markdown form, for
// people, also says what the numbers rest on when the table has counts: a
// "*" on values from fewer than MinImages images, a "†" on worst_factor
// and worst_100_classes where they mislead, and footnotes giving the
// reasons (Row.WorstFactorCaveat, Row.Worst100ClassesCaveat), and a line
// above a top-k table says what its accuracy counts. CSV and JSON keep the
// reference's values alone; Table.Counts is their companion.
func WriteTableWith(w io.Writer, t *Table, o TableWriting) error {
	switch o.Format {
	case tabular.CSV:
		return writeCSV(w, t, o.View)
	case tabular.JSON:
		return writeJSON(w, t, o.View)
	case tabular.Markdown:
		if t.K > 1 {
			if _, err := fmt.Fprintf(w, "Top-%d accuracy: an image counts as right when its class is among the model's %d most probable.\n\n", t.K, t.K); err != nil {
				return err
			}
		}
		return writeMarkdown(w, t, o.View, o.MinImages)
	}
	return fmt.Errorf("unknown format %d", o.Format)
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

func writeMarkdown(w io.Writer, t *Table, view View, minImages int) error {
	rows := make([][]string, len(t.Rows))
	var few bool
	var notes []string
	for i := range t.Rows {
		r := &t.Rows[i]
		rec := labels(r, t.ByMetaclass)
		for j, v := range t.values(r, view) {
			cell := tabular.FormatFixed(v)
			switch {
			case j < NumFactors && r.N > 0 && !math.IsNaN(v) && !Enough(r.Count[j], minImages):
				cell += "*"
				few = true
			case j == NumFactors && r.WorstFactorCaveat(minImages) != "":
				cell += "†"
				notes = append(notes, rowName(r)+": "+r.WorstFactorCaveat(minImages))
			case j == NumFactors+2 && r.Worst100ClassesCaveat() != "":
				cell += "†"
				notes = append(notes, rowName(r)+": "+r.Worst100ClassesCaveat())
			}
			rec = append(rec, cell)
		}
		rows[i] = rec
	}
	if err := tabular.WriteMarkdownLeftHeader(w, t.columns(view), rows, len(labels(&Row{}, t.ByMetaclass))); err != nil {
		return err
	}
	if few {
		if _, err := fmt.Fprintf(w, "\n\\* fewer than %d images: shown, but too few to single the factor out.\n", minImages); err != nil {
			return err
		}
	}
	if len(notes) > 0 {
		if _, err := fmt.Fprintf(w, "\n† %s\n", strings.Join(notes, "\n† ")); err != nil {
			return err
		}
	}
	return nil
}

// rowName names a row in a note: the model, and its metaclass if any.
func rowName(r *Row) string {
	if r.Metaclass != "" {
		return r.Model + " (" + r.Metaclass + ")"
	}
	return r.Model
}

// CountsColumns returns the header of Table.Counts.
func CountsColumns(byMetaclass bool) []string {
	cols := []string{"model"}
	if byMetaclass {
		cols = append(cols, "metaclass")
	}
	return append(cols, "column", "images", "correct", "few_images", "note")
}

// Counts returns the companion of the table's accuracy view: for every
// row and every column of it (the factors, worst_factor, average and, for
// whole-data-set tables, worst_100_classes), the images behind the value
// and how many were right, whether they are fewer than minImages, and a
// note: which factor worst_factor is, or why worst_factor or
// worst_100_classes mislead. It needs a table from an Accumulator (a
// table read from a file has no counts).
func (t *Table) Counts(minImages int) (*tabular.Records, error) {
	if err := CheckMinImages(minImages); err != nil {
		return nil, err
	}
	if !t.counted() {
		return nil, errNoCounts
	}
	rec := &tabular.Records{Header: CountsColumns(t.ByMetaclass)}
	for i := range t.Rows {
		r := &t.Rows[i]
		add := func(column string, n, correct int, note string) {
			row := []any{r.Model}
			if t.ByMetaclass {
				row = append(row, r.Metaclass)
			}
			rec.Rows = append(rec.Rows, append(row, column, n, correct, !Enough(n, minImages), note))
		}
		for f := range NumFactors {
			add(Factors[f], r.Count[f], r.Correct[f], "")
		}
		if worst := r.worstFactorIndex(); worst >= 0 {
			note := r.WorstFactorCaveat(minImages)
			if note == "" {
				note = "the accuracy of " + Factors[worst]
			}
			add("worst_factor", r.Count[worst], r.Correct[worst], note)
		} else {
			add("worst_factor", 0, 0, "no factor has an accuracy")
		}
		add("average", r.N, r.NCorrect, "")
		if !t.ByMetaclass {
			add("worst_100_classes", r.Worst100N, r.Worst100Correct, r.Worst100ClassesCaveat())
		}
	}
	return rec, nil
}

// worstFactorIndex is the factor whose accuracy is WorstFactor, the one
// with the fewest images on ties; -1 when there is none.
func (r *Row) worstFactorIndex() int {
	worst := -1
	for f := range NumFactors {
		if r.Factor[f] == r.WorstFactor && (worst < 0 || r.Count[f] < r.Count[worst]) {
			worst = f
		}
	}
	return worst
}
