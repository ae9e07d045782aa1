package corrupt_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/preprocess/pix"
	"github.com/imagenetx/imagenetx/preprocess/variant/corrupt"
)

// TestOddSizesAndBadInput runs every corruption at every severity on
// images far from 224×224 (one pixel, one row, a padded stride): each gives
// an image of the same size or an error, never a panic; a bad image, a bad
// severity or a missing random source, codec or overlay set is an error
// that names the corruption.
func TestOddSizesAndBadInput(t *testing.T) {
	e := corrupt.Env{Rand: rand.New(rand.NewPCG(3, 4)), JPEG: jpegRoundTrip}
	sizes := [][2]int{{1, 1}, {2, 3}, {5, 1}, {1, 7}, {33, 17}}
	for _, c := range corrupt.All() {
		if c.Name == "frost" {
			continue // needs the overlays: below and in the reference tests
		}
		for _, sz := range sizes {
			for s := 1; s <= 5; s++ {
				img := pix.New(sz[0], sz[1])
				for i := range img.Pix {
					img.Pix[i] = uint8(i * 37)
				}
				out, err := corrupt.Apply(c.Name, img, s, e)
				if err != nil {
					continue
				}
				if out.W != sz[0] || out.H != sz[1] {
					t.Errorf("%s %d on %dx%d: output %dx%d", c.Name, s, sz[0], sz[1], out.W, out.H)
				}
			}
		}
		// A padded stride reads the same pixels as the packed image.
		if !c.Random {
			packed := gradientImg(20, 12, 0)
			padded := gradientImg(20, 12, 9)
			a, err1 := corrupt.Apply(c.Name, packed, 2, e)
			b, err2 := corrupt.Apply(c.Name, padded, 2, e)
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: %v, %v", c.Name, err1, err2)
			}
			for y := range a.H {
				if string(a.Row(y)) != string(b.Row(y)) {
					t.Errorf("%s: row %d differs with a padded stride", c.Name, y)
					break
				}
			}
		}
	}
	bad := []struct {
		name string
		img  *pix.RGB8
		sev  int
		env  corrupt.Env
		want string
	}{
		{"fog", nil, 1, e, "nil image"},
		{"fog", &pix.RGB8{W: 4, H: 4, Stride: 12, Pix: make([]uint8, 10)}, 1, e, "buffer"},
		{"fog", pix.New(8, 8), 0, e, "severity 0"},
		{"contrast", pix.New(8, 8), 6, e, "severity 6"},
		{"shot_noise", pix.New(8, 8), 1, corrupt.Env{}, "no random source"},
		{"jpeg_compression", pix.New(8, 8), 1, corrupt.Env{}, "no JPEG codec"},
		{"frost", pix.New(8, 8), 1, corrupt.Env{Rand: e.Rand}, "overlays not loaded"},
		{"haze", pix.New(8, 8), 1, e, "unknown corruption"},
	}
	for _, b := range bad {
		_, err := corrupt.Apply(b.name, b.img, b.sev, b.env)
		if err == nil || !strings.Contains(err.Error(), b.want) || !strings.Contains(err.Error(), b.name) {
			t.Errorf("%s severity %d: error %v, want one naming %s and saying %q", b.name, b.sev, err, b.name, b.want)
		}
	}
}

func gradientImg(w, h, pad int) *pix.RGB8 {
	m := &pix.RGB8{W: w, H: h, Stride: 3*w + pad, Pix: make([]uint8, (3*w+pad)*h)}
	for y := range h {
		row := m.Row(y)
		for i := range row {
			row[i] = uint8(i*5 + y*11)
		}
	}
	return m
}
