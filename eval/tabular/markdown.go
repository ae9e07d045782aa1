package tabular

import (
	"io"
	"strings"
	"unicode/utf8"
)

// WriteMarkdown writes preformatted cells as an aligned markdown table;
// columns from numericFrom on are right-aligned (numbers), their header
// cells too. Widths count runes, so cells such as "−" or "→" align.
func WriteMarkdown(w io.Writer, header []string, rows [][]string, numericFrom int) error {
	return writeMarkdown(w, header, rows, numericFrom, false)
}

// WriteMarkdownLeftHeader is WriteMarkdown with every header cell
// left-aligned, the layout of the factor tables.
func WriteMarkdownLeftHeader(w io.Writer, header []string, rows [][]string, numericFrom int) error {
	return writeMarkdown(w, header, rows, numericFrom, true)
}

func writeMarkdown(w io.Writer, header []string, rows [][]string, numericFrom int, leftHeader bool) error {
	width := make([]int, len(header))
	for j, h := range header {
		width[j] = utf8.RuneCountInString(h)
		for _, r := range rows {
			width[j] = max(width[j], utf8.RuneCountInString(r[j]))
		}
	}
	var b strings.Builder
	line := func(cells []string, sep, right bool) {
		b.WriteString("|")
		for j, c := range cells {
			pad := strings.Repeat(" ", width[j]-utf8.RuneCountInString(c))
			switch {
			case sep && j >= numericFrom:
				c = strings.Repeat("-", width[j]-1) + ":"
			case sep:
				c = strings.Repeat("-", width[j])
			case right && j >= numericFrom:
				c = pad + c
			default:
				c += pad
			}
			b.WriteString(" " + c + " |")
		}
		b.WriteString("\n")
	}
	line(header, false, !leftHeader)
	line(header, true, false)
	for _, r := range rows {
		line(r, false, true)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
