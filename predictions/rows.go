package predictions

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
)

// Row is one prediction as ReadRow gives it: the file name as bytes and the
// probability unparsed, so that reading a row allocates nothing. Its bytes
// are valid until the next ReadRow.
type Row struct {
	// FileName is the file_name field.
	FileName []byte
	// Class is the top-1 class index.
	Class int

	probText []byte  // predicted_probability, checked but not yet parsed
	prob     float64 // predicted_probability, when probText is nil
}

// Prob returns the probability of Class, parsing it on first use: what
// only counts images never pays for it. Like FileName, it must be called
// before the next ReadRow.
func (r *Row) Prob() float64 {
	if r.probText != nil {
		// ReadRow checked the text, so this cannot fail.
		r.prob, _ = strconv.ParseFloat(string(r.probText), 64)
		r.probText = nil
	}
	return r.prob
}

// ReadRow reads the next prediction into row, or returns io.EOF after the
// last. It accepts and rejects exactly what Read does, with the same
// errors, and ignores top-k columns (it still checks them). Files with the
// reference's three columns in order take a fast path without allocation
// (scripts/bench.sh paper reads 110 million rows through it); other
// headers, and any row the fast path does not accept outright, go the way
// of Read.
func (r *Reader) ReadRow(row *Row) error {
	if !r.plain {
		return r.readRowGeneral(row, r.cr.read)
	}
	line, err := r.cr.nextLine()
	if err != nil {
		_, err = r.prediction(nil, err)
		return err
	}
	r.line = r.cr.start
	if name, class, prob, ok := splitPlainRow(line); ok && !r.cr.quoted {
		*row = Row{FileName: name, Class: class, probText: prob}
		return nil
	}
	return r.readRowGeneral(row, func() ([]string, error) { return r.cr.record(line) })
}

// readRowGeneral reads a row the way Read does, the record coming from
// next.
func (r *Reader) readRowGeneral(row *Row, next func() ([]string, error)) error {
	p, err := r.prediction(next())
	if err != nil {
		return err
	}
	r.nameBuf = append(r.nameBuf[:0], p.FileName...)
	*row = Row{FileName: r.nameBuf, Class: p.Class, prob: p.Prob}
	return nil
}

// splitPlainRow splits a line of the reference format that needs no
// general parsing, and reports whether it is one, given that the line has
// no quote (recordReader.quoted): a non-empty file name, a class written
// as 1 to 9 digits, a probability written 0, 1, 0.ddd or 1.000 (so within
// [0,1] without parsing it; a top-1 softmax probability is at least 0.001,
// so Python and Go never write one with an exponent). Anything else (a
// field count other than three, "12.0", "5e-05", a bad value) is left to
// the general parser, which accepts or rejects it with the error that Read
// gives. FuzzReadRow checks the two paths against each other.
func splitPlainRow(line []byte) (name []byte, class int, prob []byte, ok bool) {
	comma := bytes.IndexByte(line, ',')
	if comma <= 0 {
		return nil, 0, nil, false
	}
	name, rest := line[:comma], line[comma+1:]
	i := 0
	for ; i < len(rest) && i < 10 && '0' <= rest[i] && rest[i] <= '9'; i++ {
		class = class*10 + int(rest[i]-'0')
	}
	if i == 0 || i == 10 || i == len(rest) || rest[i] != ',' {
		return nil, 0, nil, false
	}
	prob = rest[i+1:]
	if !plainProb(prob) {
		return nil, 0, nil, false
	}
	return name, class, prob, true
}

// plainProb reports whether s is 0, 1, "0." followed by digits, or "1."
// followed by zeros: numbers that strconv.ParseFloat reads as within
// [0,1].
func plainProb(s []byte) bool {
	if len(s) == 0 || (s[0] != '0' && s[0] != '1') {
		return false
	}
	if len(s) == 1 {
		return true
	}
	if s[1] != '.' {
		return false
	}
	if s[0] == '1' {
		for _, c := range s[2:] {
			if c != '0' {
				return false
			}
		}
		return true
	}
	return allDigits(s[2:])
}

// allDigits reports whether every byte of s is an ASCII digit. It tests
// eight bytes at a time (this runs on every probability of every row): a
// byte is a digit when its high nibble is 3 and adding 6 leaves it so (a
// low nibble above 9 carries); the first test keeps every byte below 0x40,
// so the second cannot carry from one byte into the next.
func allDigits(s []byte) bool {
	const highNibbles, threes, sixes = 0xF0F0F0F0F0F0F0F0, 0x3030303030303030, 0x0606060606060606
	for ; len(s) >= 8; s = s[8:] {
		x := binary.LittleEndian.Uint64(s)
		if x&highNibbles != threes || (x+sixes)&highNibbles != threes {
			return false
		}
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ReadFileRows streams the rows of a predictions CSV file to fn with
// ReadRow, stopping at the first error (fn's errors are returned with the
// file and line). The row passed to fn is valid only during the call.
func ReadFileRows(path string, fn func(*Row) error) error {
	return readFile(path, func(r *Reader) error { return r.EachRow(fn) })
}

// EachRow is Each with ReadRow: it streams the rows left to fn, each valid
// only during the call.
func (r *Reader) EachRow(fn func(*Row) error) error {
	var row Row
	for {
		err := r.ReadRow(&row)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(&row); err != nil {
			return fmt.Errorf("%s:%d: %w", r.source, r.Line(), err)
		}
	}
}
