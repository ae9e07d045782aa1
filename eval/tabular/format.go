package tabular

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Format is an output format for tables.
type Format int

const (
	// CSV is the reference toolkit's CSV layout, floats at full precision.
	CSV Format = iota
	// JSON is an array of objects, one per row.
	JSON
	// Markdown is an aligned table for humans in a terminal.
	Markdown
)

// String is the format's name, as ParseFormat reads it.
func (f Format) String() string {
	switch f {
	case JSON:
		return "json"
	case Markdown:
		return "markdown"
	}
	return "csv"
}

// ParseFormat reads "csv", "json" or "markdown" ("md").
func ParseFormat(s string) (Format, error) {
	switch s {
	case "csv":
		return CSV, nil
	case "json":
		return JSON, nil
	case "markdown", "md":
		return Markdown, nil
	}
	return 0, fmt.Errorf("unknown format %q (want csv, json or markdown)", s)
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

// MinReportedP is the smallest p-value the markdown outputs print as a
// number.
const MinReportedP = 1e-300

// FormatP prints a p-value with three significant digits for humans
// ("" for NaN); values below MinReportedP (where the binomial tail
// underflows to 0) print as "<1e-300" rather than a misleading 0.
func FormatP(p float64) string {
	switch {
	case math.IsNaN(p):
		return ""
	case p < MinReportedP:
		return "<" + strconv.FormatFloat(MinReportedP, 'g', -1, 64)
	}
	return strconv.FormatFloat(p, 'g', 3, 64)
}

// PClause writes "name = p" for a sentence, or "name < 1e-300" for p below
// MinReportedP.
func PClause(name string, p float64) string {
	if s := FormatP(p); strings.HasPrefix(s, "<") {
		return name + " " + s[:1] + " " + s[1:]
	}
	return name + " = " + FormatP(p)
}
