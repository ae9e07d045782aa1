package eval

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// loadReal reads the ReaL labels: one JSON array whose entry i lists the
// labels of ILSVRC2012_val_{i+1:08d}.JPEG. Images without an entry (the train
// partition, other names) get none, so no prediction of theirs is correct,
// as in the reference. A missing file leaves d.Real nil.
func (d *Dataset) loadReal(path string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	lists, err := parseRealLabels(b)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	d.Real = make([][]int, len(d.Images))
	for i := range d.Images {
		if n, ok := valIndex(d.Images[i].FileName); ok && n < len(lists) {
			d.Real[i] = lists[n]
		}
	}
	return nil
}

// valIndex returns i for ILSVRC2012_val_{i+1:08d}.JPEG.
func valIndex(name string) (int, bool) {
	const prefix, suffix = "ILSVRC2012_val_", ".JPEG"
	if !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, suffix) {
		return 0, false
	}
	n, err := strconv.Atoi(name[len(prefix) : len(name)-len(suffix)])
	if err != nil || n < 1 {
		return 0, false
	}
	return n - 1, true
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
		for _, c := range list {
			if c < 0 || c >= NumClasses {
				return nil, fmt.Errorf("entry %d: label %d outside 0..%d", len(lists), c, NumClasses-1)
			}
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
