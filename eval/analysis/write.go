package analysis

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/tabular"
)

// CalibrationRow is one line of a calibration table: a model, or a (model,
// metaclass) group.
type CalibrationRow struct {
	Model, Metaclass string
	Calibration
}

// CalibrationTable lays calibration reports out as the reference's
// compute_factor_calibration_errors (one row per model) or
// compute_factor_metaclass_calibration_errors (metaclass by metaclass in
// eval.Metaclasses order, models in the given order within each).
type CalibrationTable struct {
	ByMetaclass bool
	Rows        []CalibrationRow
	// MinImages is the number of images a value needs not to be flagged
	// (eval.Enough); 0 flags nothing.
	MinImages int
}

// NewCalibrationTable arranges the reports of models (reports[i] belongs
// to models[i]). Metaclass groups without images are left out, as a pandas
// groupby has no such group.
func NewCalibrationTable(models []string, reports []CalibrationReport, byMetaclass bool) *CalibrationTable {
	t := &CalibrationTable{ByMetaclass: byMetaclass}
	if !byMetaclass {
		for i, m := range models {
			t.Rows = append(t.Rows, CalibrationRow{Model: m, Calibration: reports[i].Calibration})
		}
		return t
	}
	for mc, name := range eval.Metaclasses {
		for i, m := range models {
			if c := reports[i].ByMetaclass[mc]; c.N > 0 {
				t.Rows = append(t.Rows, CalibrationRow{Model: m, Metaclass: name, Calibration: c})
			}
		}
	}
	return t
}

// Columns returns the header: model,[metaclass,]<16 factors>,worst_factor,average.
func (t *CalibrationTable) Columns() []string {
	cols := labelColumns(t.ByMetaclass)
	cols = append(cols, eval.Factors[:]...)
	return append(cols, "worst_factor", "average")
}

// Records returns the table for CSV or JSON.
func (t *CalibrationTable) Records() *tabular.Records {
	rec := &tabular.Records{Header: t.Columns()}
	for _, r := range t.Rows {
		row := labels(r.Model, r.Metaclass, t.ByMetaclass)
		for _, v := range r.Factor {
			row = append(row, v)
		}
		rec.Rows = append(rec.Rows, append(row, r.WorstFactor, r.Overall))
	}
	return rec
}

// WriteCalibration writes a calibration table in the reference layout.
// CSV and JSON keep the reference's columns (Caveats says what they
// cannot); markdown writes four decimals, marks a factor's value on fewer
// than MinImages images with "*" and a worst_factor that is such a
// factor's with "†", and explains both below the table.
func WriteCalibration(w io.Writer, t *CalibrationTable, format tabular.Format) error {
	if format != tabular.Markdown {
		return writeRecords(w, t.Records(), format, len(labelColumns(t.ByMetaclass)))
	}
	var rows [][]string
	few := false
	for _, r := range t.Rows {
		row := []string{r.Model}
		if t.ByMetaclass {
			row = append(row, r.Metaclass)
		}
		for f, v := range r.Factor {
			cell := tabular.FormatFixed(v)
			if !math.IsNaN(v) && !eval.Enough(r.Count[f], t.MinImages) {
				cell += "*"
				few = true
			}
			row = append(row, cell)
		}
		worst := tabular.FormatFixed(r.WorstFactor)
		if t.worstFew(r) {
			worst += "†"
		}
		rows = append(rows, append(row, worst, tabular.FormatFixed(r.Overall)))
	}
	if err := tabular.WriteMarkdown(w, t.Columns(), rows, len(labelColumns(t.ByMetaclass))); err != nil {
		return err
	}
	var notes []string
	if few {
		notes = append(notes, fmt.Sprintf("\\* fewer than %d images behind the value: not a verdict on the factor.", t.MinImages))
	}
	notes = append(notes, t.Caveats()...)
	if len(notes) > 0 {
		_, err := fmt.Fprintf(w, "\n%s\n", strings.Join(notes, "\n"))
		return err
	}
	return nil
}

