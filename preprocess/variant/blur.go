package variant

import (
	"fmt"
	"math"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// gaussianKernel1D is torchvision's _get_gaussian_kernel1d in float32:
// linspace(-(k-1)/2, (k-1)/2, k), exp(-0.5*(x/sigma)²), divided by its sum.
func gaussianKernel1D(k int, sigma float64) []float32 {
	half := float32(k-1) * 0.5
	step := float32(0)
	if k > 1 {
		step = (half - -half) / float32(k-1)
	}
	out := make([]float32, k)
	var sum float32
	for i := range out {
		// torch's linspace fills the first half from the start, the rest from the end.
		x := -half + step*float32(i)
		if i >= k/2 {
			x = half - step*float32(k-1-i)
		}
		z := x / float32(sigma)
		out[i] = float32(math.Exp(float64(-0.5 * float32(z*z))))
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

// gaussianBlur is F.gaussian_blur(img, [k, k], [sigma, sigma]) on a PIL
// image: torchvision converts to a float32 tensor, reflect-pads by k/2,
// convolves with the outer product of the 1-D kernels (oneDNN's depthwise
// convolution: taps in row-major order, each a fused multiply-add into a
// float32 accumulator), rounds half to even and casts back to uint8.
func gaussianBlur(img *pix.RGB8, k int, sigma float64) (*pix.RGB8, error) {
	r := k / 2
	if r >= img.W || r >= img.H {
		return nil, fmt.Errorf("blur kernel %d too large for a %dx%d image (reflect padding needs kernel/2 < size)", k, img.W, img.H)
	}
	k1 := gaussianKernel1D(k, sigma)
	k2 := make([]float64, k*k)
	for i := range k {
		for j := range k {
			k2[i*k+j] = float64(k1[i] * k1[j])
		}
	}
	pw, ph := img.W+2*r, img.H+2*r
	plane := make([]float32, pw*ph)
	acc := make([]float32, img.W)
	out := pix.New(img.W, img.H)
	for c := range 3 {
		for py := range ph {
			row := img.Row(reflect(py-r, img.H))
			for px := range pw {
				plane[py*pw+px] = float32(row[3*reflect(px-r, img.W)+c])
			}
		}
		for y := range img.H {
			clear(acc)
			for i := range k {
				src := plane[(y+i)*pw : (y+i+1)*pw]
				for j := range k {
					w := k2[i*k+j]
					s := src[j : j+img.W]
					for x, v := range s {
						// The product of two float32s is exact in float64, so
						// this rounds exactly once, like a float32 FMA.
						acc[x] = float32(float64(acc[x]) + float64(v)*w)
					}
				}
			}
			o := out.Row(y)
			for x, v := range acc {
				o[3*x+c] = uint8(max(0, min(255, math.RoundToEven(float64(v)))))
			}
		}
	}
	return out, nil
}

// reflect maps an index into [0, n) as torch's reflect padding (edge not repeated).
func reflect(i, n int) int {
	if i < 0 {
		return -i
	}
	if i >= n {
		return 2*(n-1) - i
	}
	return i
}
