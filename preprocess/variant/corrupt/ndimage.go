package corrupt

import "math"

// Stand-ins for the scipy.ndimage functions the reference calls, on
// float64 planes (one channel, w×h, row-major) or interleaved images.

// boundary selects how a filter reads past an edge, as scipy.ndimage's
// mode argument.
type boundary int

const (
	nearest boundary = iota // 'nearest': aaaa|abcd|dddd
	reflect                 // 'reflect': dcba|abcd|dcba (half-sample symmetric)
)

// index maps i into [0, n) under the boundary rule.
func (b boundary) index(i, n int) int {
	if i >= 0 && i < n {
		return i
	}
	if b == nearest {
		return min(max(i, 0), n-1)
	}
	period := 2 * n
	i %= period
	if i < 0 {
		i += period
	}
	if i >= n {
		i = period - 1 - i
	}
	return i
}

// gaussianKernel is scipy's _gaussian_kernel1d(sigma, 0, radius) with
// radius int(truncate*sigma + 0.5).
func gaussianKernel(sigma, truncate float64) []float64 {
	r := int(truncate*sigma + 0.5)
	k := make([]float64, 2*r+1)
	var sum float64
	for i := range k {
		x := float64(i - r)
		k[i] = math.Exp(-0.5 / (sigma * sigma) * x * x)
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	return k
}

// gaussianFilter is scipy.ndimage.gaussian_filter over the first two axes
// of an h×w×c interleaved array (sigma 0 on the channel axis, as skimage's
// gaussian with channel_axis=-1 asks): a 1-D correlation down the columns,
// then along the rows. Each output sums as scipy's symmetric-kernel loop
// does (the centre tap, then each pair of mirrored taps added first), so
// the results are scipy's to the last bit; the loops run along whole rows,
// which is what makes them fast. It returns a new array.
func gaussianFilter(v []float64, w, h, c int, sigma, truncate float64, b boundary) []float64 {
	k := gaussianKernel(sigma, truncate)
	r := len(k) / 2
	stride := w * c
	// Axis 0: whole rows at a time.
	tmp := make([]float64, len(v))
	for y := range h {
		o := tmp[y*stride : (y+1)*stride]
		centre := v[y*stride : (y+1)*stride]
		for i, x := range centre {
			o[i] = x * k[r]
		}
		for j := 1; j <= r; j++ {
			up := v[b.index(y-j, h)*stride:][:stride]
			down := v[b.index(y+j, h)*stride:][:stride]
			kj := k[r+j]
			for i := range o {
				o[i] += (up[i] + down[i]) * kj
			}
		}
	}
	// Axis 1: each row padded by r pixels, then the same loop along it.
	out := make([]float64, len(v))
	pad := make([]float64, (w+2*r)*c)
	for y := range h {
		row := tmp[y*stride : (y+1)*stride]
		for x := -r; x < w+r; x++ {
			copy(pad[(x+r)*c:(x+r+1)*c], row[b.index(x, w)*c:])
		}
		o := out[y*stride : (y+1)*stride]
		centre := pad[r*c:][:stride]
		for i, x := range centre {
			o[i] = x * k[r]
		}
		for j := 1; j <= r; j++ {
			left := pad[(r-j)*c:][:stride]
			right := pad[(r+j)*c:][:stride]
			kj := k[r+j]
			for i := range o {
				o[i] += (left[i] + right[i]) * kj
			}
		}
	}
	return out
}

// zoomAxis holds, for each output index of scipy.ndimage.zoom(order=1,
// grid_mode=False) along one axis, the two input taps and the weight of the
// second: output o samples input o*(in-1)/(out-1).
type zoomAxis struct {
	i0, i1 []int
	t      []float64
}

func newZoomAxis(in, out int) zoomAxis {
	a := zoomAxis{i0: make([]int, out), i1: make([]int, out), t: make([]float64, out)}
	scale := 0.0
	if out > 1 {
		scale = float64(in-1) / float64(out-1)
	}
	for o := range out {
		cc := float64(o) * scale
		s := int(math.Floor(cc))
		s = min(max(s, 0), in-1)
		a.i0[o], a.i1[o], a.t[o] = s, min(s+1, in-1), cc-float64(s)
	}
	return a
}

// zoomOutSize is round(in * z) as scipy computes a zoomed shape (Python's
// round, half to even).
func zoomOutSize(in int, z float64) int { return int(math.RoundToEven(float64(in) * z)) }

// zoom is scipy.ndimage.zoom(a, (z, z, 1), order=1) on an h×w×c interleaved
// array; f32 rounds each output to float32, as for a float32 input.
func zoom(v []float64, w, h, c int, z float64, f32 bool) (out []float64, ow, oh int) {
	ow, oh = zoomOutSize(w, z), zoomOutSize(h, z)
	ax, ay := newZoomAxis(w, ow), newZoomAxis(h, oh)
	out = make([]float64, ow*oh*c)
	for y := range oh {
		r0 := v[ay.i0[y]*w*c:]
		r1 := v[ay.i1[y]*w*c:]
		ty := ay.t[y]
		o := out[y*ow*c:]
		for x := range ow {
			x0, x1, tx := ax.i0[x]*c, ax.i1[x]*c, ax.t[x]
			for ch := range c {
				s := (1-ty)*((1-tx)*r0[x0+ch]+tx*r0[x1+ch]) + ty*((1-tx)*r1[x0+ch]+tx*r1[x1+ch])
				if f32 {
					s = float64(float32(s))
				}
				o[x*c+ch] = s
			}
		}
	}
	return out, ow, oh
}

// clippedZoom is the reference's clipped_zoom: the centre ceil(size/z) of
// the image zoomed by z, of size round(ceil(size/z)*z) (at least the
// original; the caller keeps the top-left part it needs).
func clippedZoom(v []float64, w, h, c int, z float64, f32 bool) (out []float64, ow, oh int) {
	ch0 := int(math.Ceil(float64(h) / z))
	top0 := (h - ch0) / 2
	ch1 := int(math.Ceil(float64(w) / z))
	top1 := (w - ch1) / 2
	sub := make([]float64, ch0*ch1*c)
	for y := range ch0 {
		copy(sub[y*ch1*c:(y+1)*ch1*c], v[((top0+y)*w+top1)*c:])
	}
	return zoom(sub, ch1, ch0, c, z, f32)
}

// reflectCoord maps a sampling coordinate into the image as
// scipy.ndimage's map_coordinate does for mode 'reflect'.
func reflectCoord(in float64, n int) float64 {
	if n <= 1 {
		return 0
	}
	ln := float64(n)
	sz2 := 2 * ln
	if in < 0 {
		if in < -sz2 {
			in = sz2*float64(int(-in/sz2)) + in
		}
		if in < -ln {
			in += sz2
		} else {
			in = -in - 1
		}
	} else if in > ln-1 {
		in -= sz2 * float64(int(in/sz2))
		if in >= ln {
			in = sz2 - in - 1
		}
	}
	return in
}
