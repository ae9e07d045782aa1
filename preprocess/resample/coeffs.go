// Package resample reproduces Pillow 9.4's Image.resize (ImagingResample in
// src/libImaging/Resample.c) for 8-bit RGB images, bit for bit: the same
// double-precision filter coefficients, the same fixed-point normalisation
// (PRECISION_BITS = 22), a horizontal pass then a vertical pass with an 8-bit
// intermediate image and the same clipping.
//
// Unlike Pillow it can compute only a window of the resized image (the part a
// center crop keeps); every pixel it computes equals Pillow's, because each
// output pixel depends only on its own coefficients.
package resample

import (
	"math"
	"sync"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// precisionBits is Pillow's PRECISION_BITS (32 - 8 - 2).
const precisionBits = 32 - 8 - 2

// axis holds the fixed-point coefficients that map an input axis of length
// in onto output indices [first, first+len(min)) of an output axis of length
// out (Pillow's precompute_coeffs followed by normalize_coeffs_8bpc).
type axis struct {
	first int     // first output index covered
	min   []int32 // first input index of each covered output index
	n     []int32 // number of taps of each covered output index
	k     []int32 // ksize coefficients per covered output index
	ksize int
	// row is the same taps in the form the horizontal pass runs fastest.
	row fixedTaps
}

// fixedTaps are an axis's taps with the same number, width, for every
// output index, so that the horizontal pass runs one fixed-length loop: the
// taps are trimmed of zero coefficients at either end, padded with zeros to
// width, and shifted left where they would run past the end of the input.
// A zero coefficient adds nothing, so every sum is Pillow's.
type fixedTaps struct {
	width int
	// taps holds width+1 values per covered output index: the byte offset
	// of its first input pixel (3 × the pixel index), then its coefficients.
	taps []int32
}

// fix fills a.row from a's taps; in is the input length.
func (a *axis) fix(in int) {
	width := 1
	trim := func(k []int32) (lead, n int) {
		for len(k) > 1 && k[len(k)-1] == 0 {
			k = k[:len(k)-1]
		}
		for lead < len(k)-1 && k[lead] == 0 {
			lead++
		}
		return lead, len(k) - lead
	}
	for i := range a.min {
		_, k := a.taps(a.first + i)
		_, n := trim(k)
		width = max(width, n)
	}
	r := fixedTaps{width: width, taps: make([]int32, len(a.min)*(width+1))}
	for i := range a.min {
		m, k := a.taps(a.first + i)
		lead, n := trim(k)
		start := min(m+lead, in-width) // in >= width: no output has more taps than inputs
		t := r.taps[i*(width+1) : (i+1)*(width+1)]
		t[0] = int32(3 * start)
		copy(t[1+m+lead-start:], k[lead:lead+n])
	}
	a.row = r
}

// taps returns the first input index and the coefficients of output index i.
func (a *axis) taps(i int) (int, []int32) {
	i -= a.first
	o := i * a.ksize
	return int(a.min[i]), a.k[o : o+int(a.n[i]) : o+int(a.n[i])]
}

// span is the range of input indices [lo, hi) that output indices
// [first, last) read.
func (a *axis) span(first, last int) (lo, hi int) {
	lo, _ = a.taps(first)
	m, k := a.taps(last - 1)
	return lo, m + len(k)
}

// bytes is the memory the axis holds.
func (a *axis) bytes() int {
	return 4 * (len(a.min) + len(a.n) + len(a.k) + len(a.row.taps))
}

type axisKey struct {
	in, out int
	extent  float64
	f       pix.Interpolation
}

const (
	// maxCacheBytes bounds the coefficient cache's memory; axes beyond it
	// are recomputed for each call.
	maxCacheBytes = 64 << 20
	// maxFullAxis is the longest output axis computed (and cached) whole.
	// Longer ones (a 1x100000 image resized to 256 wide is 25.6M rows tall)
	// are computed only over the output indices a crop window reads, so
	// hostile aspect ratios cost memory in proportion to the crop, not to
	// the virtual resized image.
	maxFullAxis = 1 << 16
)

var (
	cache      sync.Map // axisKey -> *axis
	cacheMu    sync.Mutex
	cacheBytes int
)

// coeffs returns coefficients for in -> out covering at least the output
// indices [lo, hi): the whole axis (cached, shared, read-only) when out is
// at most maxFullAxis, otherwise just [lo, hi), uncached. The output spans
// input positions [0, extent), which is in except for a reduced-size
// decode's picture (pix.Reduction).
func coeffs(in int, extent float64, out int, f pix.Interpolation, lo, hi int) *axis {
	if out > maxFullAxis {
		return computeAxisBox(in, extent, out, f, lo, hi)
	}
	key := axisKey{in, out, extent, f}
	if a, ok := cache.Load(key); ok {
		return a.(*axis)
	}
	a := computeAxisBox(in, extent, out, f, 0, out)
	cacheMu.Lock()
	if cacheBytes+a.bytes() <= maxCacheBytes {
		if _, loaded := cache.LoadOrStore(key, a); !loaded {
			cacheBytes += a.bytes()
		}
	}
	cacheMu.Unlock()
	return a
}

// filter is one of Pillow's resampling kernels with its support.
type filter struct {
	fn      func(x float64) float64
	support float64
}

func filterFor(f pix.Interpolation) filter {
	switch f {
	case pix.Bicubic:
		return filter{bicubic, 2}
	case pix.Box:
		return filter{box, 0.5}
	}
	return filter{bilinear, 1}
}

// box is Pillow's box_filter: 1 on (-0.5, 0.5].
func box(x float64) float64 {
	if x > -0.5 && x <= 0.5 {
		return 1
	}
	return 0
}

func bilinear(x float64) float64 {
	if x < 0 {
		x = -x
	}
	if x < 1 {
		return 1 - x
	}
	return 0
}

// bicubic is Pillow's bicubic_filter with a = -0.5; the explicit float64
// conversions stop the compiler from fusing multiply-adds, which C does not do.
func bicubic(x float64) float64 {
	const a = -0.5
	if x < 0 {
		x = -x
	}
	if x < 1 {
		return float64(float64(float64((a+2)*x)-(a+3))*x*x) + 1
	}
	if x < 2 {
		return float64(float64(float64(float64(x-5)*x)+8)*x-4) * a
	}
	return 0
}

// computeAxis is precompute_coeffs + normalize_coeffs_8bpc for the box
// (0, in), in double precision exactly as Pillow computes them.
func computeAxis(inSize, outSize int, f pix.Interpolation) *axis {
	return computeAxisRange(inSize, outSize, f, 0, outSize)
}

// computeAxisRange is computeAxis for output indices [lo, hi) only: each
// output index's coefficients depend on nothing but its own position, so the
// values equal the whole axis's.
func computeAxisRange(inSize, outSize int, f pix.Interpolation, lo, hi int) *axis {
	return computeAxisBox(inSize, float64(inSize), outSize, f, lo, hi)
}

// computeAxisBox is computeAxisRange for Pillow's resize box (0, extent):
// the output spans input positions [0, extent) and reads no input index at
// or past inSize.
func computeAxisBox(inSize int, extent float64, outSize int, f pix.Interpolation, lo, hi int) *axis {
	flt := filterFor(f)
	// in0, in1 are C floats: 0 and inSize (or a box edge, a multiple of
	// 1/8 here) are exact in them for any real size.
	scale := extent / float64(outSize)
	filterscale := math.Max(scale, 1)
	support := flt.support * filterscale
	ksize := int(math.Ceil(support))*2 + 1
	a := &axis{
		first: lo, min: make([]int32, hi-lo), n: make([]int32, hi-lo),
		k: make([]int32, (hi-lo)*ksize), ksize: ksize,
	}
	w := make([]float64, ksize)
	ss := 1.0 / filterscale
	for xx := lo; xx < hi; xx++ {
		center := float64((float64(xx) + 0.5) * scale)
		xmin := int(center - support + 0.5)
		if xmin < 0 {
			xmin = 0
		}
		xmax := int(center + support + 0.5)
		if xmax > inSize {
			xmax = inSize
		}
		xmax -= xmin
		ww := 0.0
		for x := 0; x < xmax; x++ {
			w[x] = flt.fn(float64(float64(x+xmin)-center+0.5) * ss)
			ww += w[x]
		}
		i := xx - lo
		k := a.k[i*ksize : i*ksize+ksize]
		for x := 0; x < xmax; x++ {
			v := w[x]
			if ww != 0 {
				v /= ww
			}
			k[x] = toFixed(v)
		}
		a.min[i], a.n[i] = int32(xmin), int32(xmax)
	}
	a.fix(inSize)
	return a
}

// toFixed is normalize_coeffs_8bpc's rounding of one coefficient.
func toFixed(v float64) int32 {
	if v < 0 {
		return int32(-0.5 + float64(v*(1<<precisionBits)))
	}
	return int32(0.5 + float64(v*(1<<precisionBits)))
}
