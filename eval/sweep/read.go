package sweep

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/internal/clip"
)

// SpilloverFile is the name of the spill-over table (Columns) in a sweep's
// output folder, which LoadDir reads.
const SpilloverFile = "spillover.csv"

// LoadDir reads the spill-over table a sweep wrote into dir; the curves are
// titled by the folder's name.
func LoadDir(dir string) (Curves, error) {
	path := filepath.Join(dir, SpilloverFile)
	f, err := os.Open(path)
	if err != nil {
		return Curves{}, fmt.Errorf("sweep %s: %w", dir, err)
	}
	defer f.Close()
	c, err := ReadCSV(f, path)
	c.Title = filepath.Base(filepath.Clean(dir))
	return c, err
}

// ReadCSV reads a spill-over table as Result.Records writes it (header
// Columns; per factor, one line per strength, ascending) and returns its
// curves. Each factor's verdict is the one its line at the strongest
// strength carries in the spillover column, decided by Row.Judge when the
// sweep ran; the fit is Result.Curves' own. source names the input in
// errors.
func ReadCSV(r io.Reader, source string) (Curves, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return Curves{}, fmt.Errorf("%s: header: %w", source, err)
	}
	if !slices.Equal(header, Columns) {
		return Curves{}, fmt.Errorf("%s:1: header %s, want %q (a table written by imagenetx sweep)", source, clip.Quotes(header), Columns)
	}
	var rows []Row
	var verdicts []Spillover
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Curves{}, fmt.Errorf("%s: %w", source, err)
		}
		line, _ := cr.FieldPos(0)
		row, v, err := parseRow(rec)
		if err != nil {
			return Curves{}, fmt.Errorf("%s:%d: %w", source, line, err)
		}
		rows, verdicts = append(rows, row), append(verdicts, v)
	}
	strengths, err := gridStrengths(rows)
	if err != nil {
		return Curves{}, fmt.Errorf("%s: %w", source, err)
	}
	c, err := curves(strengths, rows, verdicts, "")
	if err != nil {
		return Curves{}, fmt.Errorf("%s: %w", source, err)
	}
	return c, nil
}

// gridStrengths checks that rows run factor by factor (each a factor of
// eval.Factors, once) over one rising list of strengths, and returns it.
func gridStrengths(rows []Row) ([]float64, error) {
	if len(rows) == 0 {
		return nil, errors.New("no data line")
	}
	var strengths []float64
	for _, r := range rows {
		if r.Factor != rows[0].Factor {
			break
		}
		if len(strengths) > 0 && !(r.Strength > strengths[len(strengths)-1]) {
			return nil, fmt.Errorf("factor %s: strength %v after %v, want rising strengths", r.Factor, r.Strength, strengths[len(strengths)-1])
		}
		strengths = append(strengths, r.Strength)
	}
	n := len(strengths)
	if len(rows)%n != 0 {
		return nil, fmt.Errorf("%d lines are not whole factors of %d strengths", len(rows), n)
	}
	seen := map[string]bool{}
	for k := 0; k < len(rows); k += n {
		name := rows[k].Factor
		if seen[name] {
			return nil, fmt.Errorf("factor %s appears twice", name)
		}
		seen[name] = true
		for i, r := range rows[k : k+n] {
			if r.Factor != name || r.Strength != strengths[i] {
				return nil, fmt.Errorf("factor %s: line %d of its block is %s at %v, want %s at %v", name, i+1, r.Factor, r.Strength, name, strengths[i])
			}
		}
	}
	return strengths, nil
}

// parseRow reads one line of the table (Columns order).
func parseRow(rec []string) (Row, Spillover, error) {
	row := Row{Factor: rec[0]}
	if _, err := eval.FactorIndex(row.Factor); err != nil {
		return row, "", err
	}
	floats := []struct {
		col int
		dst *float64
	}{{1, &row.Strength}, {3, &row.Accuracy}, {4, &row.ErrorRatio}, {5, &row.Change}, {6, &row.ChangeLo},
		{7, &row.ChangeHi}, {10, &row.P}, {11, &row.PAdjusted}}
	for _, f := range floats {
		v, err := parseFloat(rec[f.col], Columns[f.col])
		if err != nil {
			return row, "", err
		}
		*f.dst = v
	}
	if math.IsNaN(row.Strength) {
		return row, "", errors.New("strength is empty")
	}
	ints := []struct {
		col int
		dst *int
	}{{2, &row.N}, {8, &row.OnlyBase}, {9, &row.OnlyVariant}}
	for _, f := range ints {
		v, err := strconv.Atoi(rec[f.col])
		if err != nil || v < 0 {
			return row, "", fmt.Errorf("%s %s is not a count", Columns[f.col], clip.Quote(rec[f.col]))
		}
		*f.dst = v
	}
	v, ok := parseSpillover(rec[12])
	if !ok {
		return row, "", fmt.Errorf("spillover %s is not a verdict (want baseline, few_images, worse, better or none)", clip.Quote(rec[12]))
	}
	return row, v, nil
}

// parseFloat reads a number as the table writes it: an empty field is
// NaN; infinities are refused.
func parseFloat(s, column string) (float64, error) {
	if s == "" {
		return math.NaN(), nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s %s is not a finite number", column, clip.Quote(s))
	}
	return v, nil
}
