package predictions

import (
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
//
// It reads through its own buffer rather than a bufio.Reader so that it
// can tell whether a line holds a quote without searching each line: one
// search over the buffer usually clears every line in it (quoted, below).
type recordReader struct {
	rd       io.Reader
	buf      []byte // the unread input is buf[pos:end]
	pos, end int
	rerr     error // the error that ended the input after buf[:end]
	// noQuote: buf[:noQuote] has no quote after pos
	noQuote int
	quoted  bool // whether the last line read holds a quote

	line   int // lines consumed so far
	start  int // line where the last record began
	width  int // fields per record, from the first; 0 before it
	raw    int // length of the last line read, line ending included
	fields []string
}

// recordBufferSize is the read size: a 2.4 MB prediction file in ten
// reads. The buffer grows for a longer line.
const recordBufferSize = 256 << 10

func newRecordReader(r io.Reader) *recordReader { return newRecordReaderSize(r, recordBufferSize) }

// newRecordReaderSize starts with a buffer of size bytes (at least 1);
// tests use tiny ones.
func newRecordReaderSize(r io.Reader, size int) *recordReader {
	return &recordReader{rd: r, buf: make([]byte, max(size, 1))}
}

// readLine returns the next line without its line ending, or io.EOF; its
// bytes are valid until the next read. It sets r.quoted.
func (r *recordReader) readLine() ([]byte, error) {
	for {
		if i := bytes.IndexByte(r.buf[r.pos:r.end], '\n'); i >= 0 {
			return r.take(r.pos + i + 1), nil
		}
		if r.rerr != nil {
			if r.rerr == io.EOF && r.pos < r.end {
				return r.take(r.end), nil // a last line without a line ending
			}
			return nil, r.rerr
		}
		r.fill()
	}
}

// take consumes buf[pos:end] as a line and returns it without its line
// ending.
func (r *recordReader) take(end int) []byte {
	start := r.pos
	r.pos = end
	r.line++
	r.raw = end - start
	if end > start && r.buf[end-1] == '\n' {
		end--
	}
	if end > start && r.buf[end-1] == '\r' {
		end--
	}
	if end > r.noQuote {
		// search on to the end of the buffered input, not just the line
		if q := bytes.IndexByte(r.buf[start:r.end], '"'); q < 0 {
			r.noQuote = r.end
		} else {
			r.noQuote = start + q
		}
	}
	r.quoted = end > r.noQuote
	return r.buf[start:end]
}

// fill moves the unread input to the front of the buffer, growing it when
// the unread input fills it, and reads more. A reader that returns
// nothing many times in a row fails with io.ErrNoProgress, as bufio does.
func (r *recordReader) fill() {
	if r.pos > 0 {
		copy(r.buf, r.buf[r.pos:r.end])
		r.end -= r.pos
		r.noQuote = max(r.noQuote-r.pos, 0)
		r.pos = 0
	}
	if r.end == len(r.buf) {
		r.buf = append(r.buf, make([]byte, len(r.buf))...)
	}
	for range 100 {
		n, err := r.rd.Read(r.buf[r.end:])
		r.end += n
		if err != nil {
			r.rerr = err
			return
		}
		if n > 0 {
			return
		}
	}
	r.rerr = io.ErrNoProgress
}

// read returns the next record; its strings stay valid after later reads.
func (r *recordReader) read() ([]string, error) {
	line, err := r.nextLine()
	if err != nil {
		return nil, err
	}
	return r.record(line)
}

// nextLine returns the next non-empty line, without its line ending, and
// records where it starts; its bytes are valid until the next read.
func (r *recordReader) nextLine() ([]byte, error) {
	for {
		line, err := r.readLine()
		if err != nil {
			return nil, err
		}
		if len(line) > 0 {
			r.start = r.line
			return line, nil
		}
	}
}

// record returns the record that begins with line (from nextLine),
// reading further lines while a quoted field is open.
func (r *recordReader) record(line []byte) ([]string, error) {
	var err error
	if !r.quoted {
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
