package variant

import (
	"math"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// luma is PIL's RGB -> L conversion (ITU-R 601-2 luma, 16-bit fixed point).
func luma(r, g, b uint8) uint8 {
	return uint8((uint32(r)*19595 + uint32(g)*38470 + uint32(b)*7471 + 0x8000) >> 16)
}

// blendPixel is PIL's ImagingBlend for one byte: deg + alpha*(img - deg) in
// float32, truncated; clipped only when alpha is outside [0, 1], as in C.
func blendPixel(deg, img uint8, alpha float32, extrapolate bool) uint8 {
	prod := float32(alpha * float32(int32(img)-int32(deg))) // no fused multiply-add
	t := float32(float32(deg) + prod)
	if !extrapolate {
		return uint8(int32(t))
	}
	if t <= 0 {
		return 0
	}
	if t >= 255 {
		return 255
	}
	return uint8(t)
}

// blend is Image.blend(degenerate, img, factor) where degenerate is given
// per pixel by deg (which returns the three degenerate bytes); it writes img
// in place. factor 1 leaves img unchanged, as PIL's shortcut does.
func blend(img *pix.RGB8, factor float64, deg func(p []uint8) (uint8, uint8, uint8)) {
	alpha := float32(factor)
	if alpha == 1 {
		return
	}
	extrapolate := !(alpha >= 0 && alpha <= 1)
	for y := 0; y < img.H; y++ {
		row := img.Row(y)
		for x := 0; x+2 < len(row); x += 3 {
			p := row[x : x+3 : x+3]
			d0, d1, d2 := deg(p)
			if alpha == 0 {
				p[0], p[1], p[2] = d0, d1, d2
				continue
			}
			p[0] = blendPixel(d0, p[0], alpha, extrapolate)
			p[1] = blendPixel(d1, p[1], alpha, extrapolate)
			p[2] = blendPixel(d2, p[2], alpha, extrapolate)
		}
	}
}

// adjustBrightness is F.adjust_brightness on PIL: ImageEnhance.Brightness
// (blend with black).
func adjustBrightness(img *pix.RGB8, f float64) {
	blend(img, f, func([]uint8) (uint8, uint8, uint8) { return 0, 0, 0 })
}

// adjustSaturation is F.adjust_saturation on PIL: ImageEnhance.Color
// (blend with the image's own L conversion).
func adjustSaturation(img *pix.RGB8, f float64) {
	blend(img, f, func(p []uint8) (uint8, uint8, uint8) {
		l := luma(p[0], p[1], p[2])
		return l, l, l
	})
}

// adjustContrast is F.adjust_contrast on PIL: ImageEnhance.Contrast (blend
// with a flat image of the L channel's mean, int(mean + 0.5)).
func adjustContrast(img *pix.RGB8, f float64) {
	var sum, n int64
	for y := 0; y < img.H; y++ {
		row := img.Row(y)
		for x := 0; x+2 < len(row); x += 3 {
			sum += int64(luma(row[x], row[x+1], row[x+2]))
			n++
		}
	}
	m := uint8(int(float64(sum)/float64(n) + 0.5))
	blend(img, f, func([]uint8) (uint8, uint8, uint8) { return m, m, m })
}

// grayscale is F.rgb_to_grayscale(num_output_channels=3) on PIL.
func grayscale(img *pix.RGB8) {
	for y := 0; y < img.H; y++ {
		row := img.Row(y)
		for x := 0; x+2 < len(row); x += 3 {
			l := luma(row[x], row[x+1], row[x+2])
			row[x], row[x+1], row[x+2] = l, l, l
		}
	}
}

// hueShift is the uint8 added to PIL's H channel: np.uint8(hue_factor*255),
// which truncates toward zero and wraps negative values modulo 256.
func hueShift(h float64) uint8 {
	return uint8(int64(h * 255))
}

// adjustHue is F.adjust_hue on PIL: convert to PIL's 8-bit HSV, add the
// shift to H with uint8 wrap-around, convert back.
func adjustHue(img *pix.RGB8, h float64) {
	shift := hueShift(h)
	for y := 0; y < img.H; y++ {
		row := img.Row(y)
		for x := 0; x+2 < len(row); x += 3 {
			hh, s, v := rgbToHSV(row[x], row[x+1], row[x+2])
			row[x], row[x+1], row[x+2] = hsvToRGB(hh+shift, s, v)
		}
	}
}

func clip8(v int) uint8 {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// rgbToHSV is Pillow's rgb2hsv with its mix of float and double arithmetic.
func rgbToHSV(r, g, b uint8) (uint8, uint8, uint8) {
	maxc, minc := max(r, g, b), min(r, g, b)
	if maxc == minc {
		return 0, 0, maxc
	}
	cr := float32(maxc - minc)
	s := cr / float32(maxc)
	rc := float32(maxc-r) / cr
	gc := float32(maxc-g) / cr
	bc := float32(maxc-b) / cr
	var h float32
	switch {
	case r == maxc:
		h = bc - gc
	case g == maxc:
		h = float32(2.0 + float64(rc) - float64(bc))
	default:
		h = float32(4.0 + float64(gc) - float64(rc))
	}
	h = float32(math.Mod(float64(h)/6.0+1.0, 1.0))
	return clip8(int(float64(h) * 255.0)), clip8(int(float64(s) * 255.0)), maxc
}

// hsvToRGB is Pillow's hsv2rgb, again with C's float/double promotions.
func hsvToRGB(h, s, v uint8) (uint8, uint8, uint8) {
	if s == 0 {
		return v, v, v
	}
	i := int(math.Floor(float64(float32(h)) * 6.0 / 255.0))
	f := float32(float64(float32(h))*6.0/255.0 - float64(float32(i)))
	fs := float32(float64(float32(s)) / 255.0)
	fv := float64(float32(v))
	p := int(math.Round(fv * (1.0 - float64(fs))))
	q := int(math.Round(fv * (1.0 - float64(fs*f))))
	t := int(math.Round(fv * (1.0 - float64(float64(fs)*(1.0-float64(f))))))
	up, uq, ut := clip8(p), clip8(q), clip8(t)
	switch i % 6 {
	case 0:
		return v, ut, up
	case 1:
		return uq, v, up
	case 2:
		return up, v, ut
	case 3:
		return up, uq, v
	case 4:
		return ut, up, v
	default:
		return v, up, uq
	}
}
