package load

import (
	"errors"
	"fmt"
	"os"

	"github.com/imagenetx/imagenetx/eval"
)

// loadReal reads the ReaL labels (imagenet_real_labels.jsonl): one JSON
// array whose entry i lists the labels of ILSVRC2012_val_{i+1:08d}.JPEG. A
// missing file leaves d.Real nil, so the real error type is refused; a file
// that differs from its pin in pins is refused.
func loadReal(d *eval.Dataset, path string, pins map[string]string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := checkPin(pins, path, b); err != nil {
		return err
	}
	lists, err := parseRealLabels(b)
	if err == nil {
		err = d.SetRealLabels(lists)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func parseRealLabels(b []byte) ([][]int, error) {
	s := jsonScanner{b: b}
	var lists [][]int
	if err := s.expect('['); err != nil {
		return nil, describeJSONError(b, err)
	}
	if s.peek() == ']' {
		s.pos++
		return lists, describeJSONError(b, s.end())
	}
	for {
		list, err := s.intArray()
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", len(lists), describeJSONError(b, err))
		}
		lists = append(lists, list)
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			if err := s.end(); err != nil {
				return nil, describeJSONError(b, err)
			}
			return lists, nil
		default:
			return nil, describeJSONError(b, errSyntax)
		}
	}
}

func (s *jsonScanner) intArray() ([]int, error) {
	if err := s.expect('['); err != nil {
		return nil, err
	}
	var out []int
	if s.peek() == ']' {
		s.pos++
		return out, nil
	}
	for {
		v, err := s.integer()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return out, nil
		default:
			return nil, errSyntax
		}
	}
}
