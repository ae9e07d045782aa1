package models

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/imagenetx/imagenetx/internal/clip"
)

// ReadFileLabels reads ImageNet-X's filename_label.csv (file_name,label)
// into a map from file name to class, validating every row.
func ReadFileLabels(path string) (map[string]int, error) {
	return ReadLabels(path, nil)
}

// ReadLabels reads a labels CSV, file_name,label, into a map from file
// name to class: each label is a class index (0..999) or, when wnids maps
// WordNet ids to classes, a wnid (n01440764). Every row is validated; a
// file name listed twice is an error naming both lines.
func ReadLabels(path string, wnids map[string]int) (map[string]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLabels(f, path, wnids)
}

func readLabels(r io.Reader, path string, wnids map[string]int) (map[string]int, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 2
	cr.ReuseRecord = true
	hdr, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if strings.TrimPrefix(hdr[0], "\ufeff") != "file_name" || hdr[1] != "label" {
		return nil, fmt.Errorf("%s:1: header %s, want file_name,label", path, clip.Quotes(hdr))
	}
	labels := map[string]int{}
	lines := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return labels, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		line, _ := cr.FieldPos(0)
		c, err := strconv.Atoi(rec[1])
		if err != nil || c < 0 || c >= 1000 {
			var ok bool
			if c, ok = wnids[rec[1]]; !ok {
				want := "a class in 0..999"
				if wnids != nil {
					want += " or an ImageNet wnid (e.g. n01440764)"
				}
				return nil, fmt.Errorf("%s:%d: label %s is not %s", path, line, clip.Quote(rec[1]), want)
			}
		}
		if prev, dup := lines[rec[0]]; dup {
			return nil, fmt.Errorf("%s:%d: %s listed twice (first on line %d)", path, line, clip.String(rec[0]), prev)
		}
		labels[rec[0]], lines[rec[0]] = c, line
	}
}
