package resample

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// referenceResize is Pillow's ImagingResample for 8-bit RGB written as
// plainly as Resample.c: a horizontal pass over every row, then a vertical
// pass, one tap at a time, from the unpadded coefficients. The optimised
// passes must give the same bytes.
func referenceResize(src *pix.RGB8, w, h int, f pix.Interpolation) *pix.RGB8 {
	const half = 1 << (precisionBits - 1)
	tmp := src
	if w != src.W {
		hz := computeAxis(src.W, w, f)
		tmp = pix.New(w, src.H)
		for y := 0; y < src.H; y++ {
			for x := 0; x < w; x++ {
				m, k := hz.taps(x)
				for c := 0; c < 3; c++ {
					ss := int32(half)
					for t, kv := range k {
						ss += int32(src.Row(y)[3*(m+t)+c]) * kv
					}
					tmp.Row(y)[3*x+c] = clip8(ss)
				}
			}
		}
	}
	if h == src.H {
		return tmp.Clone()
	}
	vt := computeAxis(src.H, h, f)
	out := pix.New(w, h)
	for y := 0; y < h; y++ {
		m, k := vt.taps(y)
		for i := 0; i < 3*w; i++ {
			ss := int32(half)
			for t, kv := range k {
				ss += int32(tmp.Row(m + t)[i]) * kv
			}
			out.Row(y)[i] = clip8(ss)
		}
	}
	return out
}

// TestResizeMatchesReference compares Resize and ResizeWindow with the
// plain transcription on random images: shrinking and enlarging, by little
// and by much (up to 16 taps a side), tiny images, both filters, and
// windows reaching past the edges.
func TestResizeMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	sizes := [][2]int{{1, 1}, {2, 3}, {5, 4}, {7, 1}}
	for range 40 {
		sizes = append(sizes, [2]int{1 + rng.IntN(120), 1 + rng.IntN(120)})
	}
	var s Scratch
	for _, in := range sizes {
		src := pix.New(in[0], in[1])
		for i := range src.Pix {
			src.Pix[i] = uint8(rng.IntN(256))
		}
		for range 4 {
			w, h := 1+rng.IntN(2*in[0]+8), 1+rng.IntN(2*in[1]+8)
			if rng.IntN(4) == 0 { // shrink by up to 8x
				w, h = max(1, in[0]/(1+rng.IntN(8))), max(1, in[1]/(1+rng.IntN(8)))
			}
			for _, f := range []pix.Interpolation{pix.Bilinear, pix.Bicubic} {
				name := fmt.Sprintf("%dx%d -> %dx%d %v", in[0], in[1], w, h, f)
				want := referenceResize(src, w, h, f)
				got, err := Resize(nil, src, w, h, f, &s)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if !bytes.Equal(got.Pix, want.Pix) {
					t.Fatalf("%s: differs from the reference", name)
				}
				win := Window{X: rng.IntN(w+4) - 2, Y: rng.IntN(h+4) - 2, W: 1 + rng.IntN(w), H: 1 + rng.IntN(h)}
				part, err := ResizeWindow(nil, src, w, h, f, win, &s)
				if err != nil {
					t.Fatalf("%s window %+v: %v", name, win, err)
				}
				for y := 0; y < win.H; y++ {
					for x := 0; x < win.W; x++ {
						wantPx := []uint8{0, 0, 0}
						if fx, fy := win.X+x, win.Y+y; fx >= 0 && fy >= 0 && fx < w && fy < h {
							wantPx = want.Row(fy)[3*fx : 3*fx+3]
						}
						if got := part.Row(y)[3*x : 3*x+3]; !bytes.Equal(got, wantPx) {
							t.Fatalf("%s window %+v: pixel (%d,%d) = %v, want %v", name, win, x, y, got, wantPx)
						}
					}
				}
			}
		}
	}
}
