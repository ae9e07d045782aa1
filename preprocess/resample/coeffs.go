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
// in onto an output axis of length out (Pillow's precompute_coeffs followed by
// normalize_coeffs_8bpc).
type axis struct {
	min   []int32 // first input index of each output index
	n     []int32 // number of taps of each output index
	k     []int32 // ksize coefficients per output index
	ksize int
}

// taps returns the first input index and the coefficients of output index i.
func (a *axis) taps(i int) (int, []int32) {
	o := i * a.ksize
	return int(a.min[i]), a.k[o : o+int(a.n[i]) : o+int(a.n[i])]
}

type axisKey struct {
	in, out int
	f       pix.Interpolation
}

// maxCached bounds the coefficient cache; sizes beyond it are recomputed.
const maxCached = 8192

var (
	cache     sync.Map // axisKey -> *axis
	cacheMu   sync.Mutex
	cacheSize int
)

// coeffs returns the (cached, shared, read-only) coefficients for in -> out.
func coeffs(in, out int, f pix.Interpolation) *axis {
	key := axisKey{in, out, f}
	if a, ok := cache.Load(key); ok {
		return a.(*axis)
	}
	a := computeAxis(in, out, f)
	cacheMu.Lock()
	if cacheSize < maxCached {
		if _, loaded := cache.LoadOrStore(key, a); !loaded {
			cacheSize++
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
	if f == pix.Bicubic {
		return filter{bicubic, 2}
	}
	return filter{bilinear, 1}
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
	flt := filterFor(f)
	// in0, in1 are C floats holding 0 and inSize: exact for any real size.
	scale := float64(inSize) / float64(outSize)
	filterscale := math.Max(scale, 1)
	support := flt.support * filterscale
	ksize := int(math.Ceil(support))*2 + 1
	a := &axis{
		min: make([]int32, outSize), n: make([]int32, outSize),
		k: make([]int32, outSize*ksize), ksize: ksize,
	}
	w := make([]float64, ksize)
	ss := 1.0 / filterscale
	for xx := 0; xx < outSize; xx++ {
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
		k := a.k[xx*ksize : xx*ksize+ksize]
		for x := 0; x < xmax; x++ {
			v := w[x]
			if ww != 0 {
				v /= ww
			}
			k[x] = toFixed(v)
		}
		a.min[xx], a.n[xx] = int32(xmin), int32(xmax)
	}
	return a
}

// toFixed is normalize_coeffs_8bpc's rounding of one coefficient.
func toFixed(v float64) int32 {
	if v < 0 {
		return int32(-0.5 + float64(v*(1<<precisionBits)))
	}
	return int32(0.5 + float64(v*(1<<precisionBits)))
}
