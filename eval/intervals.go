package eval

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/imagenetx/imagenetx/eval/stats"
	"github.com/imagenetx/imagenetx/eval/tabular"
)

// AverageFactor is the factor name of the long-form rows that cover all of
// a group's images, after the table column of the same name.
const AverageFactor = "average"

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
	return CheckMinImages(o.MinImages)
}

// FactorInterval is one factor's accuracy within one table row, with its
// Wilson interval, and its error ratio with its interval
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
	// FewImages is set when N is below IntervalOptions.MinImages (Enough).
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
	if !t.counted() {
		return nil, errNoCounts
	}
	it := &IntervalTable{ByMetaclass: t.ByMetaclass, Options: opt}
	for i := range t.Rows {
		it.Rows = append(it.Rows, rowIntervals(&t.Rows[i], opt)...)
	}
	return it, nil
}

// errNoCounts refuses what needs counts of a table read from a file.
var errNoCounts = errors.New("the table carries no image counts (they come with predictions, not with a table read from a file)")

// counted reports whether the table carries the image counts behind its
// values, as tables from an Accumulator do.
func (t *Table) counted() bool {
	for i := range t.Rows {
		if t.Rows[i].N > 0 {
			return true
		}
	}
	return false
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
		Accuracy: math.NaN(), FewImages: !Enough(n, opt.MinImages)}
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
func (it *IntervalTable) Records() *tabular.Records {
	rec := &tabular.Records{Header: IntervalColumns(it.ByMetaclass)}
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
func WriteIntervals(w io.Writer, it *IntervalTable, format tabular.Format) error {
	if format == tabular.Markdown {
		return writeIntervalsMarkdown(w, it)
	}
	return it.Records().Write(w, format)
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
		rows = append(rows, append(row, r.Factor, n, tabular.IntervalCell(r.Accuracy, r.AccLo, r.AccHi), tabular.IntervalCell(r.ErrorRatio, r.ERLo, r.ERHi)))
	}
	if err := tabular.WriteMarkdown(w, header, rows, labels); err != nil {
		return err
	}
	if few {
		_, err := fmt.Fprintf(w, "\n\\* fewer than %d images: the interval is wide and the point estimate unreliable.\n", it.Options.MinImages)
		return err
	}
	return nil
}
