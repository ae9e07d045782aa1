package main

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/preprocess/npy"
)

// TestPreprocessCommandGolden runs the command on a real image and compares
// its .npy output with the torchvision references.
func TestPreprocessCommandGolden(t *testing.T) {
	golden := shareddata.Require(t, "golden")
	img := filepath.Join(shareddata.Require(t, "images", "val_orig"), "ILSVRC2012_val_00000001.JPEG")
	cases := []struct {
		args []string
		ref  string
	}{
		{nil, "ILSVRC2012_val_00000001__tensor.npy"},
		{[]string{"--uint8", "--interpolation", "bicubic"}, "ILSVRC2012_val_00000001__bicubic.npy"},
		{[]string{"--uint8", "--resize", "232"}, "ILSVRC2012_val_00000001__bilinear_232.npy"},
		{[]string{"--uint8", "--variant", "hue:factor=-0.25"}, "ILSVRC2012_val_00000001__hue_factor-0.25.npy"},
	}
	for _, c := range cases {
		out := filepath.Join(t.TempDir(), "out.npy")
		args := append([]string{"--image", img, "-o", out}, c.args...)
		if err := invoke(context.Background(), "preprocess", args); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		got, err := npy.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		want, err := npy.ReadFile(filepath.Join(golden, c.ref))
		if err != nil {
			t.Fatal(err)
		}
		if !sameArray(got, want) {
			t.Errorf("%v: output differs from %s (shapes %v vs %v)", c.args, c.ref, got.Shape, want.Shape)
		}
	}
}

func sameArray(a, b *npy.Array) bool {
	if len(a.Shape) != len(b.Shape) || len(a.U8) != len(b.U8) || len(a.F32) != len(b.F32) {
		return false
	}
	for i := range a.Shape {
		if a.Shape[i] != b.Shape[i] {
			return false
		}
	}
	for i := range a.U8 {
		if a.U8[i] != b.U8[i] {
			return false
		}
	}
	for i := range a.F32 {
		if math.Float32bits(a.F32[i]) != math.Float32bits(b.F32[i]) {
			return false
		}
	}
	return true
}

func TestPreprocessCommandErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-o", "x.npy"}, "--image FILE is required"},
		{[]string{"--image", "a.jpg"}, "-o OUT.npy is required"},
		{[]string{"--image", "a.jpg", "-o", "x", "--interpolation", "nearest"}, "want bilinear or bicubic"},
		{[]string{"--image", "a.jpg", "-o", "x", "--mean", "1,2"}, "three comma-separated"},
		{[]string{"--image", "a.jpg", "-o", "x", "--std", "1,0,1"}, "std[1]"},
		{[]string{"--image", "a.jpg", "-o", "x", "--variant", "sharpen"}, "unknown step"},
		{[]string{"--image", filepath.Join(dir, "missing.jpg"), "-o", filepath.Join(dir, "x.npy")}, "missing.jpg"},
	}
	for _, c := range cases {
		err := invoke(context.Background(), "preprocess", c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want it to mention %q", c.args, err, c.want)
		}
	}
}

// TestStrictDecodeFlagEverywhere checks that every command that decodes
// images (report for its thumbnails) takes --strict-decode: flag parsing stops at the unknown flag
// after it, never at --strict-decode itself.
func TestStrictDecodeFlagEverywhere(t *testing.T) {
	for _, name := range []string{"run", "audit", "sweep", "preprocess", "report"} {
		err := invoke(context.Background(), name, []string{"--strict-decode", "--no-such-flag"})
		if err == nil || strings.Contains(err.Error(), "strict-decode") || !strings.Contains(err.Error(), "no-such-flag") {
			t.Errorf("%s --strict-decode: %v", name, err)
		}
	}
}