// worstFew reports whether a row's worst_factor is the value of a factor
// on fewer than MinImages images.
func (t *CalibrationTable) worstFew(r CalibrationRow) bool {
	return r.Worst >= 0 && !eval.Enough(r.Count[r.Worst], t.MinImages)
}

// Caveats says, for each row whose worst_factor rests on fewer than
// MinImages images, which factor and how many images ("†" in markdown).
func (t *CalibrationTable) Caveats() []string {
	var out []string
	for _, r := range t.Rows {
		if !t.worstFew(r) {
			continue
		}
		who := r.Model
		if r.Metaclass != "" {
			who += " (" + r.Metaclass + ")"
		}
		out = append(out, fmt.Sprintf("† %s: worst_factor %s is %s's on %d image(s), fewer than %d: not the model's worst calibrated factor, only its smallest sample's.",
			who, tabular.FormatFixed(r.WorstFactor), eval.Factors[r.Worst], r.Count[r.Worst], t.MinImages))
	}
	return out
}

// PrevalenceRow is the prevalence shift of one model, or of one (model,
// metaclass) group, with the group's accuracy.
type PrevalenceRow struct {
	Model, Metaclass string
	PrevalenceShift
	Accuracy float64
}

// PrevalenceTable holds prevalence shifts per model, or per (model,
// metaclass) in eval.Metaclasses order with the models within each.
type PrevalenceTable struct {
	ByMetaclass bool
	Rows        []PrevalenceRow
	// MinImages is the number of images a factor needs to be named among
	// the most over- or under-represented (eval.Enough); below it its
	// shift is flagged. 0 flags nothing.
	MinImages int
}

// NewPrevalenceTable arranges the reports of models (reports[i] belongs to
// models[i]); metaclass groups without images are left out.
func NewPrevalenceTable(models []string, reports []PrevalenceReport, byMetaclass bool) *PrevalenceTable {
	t := &PrevalenceTable{ByMetaclass: byMetaclass}
	if !byMetaclass {
		for i, m := range models {
			s := reports[i].PrevalenceShift
			t.Rows = append(t.Rows, PrevalenceRow{Model: m, PrevalenceShift: s, Accuracy: accuracy(s)})
		}
		return t
	}
	for mc, name := range eval.Metaclasses {
		for i, m := range models {
			if s := reports[i].ByMetaclass[mc]; s.Images > 0 {
				t.Rows = append(t.Rows, PrevalenceRow{Model: m, Metaclass: name, PrevalenceShift: s, Accuracy: accuracy(s)})
			}
		}
	}
	return t
}

func accuracy(s PrevalenceShift) float64 {
	if s.Images == 0 {
		return math.NaN()
	}
	return float64(s.Images-s.Mistakes) / float64(s.Images)
}

// PrevalenceColumns returns the long-form header of a prevalence table.
func PrevalenceColumns(byMetaclass bool) []string {
	return append(labelColumns(byMetaclass), "factor", "share", "mistake_share", "shift", "images", "mistakes", "accuracy", "factor_images", "few_images")
}

// Records returns the table in long form: one record per group and factor.
func (t *PrevalenceTable) Records() *tabular.Records {
	rec := &tabular.Records{Header: PrevalenceColumns(t.ByMetaclass)}
	for _, r := range t.Rows {
		for f, name := range eval.Factors {
			row := labels(r.Model, r.Metaclass, t.ByMetaclass)
			rec.Rows = append(rec.Rows, append(row, name, r.Share[f], r.MistakeShare[f], r.Shift[f], r.Images, r.Mistakes, r.Accuracy,
				r.Count[f], !eval.Enough(r.Count[f], t.MinImages)))
		}
	}
	return rec
}

