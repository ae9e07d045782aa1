package tabular

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Records is a long-form table of typed cells (string, int, float64 or
// bool), written as CSV for pandas or as JSON.
type Records struct {
	Header []string
	Rows   [][]any
}

// Write writes the records as CSV or JSON; markdown needs formatted cells
// (WriteMarkdown), so it is refused here.
func (r *Records) Write(w io.Writer, format Format) error {
	switch format {
	case CSV:
		return r.WriteCSV(w)
	case JSON:
		return r.WriteJSON(w)
	}
	return fmt.Errorf("records are written as csv or json, not format %d", format)
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
