package resample

import (
	"bytes"
	"runtime"
	"slices"
	"testing"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

func testImage(w, h int) *pix.RGB8 {
	m := pix.New(w, h)
	for i := range m.Pix {
		m.Pix[i] = uint8(i*37 + i/7)
	}
	return m
}

// TestWindowMatchesFullResize checks that computing only a window gives the
// same pixels as resizing everything and cropping, padding included.
func TestWindowMatchesFullResize(t *testing.T) {
	src := testImage(53, 41)
	for _, f := range []pix.Interpolation{pix.Bilinear, pix.Bicubic} {
		for _, sz := range [][2]int{{20, 15}, {53, 30}, {70, 41}, {100, 90}} {
			full, err := Resize(nil, src, sz[0], sz[1], f, nil)
			if err != nil {
				t.Fatal(err)
			}
			win := Window{X: 3, Y: -2, W: sz[0] - 1, H: sz[1] + 3}
			got, err := ResizeWindow(nil, src, sz[0], sz[1], f, win, &Scratch{})
			if err != nil {
				t.Fatal(err)
			}
			for y := 0; y < win.H; y++ {
				for x := 0; x < win.W; x++ {
					want := []uint8{0, 0, 0}
					if fx, fy := x+win.X, y+win.Y; fx >= 0 && fx < full.W && fy >= 0 && fy < full.H {
						want = full.Pix[fy*full.Stride+3*fx : fy*full.Stride+3*fx+3]
					}
					if p := got.Pix[y*got.Stride+3*x : y*got.Stride+3*x+3]; !bytes.Equal(p, want) {
						t.Fatalf("%v %v window (%d,%d) = %v, want %v", f, sz, x, y, p, want)
					}
				}
			}
		}
	}
}

func TestIdentityAndAverage(t *testing.T) {
	src := testImage(11, 9)
	same, err := Resize(nil, src, 11, 9, pix.Bicubic, nil)
	if err != nil || !bytes.Equal(same.Pix, src.Pix) {
		t.Fatalf("same-size resize changed the image: %v", err)
	}
	// Halving 2x1 -> 1x1 bilinear averages the two pixels with Pillow's rounding.
	two := &pix.RGB8{Pix: []uint8{10, 0, 255, 21, 1, 254}, Stride: 6, W: 2, H: 1}
	one, err := Resize(nil, two, 1, 1, pix.Bilinear, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint8{16, 1, 255}; !bytes.Equal(one.Pix, want) { // 15.5 -> 16, 0.5 -> 1, 254.5 -> 255
		t.Errorf("2->1 average = %v, want %v", one.Pix, want)
	}
}

// TestCoefficients pins Pillow's coefficients for 4 -> 3 bilinear: support
// 4/3, so every output reads three inputs.
func TestCoefficients(t *testing.T) {
	a := computeAxis(4, 3, pix.Bilinear)
	for i := 0; i < 3; i++ {
		_, k := a.taps(i)
		sum := int32(0)
		for _, v := range k {
			sum += v
		}
		if d := sum - 1<<precisionBits; d < -2 || d > 2 {
			t.Errorf("output %d coefficients %v sum to %d, want ~%d", i, k, sum, 1<<precisionBits)
		}
	}
	if m, k := a.taps(0); m != 0 || len(k) != 2 {
		t.Errorf("output 0 reads from %d with %d taps, want 0 and 2", m, len(k))
	}
}

func TestResizeErrors(t *testing.T) {
	src := testImage(4, 4)
	if _, err := Resize(nil, src, 0, 3, pix.Bilinear, nil); err == nil {
		t.Error("zero width accepted")
	}
	if _, err := Resize(nil, &pix.RGB8{W: 2, H: 2, Stride: 6}, 1, 1, pix.Bilinear, nil); err == nil {
		t.Error("short buffer accepted")
	}
	if _, err := Resize(nil, src, 2, 2, pix.Interpolation(9), nil); err == nil {
		t.Error("unknown interpolation accepted")
	}
}

// TestAxisRangeEqualsWholeAxis checks that coefficients computed for a
// range of output indices equal the whole axis's, which is what lets very
// long axes be computed only where a crop window reads them.
func TestAxisRangeEqualsWholeAxis(t *testing.T) {
	for _, c := range []struct{ in, out, lo, hi int }{{1, 700, 300, 400}, {5000, 256, 16, 240}, {333, 333, 0, 333}, {7, 4000, 3999, 4000}} {
		for _, f := range []pix.Interpolation{pix.Bilinear, pix.Bicubic} {
			whole, part := computeAxis(c.in, c.out, f), computeAxisRange(c.in, c.out, f, c.lo, c.hi)
			for i := c.lo; i < c.hi; i++ {
				m1, k1 := whole.taps(i)
				m2, k2 := part.taps(i)
				if m1 != m2 || !slices.Equal(k1, k2) {
					t.Fatalf("%+v %v output %d: range gives %d %v, whole axis %d %v", c, f, i, m2, k2, m1, k1)
				}
			}
		}
	}
}

// TestResizeWindowOfHugeAxis resizes a 1×100000 column to 256 wide, as
// Resize(256) does (25.6M rows): only the crop window's coefficients are
// computed, and a constant image stays constant.
func TestResizeWindowOfHugeAxis(t *testing.T) {
	src := pix.New(1, 100000)
	for i := range src.Pix {
		src.Pix[i] = 77
	}
	win := Window{X: 16, Y: 25600000/2 - 112, W: 224, H: 224}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	out, err := ResizeWindow(nil, src, 256, 25600000, pix.Bilinear, win, nil)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range out.Pix {
		if v != 77 {
			t.Fatalf("byte %d = %d, want 77", i, v)
		}
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 16<<20 {
		t.Errorf("allocated %d bytes for a 224x224 window", n)
	}
}
