package eval

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

// ReadTable parses a per-factor accuracy table in the reference layout
// (model,<16 factors>,worst_factor,average[,worst_100_classes], extra columns
// ignored; an optional metaclass column makes a by-metaclass table). Empty
// fields read as NaN. source names the input in errors.
func ReadTable(r io.Reader, source string) (*Table, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty table", source)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	cols, err := tableColumns(header)
	if err != nil {
		return nil, fmt.Errorf("%s:1: %w", source, err)
	}
	t := &Table{ByMetaclass: cols.metaclass >= 0}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", source, err)
		}
		line, _ := cr.FieldPos(0)
		row, err := cols.row(rec)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", source, line, err)
		}
		t.Rows = append(t.Rows, row)
	}
}

// ReadTableFile is ReadTable on a file.
func ReadTableFile(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadTable(f, path)
}

type tableLayout struct {
	model, metaclass, worst, average, worst100 int
	factor                                     [NumFactors]int
}

func tableColumns(header []string) (tableLayout, error) {
	l := tableLayout{model: -1, metaclass: -1, worst: -1, average: -1, worst100: -1}
	for i := range l.factor {
		l.factor[i] = -1
	}
	for i, name := range header {
		switch name {
		case "model":
			l.model = i
		case "metaclass":
			l.metaclass = i
		case "worst_factor":
			l.worst = i
		case "average":
			l.average = i
		case "worst_100_classes":
			l.worst100 = i
		default:
			if f, err := FactorIndex(name); err == nil {
				l.factor[f] = i
			}
		}
	}
	if l.model < 0 {
		return l, errors.New(`missing column "model"`)
	}
	if l.average < 0 {
		return l, errors.New(`missing column "average"`)
	}
	for f, c := range l.factor {
		if c < 0 {
			return l, fmt.Errorf("missing factor column %q", Factors[f])
		}
	}
	return l, nil
}

func (l tableLayout) row(rec []string) (Row, error) {
	r := Row{Model: rec[l.model], WorstFactor: math.NaN(), Worst100Classes: math.NaN()}
	if l.metaclass >= 0 {
		r.Metaclass = rec[l.metaclass]
	}
	var err error
	for f, c := range l.factor {
		if r.Factor[f], err = parseCell(rec[c], Factors[f]); err != nil {
			return r, err
		}
	}
	if r.Average, err = parseCell(rec[l.average], "average"); err != nil {
		return r, err
	}
	r.WorstFactor = worstFactor(&r.Factor)
	if l.worst100 >= 0 {
		if r.Worst100Classes, err = parseCell(rec[l.worst100], "worst_100_classes"); err != nil {
			return r, err
		}
	}
	return r, nil
}

func parseCell(s, column string) (float64, error) {
	if s == "" {
		return math.NaN(), nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("column %s: %s is not a number", column, clip.Quote(s))
	}
	return v, nil
}
