package corrupt

import "math"

// rgbToHSV is skimage.color.rgb2hsv (0.19) for one pixel in [0, 1]: where
// two channels tie for the maximum the later one (green over red, blue over
// both) sets the hue, as its successive masked assignments do.
func rgbToHSV(r, g, b float64) (h, s, v float64) {
	v = max(r, g, b)
	delta := v - min(r, g, b)
	if delta == 0 {
		return 0, 0, v
	}
	s = delta / v
	switch {
	case b == v:
		h = 4 + (r-g)/delta
	case g == v:
		h = 2 + (b-r)/delta
	default:
		h = (g - b) / delta
	}
	h = pyMod(h/6, 1)
	return h, s, v
}

// pyMod is NumPy's float remainder: the sign of the divisor.
func pyMod(a, b float64) float64 {
	m := math.Mod(a, b)
	if m != 0 && (m < 0) != (b < 0) {
		m += b
	}
	return m
}

// hsvToRGB is skimage.color.hsv2rgb for one pixel.
func hsvToRGB(h, s, v float64) (r, g, b float64) {
	hi := math.Floor(h * 6)
	f := h*6 - hi
	p := v * (1 - s)
	q := v * (1 - f*s)
	t := v * (1 - (1-f)*s)
	switch int(uint8(int64(hi))) % 6 { // astype(np.uint8) % 6
	case 0:
		return v, t, p
	case 1:
		return q, v, p
	case 2:
		return p, v, t
	case 3:
		return p, q, v
	case 4:
		return t, p, v
	default:
		return v, p, q
	}
}
