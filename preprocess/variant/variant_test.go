package variant

import (
	"bytes"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

func testImage(w, h int) *pix.RGB8 {
	m := pix.New(w, h)
	for i := range m.Pix {
		m.Pix[i] = uint8(i*31 + i/5)
	}
	return m
}

func apply(t *testing.T, spec string, img *pix.RGB8, key string) *pix.RGB8 {
	t.Helper()
	c, err := Parse(spec, 7)
	if err != nil {
		t.Fatalf("%s: %v", spec, err)
	}
	out, err := c.Apply(img.Clone(), key)
	if err != nil {
		t.Fatalf("%s: %v", spec, err)
	}
	return out
}

func TestIdentities(t *testing.T) {
	img := testImage(24, 24)
	for _, spec := range []string{
		"brightness:factor=1", "contrast:factor=1", "saturation:factor=1",
		"hflip+hflip", "rotate:degrees=0", "rotate:degrees=360", "rotate:degrees=90+rotate:degrees=-90",
		"colorjitter", "crop:scale=1", "blur:kernel=1,sigma=1", "randomhflip:p=0",
	} {
		if out := apply(t, spec, img, "x"); !bytes.Equal(out.Pix, img.Pix) {
			t.Errorf("%s changed the image", spec)
		}
	}
}

// TestKnownValues pins outputs checked against torchvision 0.14.1 + Pillow 9.4.0.
func TestKnownValues(t *testing.T) {
	img := &pix.RGB8{Pix: []uint8{200, 100, 50, 0, 255, 10}, Stride: 6, W: 2, H: 1}
	cases := []struct {
		spec string
		want []uint8
	}{
		{"brightness:factor=0.5", []uint8{100, 50, 25, 0, 127, 5}},
		{"brightness:factor=2", []uint8{255, 200, 100, 0, 255, 20}},
		{"brightness:factor=0", []uint8{0, 0, 0, 0, 0, 0}},
		{"grayscale", []uint8{124, 124, 124, 151, 151, 151}}, // PIL L = (19595r + 38470g + 7471b + 0x8000) >> 16
		{"saturation:factor=0", []uint8{124, 124, 124, 151, 151, 151}},
		{"contrast:factor=0", []uint8{138, 138, 138, 138, 138, 138}}, // int(mean(124, 151) + 0.5)
		{"hflip", []uint8{0, 255, 10, 200, 100, 50}},
	}
	for _, c := range cases {
		if out := apply(t, c.spec, img, "k"); !bytes.Equal(out.Pix, c.want) {
			t.Errorf("%s = %v, want %v", c.spec, out.Pix, c.want)
		}
	}
}

func TestHSVRoundTrip(t *testing.T) {
	// PIL's 8-bit HSV quantises hue, so the round trip is close, not exact.
	for r := 0; r < 256; r += 15 {
		for g := 0; g < 256; g += 15 {
			for b := 0; b < 256; b += 15 {
				h, s, v := rgbToHSV(uint8(r), uint8(g), uint8(b))
				r2, g2, b2 := hsvToRGB(h, s, v)
				if abs(int(r2)-r) > 8 || abs(int(g2)-g) > 8 || abs(int(b2)-b) > 8 {
					t.Fatalf("rgb(%d,%d,%d) -> hsv(%d,%d,%d) -> rgb(%d,%d,%d)", r, g, b, h, s, v, r2, g2, b2)
				}
			}
		}
	}
	if hueShift(-0.25) != 193 || hueShift(0.1) != 25 {
		t.Errorf("hue shifts %d %d, want numpy's 193 25", hueShift(-0.25), hueShift(0.1))
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func TestRandomStepsDependOnlyOnSeedAndKey(t *testing.T) {
	img := testImage(40, 40)
	spec := "colorjitter:brightness=0.5,contrast=0.5,saturation=0.5,hue=0.2+crop:scale=0.3+randomrotate:degrees=30"
	a := apply(t, spec, img, "ILSVRC2012_val_00000001.JPEG")
	b := apply(t, spec, img, "ILSVRC2012_val_00000001.JPEG")
	c := apply(t, spec, img, "ILSVRC2012_val_00000002.JPEG")
	if !bytes.Equal(a.Pix, b.Pix) {
		t.Error("same seed and key gave different results")
	}
	if bytes.Equal(a.Pix, c.Pix) {
		t.Error("different keys gave the same random result")
	}
	if a.W != 40 || a.H != 40 || c.W != 40 {
		t.Errorf("random steps changed the size to %dx%d", a.W, a.H)
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		"":                             "empty",
		"sharpen":                      "unknown step",
		"brightness":                   "missing parameter",
		"brightness:factor=-1":         "must be >= 0",
		"brightness:factor=x":          "invalid syntax",
		"brightness:level=1":           "unknown parameter",
		"brightness:factor=1,factor=2": "given twice",
		"hue:factor=0.7":               "[-0.5, 0.5]",
		"blur:kernel=4,sigma=1":        "odd integer",
		"blur:kernel=5,sigma=0":        "sigma",
		"crop:scale=0":                 "(0, 1]",
		"randomgrayscale:p=2":          "[0, 1]",
		"hflip+":                       "step 2",
		"rotate:degrees=NaN":           "finite",
	}
	for spec, want := range cases {
		_, err := Parse(spec, 0)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) error %v, want it to mention %q", spec, err, want)
		}
	}
}

func TestBlurNeedsRoom(t *testing.T) {
	c, err := Parse("blur:kernel=9,sigma=2", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Apply(testImage(3, 3), "k"); err == nil {
		t.Error("9-wide kernel on a 3x3 image accepted")
	}
}

func TestFamilies(t *testing.T) {
	img := testImage(32, 32)
	for _, name := range append(Families(), "zoom", "gaussian_blur") {
		if spec, err := Family(name, 0); err != nil || spec != "" {
			t.Errorf("%s at 0 = %q, %v; want the identity", name, spec, err)
		}
		for _, s := range []float64{0.25, 1} {
			ch, err := FamilyChain(name, s, 1)
			if err != nil {
				t.Fatalf("%s at %v: %v", name, s, err)
			}
			if _, err := ch.Apply(img.Clone(), "k"); err != nil {
				t.Errorf("%s at %v: %v", name, s, err)
			}
		}
	}
	if _, err := Family("colorjitter", 1.5); err == nil {
		t.Error("strength 1.5 accepted")
	}
	if _, err := Family("posterize", 0.5); err == nil {
		t.Error("unknown family accepted")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"brightness:factor=1.5", "blur:kernel=9,sigma=2+hflip", "colorjitter:hue=0.1", "crop:scale=0.5", "rotate:degrees=-15"} {
		f.Add(s)
	}
	img := testImage(12, 12)
	f.Fuzz(func(t *testing.T, spec string) {
		c, err := Parse(spec, 3)
		if err != nil {
			return
		}
		out, err := c.Apply(img.Clone(), "k")
		if err != nil {
			return // e.g. a kernel too large for the image
		}
		if out.W != 12 || out.H != 12 || len(out.Pix) < 12*12*3 {
			t.Fatalf("%q produced %dx%d", spec, out.W, out.H)
		}
	})
}
