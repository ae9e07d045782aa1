package resample

import (
	"fmt"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// Window is a rectangle of the resized image: X, Y may be negative and the
// window may reach past the resized image; pixels outside it are zero (like
// torchvision's CenterCrop padding).
type Window struct{ X, Y, W, H int }

// Scratch holds the intermediate buffers of one resize so that repeated calls
// allocate nothing. A Scratch must not be used by two goroutines at once.
type Scratch struct {
	tmp []uint8
	acc []int32
}

// Resize resizes src to w×h exactly as PIL's Image.resize((w, h), f).
func Resize(dst, src *pix.RGB8, w, h int, f pix.Interpolation, s *Scratch) (*pix.RGB8, error) {
	return ResizeWindow(dst, src, w, h, f, Window{0, 0, w, h}, s)
}

// ResizeWindow returns the window win of src resized to w×h as PIL's
// Image.resize((w, h), f) would, computing only the pixels in the window.
// dst is reused when large enough; s may be nil. A Reduced src is resized
// from the part its picture spans (src.Extent()), as Pillow's
// Image.resize((w, h), f, box=(0, 0, extentW, extentH)) would, so that the
// result has the geometry of the full-size picture resized to w×h.
func ResizeWindow(dst, src *pix.RGB8, w, h int, f pix.Interpolation, win Window, s *Scratch) (*pix.RGB8, error) {
	if err := src.Validate(); err != nil {
		return nil, fmt.Errorf("resize: %w", err)
	}
	if w <= 0 || h <= 0 || win.W <= 0 || win.H <= 0 {
		return nil, fmt.Errorf("resize %dx%d to %dx%d window %+v: sizes must be positive", src.W, src.H, w, h, win)
	}
	if f != pix.Bilinear && f != pix.Bicubic && f != pix.Box {
		return nil, fmt.Errorf("resize: unsupported interpolation %v", f)
	}
	if s == nil {
		s = &Scratch{}
	}
	dst = pix.Reuse(dst, win.W, win.H)
	x0, x1 := max(win.X, 0), min(win.X+win.W, w)
	y0, y1 := max(win.Y, 0), min(win.Y+win.H, h)
	if x0 > win.X || y0 > win.Y || x1 < win.X+win.W || y1 < win.Y+win.H {
		clear(dst.Pix)
	}
	if x0 >= x1 || y0 >= y1 {
		return dst, nil
	}
	// Horizontal pass over the input rows the vertical pass reads.
	ew, eh := src.Extent()
	var vert *axis
	rowLo, rowHi := y0, y1
	if h != src.H || eh != float64(src.H) {
		vert = coeffs(src.H, eh, h, f, y0, y1)
		rowLo, rowHi = vert.span(y0, y1)
	}
	tmp, tstride := horizontal(src, ew, w, f, x0, x1, rowLo, rowHi, s)
	// Vertical pass writes into the window's part of dst.
	out := dst.Pix[(y0-win.Y)*dst.Stride+(x0-win.X)*3:]
	if vert == nil {
		for y := y0; y < y1; y++ {
			copy(out[(y-y0)*dst.Stride:(y-y0)*dst.Stride+(x1-x0)*3], tmp[(y-rowLo)*tstride:])
		}
		return dst, nil
	}
	vertical(out, dst.Stride, tmp, tstride, vert, rowLo, y0, y1, (x1-x0)*3, s)
	return dst, nil
}

// Source returns the rectangle [x0, x1) × [y0, y1) of a srcW×srcH image
// that ResizeWindow reads to compute the window win of its w×h resize:
// pixels outside it do not change the result, so a decoder may leave them
// out. It is empty when the window lies wholly outside the resized image,
// and the whole image when the sizes are invalid (ResizeWindow then fails).
func Source(srcW, srcH, w, h int, f pix.Interpolation, win Window) (x0, y0, x1, y1 int) {
	return SourceReduced(srcW, srcH, pix.Reduction{}, w, h, f, win)
}

// SourceReduced is Source for a srcW×srcH image Reduced by r.
func SourceReduced(srcW, srcH int, r pix.Reduction, w, h int, f pix.Interpolation, win Window) (x0, y0, x1, y1 int) {
	if srcW <= 0 || srcH <= 0 || w <= 0 || h <= 0 || (f != pix.Bilinear && f != pix.Bicubic && f != pix.Box) {
		return 0, 0, max(srcW, 0), max(srcH, 0)
	}
	ox0, ox1 := max(win.X, 0), min(win.X+win.W, w)
	oy0, oy1 := max(win.Y, 0), min(win.Y+win.H, h)
	if ox0 >= ox1 || oy0 >= oy1 {
		return 0, 0, 0, 0
	}
	ew, eh := r.Extent(srcW, srcH)
	x0, x1 = inputSpan(srcW, ew, w, f, ox0, ox1)
	y0, y1 = inputSpan(srcH, eh, h, f, oy0, oy1)
	return x0, y0, x1, y1
}

// inputSpan is the range of input indices that output indices [lo, hi) of
// an in -> out axis spanning [0, extent) read; the identity where nothing
// changes (the pass is skipped then).
func inputSpan(in int, extent float64, out int, f pix.Interpolation, lo, hi int) (int, int) {
	if in == out && extent == float64(in) {
		return lo, hi
	}
	return coeffs(in, extent, out, f, lo, hi).span(lo, hi)
}

// horizontal resamples columns [x0, x1) of the w-wide result for input rows
// [rowLo, rowHi) and returns them with their stride. Where the width does not
// change it returns a view of src itself (Pillow's coefficients are then the
// identity, and it skips the pass too).
func horizontal(src *pix.RGB8, extent float64, w int, f pix.Interpolation, x0, x1, rowLo, rowHi int, s *Scratch) ([]uint8, int) {
	if w == src.W && extent == float64(src.W) {
		return src.Pix[rowLo*src.Stride+x0*3:], src.Stride
	}
	hz := coeffs(src.W, extent, w, f, x0, x1)
	stride := (x1 - x0) * 3
	n := stride * (rowHi - rowLo)
	if cap(s.tmp) < n {
		s.tmp = make([]uint8, n)
	}
	tmp := s.tmp[:n]
	for y := rowLo; y < rowHi; y++ {
		horizontalRow(tmp[(y-rowLo)*stride:(y-rowLo+1)*stride], src.Row(y), hz, x0)
	}
	return tmp, stride
}

// horizontalRow is ImagingResampleHorizontal_8bpc for one row, output
// columns x0 .. x0+len(out)/3. This loop is most of the resize time, so it
// runs over fixedTaps (the same number of taps for every column), with
// hand-unrolled loops for the common widths (2 when enlarging, 3 and 4 when
// shrinking by up to 2x bilinear) on fixed-size array views, which need one
// bounds check per pixel instead of one per tap. Integer sums are exact in
// any order.
func horizontalRow(out, in []uint8, hz *axis, x0 int) {
	r := &hz.row
	first, stride := x0-hz.first, r.width+1
	taps := r.taps[first*stride : (first+len(out)/3)*stride]
	switch r.width {
	case 2:
		horizontal2(out, in, taps)
	case 3:
		horizontal3(out, in, taps)
	case 4:
		horizontal4(out, in, taps)
	default:
		horizontalN(out, in, taps, r.width)
	}
}

const half = 1 << (precisionBits - 1)

func horizontal2(out, in []uint8, taps []int32) {
	for len(taps) >= 3 && len(out) >= 3 {
		t := (*[3]int32)(taps)
		p := (*[6]uint8)(in[t[0]:])
		r := half + int32(p[0])*t[1] + int32(p[3])*t[2]
		g := half + int32(p[1])*t[1] + int32(p[4])*t[2]
		b := half + int32(p[2])*t[1] + int32(p[5])*t[2]
		out[0], out[1], out[2] = clip8(r), clip8(g), clip8(b)
		taps, out = taps[3:], out[3:]
	}
}

func horizontal3(out, in []uint8, taps []int32) {
	for len(taps) >= 4 && len(out) >= 3 {
		t := (*[4]int32)(taps)
		p := (*[9]uint8)(in[t[0]:])
		r := half + int32(p[0])*t[1] + int32(p[3])*t[2] + int32(p[6])*t[3]
		g := half + int32(p[1])*t[1] + int32(p[4])*t[2] + int32(p[7])*t[3]
		b := half + int32(p[2])*t[1] + int32(p[5])*t[2] + int32(p[8])*t[3]
		out[0], out[1], out[2] = clip8(r), clip8(g), clip8(b)
		taps, out = taps[4:], out[3:]
	}
}

func horizontal4(out, in []uint8, taps []int32) {
	for len(taps) >= 5 && len(out) >= 3 {
		t := (*[5]int32)(taps)
		p := (*[12]uint8)(in[t[0]:])
		r := half + int32(p[0])*t[1] + int32(p[3])*t[2] + int32(p[6])*t[3] + int32(p[9])*t[4]
		g := half + int32(p[1])*t[1] + int32(p[4])*t[2] + int32(p[7])*t[3] + int32(p[10])*t[4]
		b := half + int32(p[2])*t[1] + int32(p[5])*t[2] + int32(p[8])*t[3] + int32(p[11])*t[4]
		out[0], out[1], out[2] = clip8(r), clip8(g), clip8(b)
		taps, out = taps[5:], out[3:]
	}
}

// horizontalN is horizontalRow for any width, four taps at a time.
func horizontalN(out, in []uint8, taps []int32, width int) {
	for len(taps) >= width+1 && len(out) >= 3 {
		k, p := taps[1:width+1], in[taps[0]:int(taps[0])+3*width]
		ss0, ss1, ss2 := int32(half), int32(half), int32(half)
		for len(k) >= 4 && len(p) >= 12 {
			k4, p12 := (*[4]int32)(k), (*[12]uint8)(p)
			ss0 += int32(p12[0])*k4[0] + int32(p12[3])*k4[1] + int32(p12[6])*k4[2] + int32(p12[9])*k4[3]
			ss1 += int32(p12[1])*k4[0] + int32(p12[4])*k4[1] + int32(p12[7])*k4[2] + int32(p12[10])*k4[3]
			ss2 += int32(p12[2])*k4[0] + int32(p12[5])*k4[1] + int32(p12[8])*k4[2] + int32(p12[11])*k4[3]
			k, p = k[4:], p[12:]
		}
		for t, kv := range k {
			px := (*[3]uint8)(p[3*t:])
			ss0 += int32(px[0]) * kv
			ss1 += int32(px[1]) * kv
			ss2 += int32(px[2]) * kv
		}
		out[0], out[1], out[2] = clip8(ss0), clip8(ss1), clip8(ss2)
		taps, out = taps[width+1:], out[3:]
	}
}

// vertical is ImagingResampleVertical_8bpc for output rows [y0, y1), each
// n bytes wide, reading tmp whose first row is input row rowLo. Rows of up
// to four taps (what resizing by less than 2x bilinear needs) are summed in
// one sweep straight into the output; longer ones into an int32
// accumulator, two rows per sweep. Integer sums do not depend on order.
func vertical(out []uint8, ostride int, tmp []uint8, tstride int, vert *axis, rowLo, y0, y1, n int, s *Scratch) {
	row := func(y int) []uint8 { o := (y - rowLo) * tstride; return tmp[o : o+n : o+n] }
	for yy := y0; yy < y1; yy++ {
		ymin, k := vert.taps(yy)
		dst := out[(yy-y0)*ostride : (yy-y0)*ostride+n : (yy-y0)*ostride+n]
		switch len(k) {
		case 1:
			r0, k0 := row(ymin), k[0]
			dst := dst[:len(r0)]
			for i, v := range r0 {
				dst[i] = clip8(half + int32(v)*k0)
			}
		case 2:
			r0, r1, k0, k1 := row(ymin), row(ymin+1), k[0], k[1]
			r1, dst := r1[:len(r0)], dst[:len(r0)] // no bounds checks in the loop
			for i, v := range r0 {
				dst[i] = clip8(half + int32(v)*k0 + int32(r1[i])*k1)
			}
		case 3:
			r0, r1, r2, k0, k1, k2 := row(ymin), row(ymin+1), row(ymin+2), k[0], k[1], k[2]
			r1, r2, dst := r1[:len(r0)], r2[:len(r0)], dst[:len(r0)]
			for i, v := range r0 {
				dst[i] = clip8(half + int32(v)*k0 + int32(r1[i])*k1 + int32(r2[i])*k2)
			}
		case 4:
			r0, r1, r2, r3 := row(ymin), row(ymin+1), row(ymin+2), row(ymin+3)
			k0, k1, k2, k3 := k[0], k[1], k[2], k[3]
			r1, r2, r3, dst := r1[:len(r0)], r2[:len(r0)], r3[:len(r0)], dst[:len(r0)]
			for i, v := range r0 {
				dst[i] = clip8(half + int32(v)*k0 + int32(r1[i])*k1 + int32(r2[i])*k2 + int32(r3[i])*k3)
			}
		default:
			verticalLong(dst, row, ymin, k, s)
		}
	}
}

// verticalLong is one output row of vertical for any number of taps.
func verticalLong(dst []uint8, row func(int) []uint8, ymin int, k []int32, s *Scratch) {
	if cap(s.acc) < len(dst) {
		s.acc = make([]int32, len(dst))
	}
	acc := s.acc[:len(dst)]
	for i := range acc {
		acc[i] = half
	}
	t := 0
	for ; t+1 < len(k); t += 2 { // two rows per sweep: half the acc traffic
		r0, r1, k0, k1 := row(ymin+t), row(ymin+t+1), k[t], k[t+1]
		r1, acc := r1[:len(r0)], acc[:len(r0)]
		for i, v := range r0 {
			acc[i] += int32(v)*k0 + int32(r1[i])*k1
		}
	}
	if t < len(k) {
		r0, k0 := row(ymin+t), k[t]
		acc := acc[:len(r0)]
		for i, v := range r0 {
			acc[i] += int32(v) * k0
		}
	}
	dst = dst[:len(acc)]
	for i, v := range acc {
		dst[i] = clip8(v)
	}
}

// clip8 is Pillow's clip8: drop the fraction bits and clamp to 0..255.
func clip8(v int32) uint8 {
	v >>= precisionBits
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}
