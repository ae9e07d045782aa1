// Package pix holds the packed 8-bit RGB image type shared by the
// preprocessing packages (decode, resample, variants), kept in its own
// package so that those packages can depend on it without import cycles.
package pix

import (
	"fmt"
	"image"
)

// RGB8 is a packed 8-bit RGB image: 3 bytes a pixel, rows Stride bytes apart.
// It is what a PIL image in mode "RGB" holds, without PIL's 4th padding byte.
type RGB8 struct {
	Pix    []uint8
	Stride int
	W, H   int
	// Reduced is set when the image holds its file's picture at a reduced
	// size (a JPEG decoded with DCT scaling), so that resizing can map it
	// onto the full-size picture's geometry; zero for a full-size image.
	Reduced Reduction
}

// Reduction describes an image decoded at Num/8 of its file's FileW×FileH
// size. The decoder rounds the size up, so the picture spans FileW*Num/8
// of the image's columns (a fraction of a pixel less than W) and
// FileH*Num/8 of its rows. The zero value means full size.
type Reduction struct{ FileW, FileH, Num int }

// FileSize is the size of the picture the image was decoded from: W×H
// unless the image is Reduced.
func (m *RGB8) FileSize() (w, h int) { return m.Reduced.FileSize(m.W, m.H) }

// FileSize is the size of the picture a w×h image reduced by r was decoded
// from: w×h when r is zero.
func (r Reduction) FileSize(w, h int) (int, int) {
	if r.Num > 0 {
		return r.FileW, r.FileH
	}
	return w, h
}

// Extent is how many of the image's columns and rows the whole picture
// spans: W and H, or less for a Reduced image (see Reduction).
func (m *RGB8) Extent() (w, h float64) { return m.Reduced.Extent(m.W, m.H) }

// Extent is how many columns and rows of a w×h image reduced by r the
// picture spans: w and h when r is zero.
func (r Reduction) Extent(w, h int) (float64, float64) {
	if r.Num > 0 {
		return float64(r.FileW*r.Num) / 8, float64(r.FileH*r.Num) / 8
	}
	return float64(w), float64(h)
}

// New returns a zeroed w×h image with a tight stride.
func New(w, h int) *RGB8 {
	return &RGB8{Pix: make([]uint8, w*h*3), Stride: w * 3, W: w, H: h}
}

// Reuse returns a full-size (not Reduced) image of size w×h, reusing dst's
// pixel buffer when it is large enough (contents are then undefined); dst
// may be nil.
func Reuse(dst *RGB8, w, h int) *RGB8 {
	n := w * h * 3
	if dst == nil {
		dst = &RGB8{}
	}
	if cap(dst.Pix) < n {
		dst.Pix = make([]uint8, n)
	}
	dst.Pix = dst.Pix[:n]
	dst.Stride, dst.W, dst.H = w*3, w, h
	dst.Reduced = Reduction{}
	return dst
}

// Row returns the 3*W bytes of row y.
func (m *RGB8) Row(y int) []uint8 {
	o := y * m.Stride
	return m.Pix[o : o+3*m.W : o+3*m.W]
}

// Validate reports whether the image's fields describe its buffer.
func (m *RGB8) Validate() error {
	if m == nil {
		return fmt.Errorf("nil image")
	}
	if m.W <= 0 || m.H <= 0 {
		return fmt.Errorf("image size %dx%d: must be positive", m.W, m.H)
	}
	if m.Stride < 3*m.W {
		return fmt.Errorf("image stride %d < 3*width %d", m.Stride, 3*m.W)
	}
	if need := (m.H-1)*m.Stride + 3*m.W; len(m.Pix) < need {
		return fmt.Errorf("image buffer %d bytes < %d needed for %dx%d stride %d", len(m.Pix), need, m.W, m.H, m.Stride)
	}
	return nil
}

// Clone returns a tightly packed copy of m.
func (m *RGB8) Clone() *RGB8 {
	out := New(m.W, m.H)
	for y := 0; y < m.H; y++ {
		copy(out.Row(y), m.Row(y))
	}
	return out
}

// NRGBA returns a copy of m as an opaque *image.NRGBA, for Go's image
// libraries.
func (m *RGB8) NRGBA() *image.NRGBA {
	out := image.NewNRGBA(image.Rect(0, 0, m.W, m.H))
	for y := 0; y < m.H; y++ {
		row, o := m.Row(y), out.Pix[y*out.Stride:]
		for x := 0; x < m.W; x++ {
			o[4*x], o[4*x+1], o[4*x+2], o[4*x+3] = row[3*x], row[3*x+1], row[3*x+2], 0xFF
		}
	}
	return out
}

// Interpolation selects a resampling filter, as PIL's Image.resize resample argument.
type Interpolation int

const (
	// Bilinear is PIL's Image.BILINEAR (a triangle filter, antialiased when shrinking).
	Bilinear Interpolation = iota
	// Bicubic is PIL's Image.BICUBIC (Keys cubic, a = -0.5, antialiased when shrinking).
	Bicubic
	// Box is PIL's Image.BOX (each output pixel the mean of the input pixels
	// it covers). No model preprocesses with it, so ParseInterpolation does
	// not accept it; the pixelate corruption resizes with it.
	Box
)

// ParseInterpolation parses "bilinear" or "bicubic".
func ParseInterpolation(s string) (Interpolation, error) {
	switch s {
	case "bilinear":
		return Bilinear, nil
	case "bicubic":
		return Bicubic, nil
	}
	return 0, fmt.Errorf("interpolation %q: want bilinear or bicubic", s)
}

// String returns the name ParseInterpolation accepts.
func (i Interpolation) String() string {
	switch i {
	case Bilinear:
		return "bilinear"
	case Bicubic:
		return "bicubic"
	case Box:
		return "box"
	}
	return fmt.Sprintf("Interpolation(%d)", int(i))
}
