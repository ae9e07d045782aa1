package models

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/imagenetx/imagenetx/preprocess"
)

// Set sets the named setting from text, as a user
// types it: resize and crop a size in pixels (resize 0: crop / crop_pct);
// crop_pct a fraction in (0, 1], which also makes the resize follow it;
// interpolation bilinear or bicubic; mean and std "r,g,b"; layout NCHW or
// NHWC; num_classes 1000, or 1001 for a background class at index 0. A
// later Set of the same setting replaces an earlier one.
func (s *Settings) Set(name, text string) error {
	var err error
	switch name {
	case "resize", "crop":
		var n int
		if n, err = strconv.Atoi(text); err == nil && n >= 0 {
			if name == "resize" && s.CropPct != nil && n > 0 {
				return fmt.Errorf("resize %d with crop_pct %g: crop_pct already sets the resize (crop/crop_pct); give one of them", n, *s.CropPct)
			}
			if name == "resize" {
				s.ResizeSize = &n
			} else {
				s.CropSize = &n
			}
			return nil
		}
		err = errors.New("want a size ≥ 0 in pixels")
	case "crop_pct":
		var v float64
		if v, err = strconv.ParseFloat(text, 64); err == nil && v > 0 && v <= 1 {
			if s.ResizeSize != nil && *s.ResizeSize > 0 {
				return fmt.Errorf("crop_pct %g with resize %d: crop_pct sets the resize (crop/crop_pct); give one of them", v, *s.ResizeSize)
			}
			zero := 0
			s.CropPct, s.ResizeSize = &v, &zero
			return nil
		}
		err = errors.New("want a fraction in (0, 1]")
	case "interpolation":
		var in preprocess.Interpolation
		if in, err = preprocess.ParseInterpolation(text); err == nil {
			s.Interpolation = &in
		}
	case "mean", "std":
		var v [3]float32
		if v, err = parseTriple(text); err == nil {
			if name == "mean" {
				s.Mean = &v
			} else {
				s.Std = &v
			}
		}
	case "layout":
		var l preprocess.Layout
		if l, err = ParseLayout(text); err == nil {
			s.Layout = &l
		}
	case "num_classes":
		n, off := 1000, 0
		switch text {
		case "1000":
		case "1001":
			n, off = 1001, 1
		default:
			return fmt.Errorf("%s %q: want 1000 or 1001", name, text)
		}
		s.Classes, s.LabelOffset = &n, &off
	default:
		return fmt.Errorf("no setting %q (want resize, crop, crop_pct, interpolation, mean, std, layout or num_classes)", name)
	}
	if err != nil && !strings.Contains(err.Error(), strconv.Quote(text)) {
		// Name the setting and value, unless the parser's error already
		// does (interpolation, layout): said once.
		return fmt.Errorf("%s %q: %w", name, text, err)
	}
	return err
}

// parseTriple reads "a,b,c" into three float32s.
func parseTriple(s string) ([3]float32, error) {
	var out [3]float32
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return out, errors.New("want three comma-separated numbers")
	}
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 32)
		if err != nil {
			return out, fmt.Errorf("%q is not a number", p)
		}
		out[i] = float32(v)
	}
	return out, nil
}
