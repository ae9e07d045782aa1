package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/imagenetx/imagenetx/internal/clip"
)

// The annotation files are 25 MB of one-object-per-line JSON; encoding/json
// alone takes most of a quarter second on them, longer than the whole rest
// of an evaluation. jsonScanner is a small strict scanner for one flat JSON
// object a line: it walks the top-level keys and decodes only the values the
// caller asks for. Anything it does not accept is re-parsed by encoding/json
// so that the error message is the standard one.

type jsonScanner struct {
	b   []byte
	pos int
}

var errSyntax = errors.New("invalid JSON")

func (s *jsonScanner) ws() {
	for s.pos < len(s.b) {
		switch s.b[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *jsonScanner) peek() byte {
	s.ws()
	if s.pos >= len(s.b) {
		return 0
	}
	return s.b[s.pos]
}

func (s *jsonScanner) expect(c byte) error {
	if s.peek() != c {
		return errSyntax
	}
	s.pos++
	return nil
}

// rawString returns the bytes of a string token (without quotes) and
// whether it contains escapes.
func (s *jsonScanner) rawString() ([]byte, bool, error) {
	if err := s.expect('"'); err != nil {
		return nil, false, err
	}
	start, escaped := s.pos, false
	for s.pos < len(s.b) {
		c := s.b[s.pos]
		switch {
		case c == '"':
			s.pos++
			return s.b[start : s.pos-1], escaped, nil
		case c == '\\':
			// Validated here, not only when decoded: a skipped value with a
			// bad escape must fail just as encoding/json would fail on it.
			n := escapeLen(s.b[s.pos:])
			if n == 0 {
				return nil, false, errSyntax
			}
			escaped = true
			s.pos += n
		case c < 0x20:
			return nil, false, errSyntax
		default:
			s.pos++
		}
	}
	return nil, false, errSyntax
}

// escapeLen returns the length of the escape sequence at the start of b
// (which begins with a backslash), or 0 when JSON does not allow it.
func escapeLen(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if len(b) < 6 {
			return 0
		}
		for _, h := range b[2:6] {
			if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
				return 0
			}
		}
		return 6
	}
	return 0
}

// str decodes a string value.
func (s *jsonScanner) str() (string, error) {
	start := s.pos
	raw, escaped, err := s.rawString()
	if err != nil {
		return "", err
	}
	if !escaped && utf8.Valid(raw) {
		return string(raw), nil
	}
	// Escapes, or bytes that are not UTF-8 (which encoding/json, like
	// Python's reader, turns into U+FFFD): the standard decoder decides.
	var out string
	if err := json.Unmarshal(s.b[start:s.pos], &out); err != nil {
		return "", err
	}
	return out, nil
}

// number returns the bytes of a number token.
func (s *jsonScanner) number() ([]byte, error) {
	s.ws()
	start := s.pos
	for s.pos < len(s.b) {
		c := s.b[s.pos]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			s.pos++
			continue
		}
		break
	}
	if !validNumber(s.b[start:s.pos]) {
		return nil, errSyntax
	}
	return s.b[start:s.pos], nil
}

// validNumber checks JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(b []byte) bool {
	i := 0
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i, n = i+1, n+1
		}
		return n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}

// integer decodes a number that must be integral; true and false read as 1
// and 0 since some exports write the factor flags as booleans.
func (s *jsonScanner) integer() (int, error) {
	switch s.peek() {
	case 't':
		return 1, s.literal("true")
	case 'f':
		return 0, s.literal("false")
	case '0', '1':
		// the factor flags: a lone digit followed by a delimiter
		if n := s.pos + 1; n < len(s.b) && (s.b[n] == ',' || s.b[n] == '}' || s.b[n] == ' ') {
			s.pos = n
			return int(s.b[n-1] - '0'), nil
		}
	}
	tok, err := s.number()
	if err != nil {
		return 0, err
	}
	if v, err := strconv.Atoi(string(tok)); err == nil {
		return v, nil
	}
	f, err := strconv.ParseFloat(string(tok), 64)
	if err != nil || f != float64(int(f)) {
		return 0, fmt.Errorf("%s is not an integer", clip.String(string(tok)))
	}
	return int(f), nil
}

func (s *jsonScanner) literal(word string) error {
	s.ws()
	if len(s.b)-s.pos < len(word) || string(s.b[s.pos:s.pos+len(word)]) != word {
		return errSyntax
	}
	s.pos += len(word)
	return nil
}

// skip passes over any value, validating its syntax.
func (s *jsonScanner) skip() error {
	switch c := s.peek(); {
	case c == '"':
		_, _, err := s.rawString()
		return err
	case c == '{' || c == '[':
		return s.skipComposite(c)
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	default:
		_, err := s.number()
		return err
	}
}

func (s *jsonScanner) skipComposite(open byte) error {
	close := byte(']')
	if open == '{' {
		close = '}'
	}
	s.pos++
	if s.peek() == close {
		s.pos++
		return nil
	}
	for {
		if open == '{' {
			if _, _, err := s.rawString(); err != nil {
				return err
			}
			if err := s.expect(':'); err != nil {
				return err
			}
		}
		if err := s.skip(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case close:
			s.pos++
			return nil
		default:
			return errSyntax
		}
	}
}

// object walks a top-level object, calling field for each key; field must
// consume the value (or call skip).
func (s *jsonScanner) object(field func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.pos++
		return s.end()
	}
	for {
		key, escaped, err := s.rawString()
		if err != nil {
			return err
		}
		if escaped {
			var k string
			if err := json.Unmarshal(append(append([]byte{'"'}, key...), '"'), &k); err != nil {
				return err
			}
			key = []byte(k)
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := field(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return s.end()
		default:
			return errSyntax
		}
	}
}

func (s *jsonScanner) end() error {
	s.ws()
	if s.pos != len(s.b) {
		return errSyntax
	}
	return nil
}

// describeJSONError turns a scan failure into the standard library's message
// where the line is not valid JSON at all.
func describeJSONError(line []byte, err error) error {
	if !errors.Is(err, errSyntax) {
		return err
	}
	var v any
	if jerr := json.Unmarshal(line, &v); jerr != nil {
		return fmt.Errorf("malformed JSON: %w", jerr)
	}
	return errors.New("malformed JSON")
}
