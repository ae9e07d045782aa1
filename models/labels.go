package models

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
)

// ReadFileLabels reads ImageNet-X's filename_label.csv (file_name,label)
// into a map from file name to class, validating every row.
func ReadFileLabels(path string) (map[string]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = 2
	cr.ReuseRecord = true
	hdr, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if hdr[0] != "file_name" || hdr[1] != "label" {
		return nil, fmt.Errorf("%s:1: header %q, want file_name,label", path, hdr)
	}
	labels := map[string]int{}
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
			return nil, fmt.Errorf("%s:%d: label %q is not a class in 0..999", path, line, rec[1])
		}
		if _, dup := labels[rec[0]]; dup {
			return nil, fmt.Errorf("%s:%d: %s listed twice", path, line, rec[0])
		}
		labels[rec[0]] = c
	}
}