// WritePrevalence writes a prevalence table: CSV and JSON in long form,
// markdown as the reference's wide shift table (a row per group, a column
// per factor, then accuracy) followed, per model, by a sentence naming the
// factors most over- and under-represented among its mistakes.
func WritePrevalence(w io.Writer, t *PrevalenceTable, format tabular.Format) error {
	if format != tabular.Markdown {
		return writeRecords(w, t.Records(), format, 0)
	}
	header := append(labelColumns(t.ByMetaclass), eval.Factors[:]...)
	header = append(header, "accuracy")
	var rows [][]string
	for _, r := range t.Rows {
		row := labels(r.Model, r.Metaclass, t.ByMetaclass)
		cells := make([]string, 0, len(header))
		for _, l := range row {
			cells = append(cells, l.(string))
		}
		for f, v := range r.Shift {
			cell := tabular.FormatSigned(v, 4)
			if r.Count[f] > 0 && !eval.Enough(r.Count[f], t.MinImages) {
				cell += "*"
			}
			cells = append(cells, cell)
		}
		rows = append(rows, append(cells, tabular.FormatFixed(r.Accuracy)))
	}
	if err := tabular.WriteMarkdown(w, header, rows, len(labelColumns(t.ByMetaclass))); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("\nshift = (mistake share − share)/share of each factor's annotations; above 0 the factor is over-represented among the mistakes.\n")
	if t.MinImages > 0 {
		fmt.Fprintf(&b, "\\* fewer than %d images carry the factor: its shift is shown but not ranked.\n", t.MinImages)
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		if r.Metaclass == "" {
			b.WriteString(prevalenceSentence(r, t.MinImages))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// prevalenceSentence names the (at most three) factors most over- and most
// under-represented among a model's mistakes.
func prevalenceSentence(r PrevalenceRow, minImages int) string {
	type fs struct {
		name  string
		shift float64
	}
	var over, under []fs
	for f, v := range r.Shift {
		switch {
		case r.Share[f] == 0 || !eval.Enough(r.Count[f], minImages):
		case v > 0:
			over = append(over, fs{eval.Factors[f], v})
		case v < 0:
			under = append(under, fs{eval.Factors[f], v})
		}
	}
	slices.SortStableFunc(over, func(a, b fs) int { return cmp.Compare(b.shift, a.shift) })
	slices.SortStableFunc(under, func(a, b fs) int { return cmp.Compare(a.shift, b.shift) })
	list := func(items []fs) string {
		if len(items) == 0 {
			return "none"
		}
		var parts []string
		for _, it := range items[:min(3, len(items))] {
			parts = append(parts, fmt.Sprintf("%s (%+.0f%%)", it.name, 100*it.shift))
		}
		return strings.Join(parts, ", ")
	}
	among := ""
	if minImages > 0 {
		among = fmt.Sprintf(" (factors with at least %d images)", minImages)
	}
	return fmt.Sprintf("- %s (%d mistakes on %d images): most over-represented among its mistakes: %s; most under-represented: %s%s.\n",
		r.Model, r.Mistakes, r.Images, list(over), list(under), among)
}

// CooccurrenceTable is the Spearman correlation between factor (and
// metaclass) indicators, with p-values; Names labels rows and columns.
type CooccurrenceTable struct {
	Names  []string
	Rho, P *mat.SymDense
	// Factors is how many of the first Names are factors; the rest are
	// metaclass indicators. 0 means all are factors.
	Factors int
	// Images counts the images whose indicator Names[i] is set (nil:
	// unknown); a pair with an indicator on fewer than MinImages images is
	// flagged and never listed as significant (eval.Enough).
	Images    []int
	MinImages int
}

// few reports whether the pair (i, j) rests on too few images.
func (t *CooccurrenceTable) few(i, j int) bool {
	if t.Images == nil {
		return false
	}
	return !eval.Enough(t.Images[i], t.MinImages) || !eval.Enough(t.Images[j], t.MinImages)
}

// CooccurrenceColumns is the long-form header of a co-occurrence table.
var CooccurrenceColumns = []string{"factor_a", "factor_b", "rho", "pval", "images_a", "images_b", "few_images"}

// Records returns every ordered pair, the diagonal included, so that
// pandas' pivot(index="factor_a", columns="factor_b") rebuilds the matrix.
func (t *CooccurrenceTable) Records() *tabular.Records {
	rec := &tabular.Records{Header: CooccurrenceColumns}
	for i, a := range t.Names {
		for j, b := range t.Names {
			var na, nb any = math.NaN(), math.NaN()
			if t.Images != nil {
				na, nb = t.Images[i], t.Images[j]
			}
			rec.Rows = append(rec.Rows, []any{a, b, t.Rho.At(i, j), t.P.At(i, j), na, nb, t.few(i, j)})
		}
	}
	return rec
}

// WriteCooccurrence writes the table: CSV and JSON in long form, markdown
// as the list of distinct pairs with p < alpha, strongest correlation first.
// Markdown leaves out pairs of two metaclasses (the names after the first
// t.Factors): one-hot indicators exclude each other, so their negative
// correlation says nothing.
func WriteCooccurrence(w io.Writer, t *CooccurrenceTable, format tabular.Format, alpha float64) error {
	if format != tabular.Markdown {
		return writeRecords(w, t.Records(), format, 0)
	}
	type pair struct {
		a, b   string
		rho, p float64
	}
	var pairs []pair
	var few []string
	total := 0
	factors := t.Factors
	if factors == 0 {
		factors = len(t.Names)
	}
	for i := range t.Names[:factors] {
		for j := i + 1; j < len(t.Names); j++ {
			total++
			p := t.P.At(i, j)
			switch {
			case !(p < alpha):
			case t.few(i, j):
				few = append(few, t.Names[i]+"–"+t.Names[j])
			default:
				pairs = append(pairs, pair{t.Names[i], t.Names[j], t.Rho.At(i, j), p})
			}
		}
	}
	slices.SortStableFunc(pairs, func(x, y pair) int { return cmp.Compare(math.Abs(y.rho), math.Abs(x.rho)) })
	if _, err := fmt.Fprintf(w, "%d of %d pairs correlate significantly (Spearman, p < %g), strongest first:\n\n", len(pairs), total, alpha); err != nil {
		return err
	}
	rows := make([][]string, len(pairs))
	for k, p := range pairs {
		pval := strconv.FormatFloat(p.p, 'g', 3, 64)
		if p.p < tabular.MinReportedP {
			pval = "<" + strconv.FormatFloat(tabular.MinReportedP, 'g', -1, 64)
		}
		rows[k] = []string{p.a, p.b, tabular.FormatSigned(p.rho, 4), pval}
	}
	if err := tabular.WriteMarkdown(w, CooccurrenceColumns[:4], rows, 2); err != nil {
		return err
	}
	if len(few) > 0 {
		_, err := fmt.Fprintf(w, "\nNot judged, since an indicator is set on fewer than %d images (p < %g all the same): %s.\n",
			t.MinImages, alpha, strings.Join(few, ", "))
		return err
	}
	return nil
}

func labelColumns(byMetaclass bool) []string {
	if byMetaclass {
		return []string{"model", "metaclass"}
	}
	return []string{"model"}
}

func labels(model, metaclass string, byMetaclass bool) []any {
	if byMetaclass {
		return []any{model, metaclass}
	}
	return []any{model}
}

// writeRecords writes records as CSV or JSON, or as a markdown table of
// four-decimal numbers whose first textColumns columns are text.
func writeRecords(w io.Writer, rec *tabular.Records, format tabular.Format, textColumns int) error {
	switch format {
	case tabular.CSV:
		return rec.WriteCSV(w)
	case tabular.JSON:
		return rec.WriteJSON(w)
	case tabular.Markdown:
		rows := make([][]string, len(rec.Rows))
		for i, r := range rec.Rows {
			for _, v := range r {
				cell := fmt.Sprint(v)
				if x, ok := v.(float64); ok {
					cell = tabular.FormatFixed(x)
				}
				rows[i] = append(rows[i], cell)
			}
		}
		return tabular.WriteMarkdown(w, rec.Header, rows, textColumns)
	}
	return fmt.Errorf("unknown format %d", format)
}
