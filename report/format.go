package report

import (
	"fmt"
	"html/template"
	"math"
	"strconv"

	"github.com/imagenetx/imagenetx/report/chart"
)

// cssColor is the colour of series i as CSS.
func cssColor(i int) template.CSS {
	c := chart.SeriesColor(i)
	return template.CSS(fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B))
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func fmtN(v float64, digits int) string {
	if !finite(v) {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', digits, 64)
}

func fmt2(v float64) string { return fmtN(v, 2) }
func fmt3(v float64) string { return fmtN(v, 3) }

// pct writes a fraction as a percentage with two decimals, e.g. "76.13%".
func pct(v float64) string {
	if !finite(v) {
		return "–"
	}
	return strconv.FormatFloat(100*v, 'f', 2, 64) + "%"
}

// pct1 writes a proportion as a percentage with one decimal and no sign,
// for the bounds of an interval beside its value ("[75.8, 83.6]").
func pct1(v float64) string {
	if !finite(v) {
		return "–"
	}
	return strconv.FormatFloat(100*v, 'f', 1, 64)
}

// signed writes a difference with its sign, e.g. "+0.052".
func signed(v float64) string {
	if !finite(v) {
		return "–"
	}
	s := strconv.FormatFloat(v, 'f', 3, 64)
	if v > 0 {
		s = "+" + s
	}
	return s
}

// noKey is the sort key of a missing value, which the page's script always
// sorts last.
const noKey = "–"

// sortKey is a number as the page's script sorts it (noKey for a value
// that is not one).
func sortKey(v float64) string { return shortKey(v, 6) }

// shortKey is sortKey with fewer digits, for the long lists.
func shortKey(v float64, digits int) string {
	if !finite(v) {
		return noKey
	}
	return strconv.FormatFloat(v, 'g', digits, 64)
}

// bracket writes an interval as "[lo, hi]" with the given format, or ""
// when either bound is missing.
func bracket(lo, hi float64, format func(float64) string) string {
	if !finite(lo) || !finite(hi) {
		return ""
	}
	return "[" + format(lo) + ", " + format(hi) + "]"
}

// withInterval writes "v [lo, hi]", or v alone when there is no interval.
func withInterval(v, lo, hi float64, format func(float64) string) string {
	b := bracket(lo, hi, format)
	if b == "" {
		return format(v)
	}
	return format(v) + " " + b
}

// count writes a count with thousands separators, e.g. "46,110".
func count(n int) string {
	s := strconv.Itoa(n)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return neg + s
}

// plural writes "1 image" or "3 images".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return count(n) + " " + many
}
