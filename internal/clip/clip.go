// Package clip shortens input values quoted in messages: a CSV field, a
// JSON value or a header read from a user's file may be megabytes long,
// and an error that echoes it whole floods the terminal (a 50 MB field
// made a 52 MB error). Every message that quotes an input value quotes it
// through this package: at most Max bytes of it, then how long it was.
package clip

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Max is the most bytes of one input value a message quotes.
const Max = 200

// MaxItems is the most values of a list (a header's columns) a message
// quotes.
const MaxItems = 20

// String is s when it is at most Max bytes; otherwise its first Max bytes
// (cut at a character boundary) followed by "…" and how many bytes s has.
func String(s string) string {
	if len(s) <= Max {
		return s
	}
	return cut(s) + "… (" + strconv.Itoa(len(s)) + " bytes)"
}

// Quote is s quoted as %q quotes it, clipped as String clips it: the
// first Max bytes quoted, then "…" and s's length.
func Quote(s string) string {
	if len(s) <= Max {
		return strconv.Quote(s)
	}
	return strconv.Quote(cut(s)) + "… (" + strconv.Itoa(len(s)) + " bytes)"
}

// Quotes is a list quoted as %q quotes a []string, each value clipped
// (Quote) and at most MaxItems of them, then how many there were.
func Quotes(ss []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range ss {
		if i == MaxItems {
			b.WriteString(" … (" + strconv.Itoa(len(ss)) + " values)")
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(Quote(s))
	}
	b.WriteByte(']')
	return b.String()
}

// cut is s's first Max bytes, less a character cut in two.
func cut(s string) string {
	s = s[:Max]
	for i := 0; i < utf8.UTFMax && len(s) > 0; i++ {
		if r, size := utf8.DecodeLastRuneInString(s); r != utf8.RuneError || size != 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}
