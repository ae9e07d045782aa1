package models

import (
	"strconv"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/preprocess"
)

func TestSettingsSet(t *testing.T) {
	var s Settings
	for _, kv := range [][2]string{{"resize", "232"}, {"crop", "224"}, {"interpolation", "bicubic"}, {"mean", "0.5, 0.5,0.5"},
		{"std", "1,2,3"}, {"layout", "nhwc"}, {"num_classes", "1001"}} {
		if err := s.Set(kv[0], kv[1]); err != nil {
			t.Fatalf("%s %s: %v", kv[0], kv[1], err)
		}
	}
	if *s.ResizeSize != 232 || *s.CropSize != 224 || *s.Interpolation != preprocess.Bicubic || *s.Mean != [3]float32{0.5, 0.5, 0.5} ||
		*s.Std != [3]float32{1, 2, 3} || *s.Layout != preprocess.NHWC || *s.Classes != 1001 || *s.LabelOffset != 1 || s.CropPct != nil {
		t.Fatalf("%+v", s)
	}
	// crop_pct and an explicit resize contradict each other, in either
	// order: crop_pct sets the resize.
	if err := s.Set("crop_pct", "0.875"); err == nil || !strings.Contains(err.Error(), "give one of them") {
		t.Fatalf("crop_pct after resize 232: %v", err)
	}
	both := Settings{}
	if err := both.Set("crop_pct", "0.9"); err != nil {
		t.Fatal(err)
	}
	if err := both.Set("resize", "256"); err == nil || !strings.Contains(err.Error(), "crop_pct 0.9") {
		t.Fatalf("resize after crop_pct: %v", err)
	}
	// crop_pct makes the resize follow it; the setting applies to a bare
	// configuration as to a model's.
	s.ResizeSize = nil
	if err := s.Set("crop_pct", "0.875"); err != nil || *s.ResizeSize != 0 || *s.CropPct != 0.875 {
		t.Fatalf("crop_pct: %v, %+v", err, s)
	}
	cfg := s.ApplyPreprocess(preprocess.DefaultConfig())
	if cfg.Resize() != 256 || cfg.CropSize != 224 || cfg.Interpolation != preprocess.Bicubic {
		t.Fatalf("applied: %+v (resize %d)", cfg, cfg.Resize())
	}
	for _, kv := range [][3]string{
		{"resize", "-1", "want a size"}, {"crop", "x", "want a size"}, {"crop_pct", "1.5", "(0, 1]"}, {"crop_pct", "0", "(0, 1]"},
		{"interpolation", "nearest", "bilinear or bicubic"}, {"mean", "1,2", "three comma-separated"}, {"std", "1,x,3", `"x" is not a number`},
		{"layout", "CHW", "NCHW or NHWC"}, {"num_classes", "10", "1000 or 1001"}, {"gamma", "2", "no setting"},
	} {
		// The setting and its value are named once (the parsers of
		// interpolation and layout name them already).
		if err := s.Set(kv[0], kv[1]); err == nil || !strings.Contains(err.Error(), kv[2]) || (kv[0] != "gamma" && !strings.Contains(err.Error(), kv[0])) ||
			strings.Count(err.Error(), strconv.Quote(kv[1])) > 1 {
			t.Errorf("%s %q: %v, want %q", kv[0], kv[1], err, kv[2])
		}
	}
}
