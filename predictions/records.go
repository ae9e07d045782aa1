package predictions

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
)

// recordReader reads CSV records as encoding/csv does (RFC 4180, no lazy
// quotes, empty lines skipped, \r\n read as \n, every record as wide as
// the first), with a fast path for lines without quotes: prediction files
// are 50,000 such lines, and splitting them directly halves the reading
// time. FuzzRecordReader checks it against encoding/csv.
type recordReader struct {
	br     *bufio.Reader
	line   int // lines consumed so far
	start  int // line where the last record began
	width  int // fields per record, from the first; 0 before it
	raw    int // length of the last line read, line ending included
	fields []string
	buf    []byte
}

func newRecordReader(r io.Reader) *recordReader {
	return &recordReader{br: bufio.NewReaderSize(r, 64<<10)}
}

// readLine returns the next line without its line ending, or io.EOF.
func (r *recordReader) readLine() ([]byte, error) {
	b, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.buf = append(r.buf[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = r.br.ReadSlice('\n')
			r.buf = append(r.buf, b...)
		}
		b = r.buf
	}
	if len(b) == 0 && err != nil {
		return nil, err
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	r.line++
	r.raw = len(b)
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return bytes.TrimSuffix(b, []byte{'\r'}), nil
}

// read returns the next record; its strings stay valid after later reads.
func (r *recordReader) read() ([]string, error) {
	var line []byte
	for {
		var err error
		if line, err = r.readLine(); err != nil {
			return nil, err
		}
		if len(line) > 0 {
			break
		}
	}
	r.start = r.line
	var err error
	if bytes.IndexByte(line, '"') < 0 {
		r.fields = splitPlain(r.fields[:0], string(line))
	} else if r.fields, err = r.parseQuoted(r.fields[:0], line); err != nil {
		return nil, err
	}
	if r.width == 0 {
		r.width = len(r.fields)
	} else if len(r.fields) != r.width {
		return r.fields, &csv.ParseError{StartLine: r.start, Line: r.start, Column: 1, Err: csv.ErrFieldCount}
	}
	return r.fields, nil
}

// splitPlain cuts a line without quotes at its commas; the fields share
// the line's one string.
func splitPlain(dst []string, s string) []string {
	for {
		i := indexByteString(s, ',')
		if i < 0 {
			return append(dst, s)
		}
		dst = append(dst, s[:i])
		s = s[i+1:]
	}
}

func indexByteString(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// parseQuoted parses a record holding quotes, reading further lines while
// a quoted field is open.
func (r *recordReader) parseQuoted(dst []string, line []byte) ([]string, error) {
	var rec []byte
	var ends []int
	pos := 0 // column of line[0] in the current physical line, for errors
	for {
		if len(line) == 0 || line[0] != '"' {
			// an unquoted field: up to the next comma, no quote allowed
			i := bytes.IndexByte(line, ',')
			field := line
			if i >= 0 {
				field = line[:i]
			}
			if j := bytes.IndexByte(field, '"'); j >= 0 {
				return nil, &csv.ParseError{StartLine: r.start, Line: r.line, Column: pos + j + 1, Err: csv.ErrBareQuote}
			}
			rec = append(rec, field...)
			ends = append(ends, len(rec))
			if i < 0 {
				break
			}
			line, pos = line[i+1:], pos+i+1
			continue
		}
		// a quoted field
		line, pos = line[1:], pos+1
	quoted:
		for {
			i := bytes.IndexByte(line, '"')
			switch {
			case i < 0:
				// the field goes on past the line end
				rec = append(rec, line...)
				next, err := r.readLine()
				if err != nil {
					if errors.Is(err, io.EOF) {
						return nil, &csv.ParseError{StartLine: r.start, Line: r.line, Column: r.raw + 1, Err: csv.ErrQuote}
					}
					return nil, err
				}
				rec = append(rec, '\n')
				line, pos = next, 0
			case i+1 < len(line) && line[i+1] == '"':
				rec = append(rec, line[:i+1]...) // an escaped quote
				line, pos = line[i+2:], pos+i+2
			case i+1 == len(line):
				rec = append(rec, line[:i]...)
				ends = append(ends, len(rec))
				return fieldsOf(dst, string(rec), ends), nil
			case line[i+1] == ',':
				rec = append(rec, line[:i]...)
				ends = append(ends, len(rec))
				line, pos = line[i+2:], pos+i+2
				break quoted
			default:
				return nil, &csv.ParseError{StartLine: r.start, Line: r.line, Column: pos + i + 1, Err: csv.ErrQuote}
			}
		}
	}
	return fieldsOf(dst, string(rec), ends), nil
}

// fieldsOf cuts the record's text at the field ends.
func fieldsOf(dst []string, s string, ends []int) []string {
	prev := 0
	for _, e := range ends {
		dst = append(dst, s[prev:e])
		prev = e
	}
	return dst
}
