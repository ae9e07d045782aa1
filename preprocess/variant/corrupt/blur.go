package corrupt

import (
	"math"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// DefocusBlur is defocus_blur: each channel of x/255 convolved (OpenCV's
// filter2D, reflect-101 border) with a disk of radius 3, 4, 6, 8, 10
// antialiased by a Gaussian of sigma 0.1 or 0.5 (the reference's disk).
func DefocusBlur(img *pix.RGB8, severity int) (*pix.RGB8, error) {
	c, err := level(img, severity, [5][2]float64{{3, 0.1}, {4, 0.5}, {6, 0.5}, {8, 0.5}, {10, 0.5}})
	if err != nil {
		return nil, err
	}
	k, kw := disk(c[0], c[1])
	f := toFloat(img, 255)
	f.v = filter2D(f.v, img.W, img.H, 3, k, kw)
	return unitToRGB8(img, f), nil
}

// disk is the reference's disk(radius, alias_blur): the float32 indicator
// of X²+Y² <= r² on a grid of half-width max(8, r), normalised, then
// cv2.GaussianBlur with a 3×3 (r <= 8) or 5×5 kernel of sigma alias.
func disk(radius, alias float64) ([]float64, int) {
	half, ksize := 8, 3
	if radius > 8 {
		half, ksize = int(radius), 5
	}
	n := 2*half + 1
	a := make([]float64, n*n)
	var sum float32
	for y := -half; y <= half; y++ {
		for x := -half; x <= half; x++ {
			if float64(x*x+y*y) <= radius*radius {
				a[(y+half)*n+x+half] = 1
				sum++
			}
		}
	}
	for i := range a {
		a[i] = float64(float32(a[i]) / sum)
	}
	g := cvGaussianKernel(ksize, alias)
	// GaussianBlur on a float32 image: separable, rows then columns, each
	// pass rounded to float32, reflect-101 border.
	tmp := make([]float64, len(a))
	r := ksize / 2
	for y := range n {
		for x := range n {
			var s float32
			for j := -r; j <= r; j++ {
				s += float32(g[j+r]) * float32(a[y*n+reflect101(x+j, n)])
			}
			tmp[y*n+x] = float64(s)
		}
	}
	out := make([]float64, len(a))
	for y := range n {
		for x := range n {
			var s float32
			for j := -r; j <= r; j++ {
				s += float32(g[j+r]) * float32(tmp[reflect101(y+j, n)*n+x])
			}
			out[y*n+x] = float64(s)
		}
	}
	return out, n
}

// GlassBlur is glass_blur: a Gaussian blur (sigma 0.7, 0.9, 1, 1.1, 1.5)
// truncated to uint8, local pixel moves (each pixel, bottom-right to
// top-left, for 1 to 3 passes, takes the value of one up to max_delta
// away), then the same blur again.
//
// The reference means to swap the two pixels, but its tuple assignment of
// two NumPy views (x[h, w], x[h', w'] = x[h', w'], x[h, w]) copies the
// second pixel into the first and then writes that same value back: a copy,
// not a swap. The moves here copy, so the distribution is the reference's.
// They run in sequence as in the reference (each reads the result of the
// ones before); natively compiled they cost about a millisecond, where the
// reference's numba loop costs about half a second an image (its
// per-process compilation included).
func GlassBlur(img *pix.RGB8, severity int, rng Rand) (*pix.RGB8, error) {
	type params struct {
		sigma       float64
		delta, iter int
	}
	c, err := level(img, severity, [5]params{{0.7, 1, 2}, {0.9, 2, 1}, {1, 2, 3}, {1.1, 3, 2}, {1.5, 4, 2}})
	if err != nil {
		return nil, err
	}
	w, h := img.W, img.H
	f := toFloat(img, 255)
	b := gaussianFilter(f.v, w, h, 3, c.sigma, 4, nearest)
	px := make([]uint8, len(b))
	for i, v := range b {
		px[i] = uint8(v * 255)
	}
	d := c.delta
	for range c.iter {
		for y := h - d; y > d; y-- {
			for x := w - d; x > d; x-- {
				dx := rng.IntN(2*d) - d // np.random.randint(-d, d): high exclusive
				dy := rng.IntN(2*d) - d
				p, q := (y*w+x)*3, ((y+dy)*w+x+dx)*3
				px[p], px[p+1], px[p+2] = px[q], px[q+1], px[q+2]
			}
		}
	}
	for i, v := range px {
		f.v[i] = float64(v) / 255
	}
	f.v = gaussianFilter(f.v, w, h, 3, c.sigma, 4, nearest)
	return unitToRGB8(img, f), nil
}

// MotionBlur is motion_blur: the image averaged along a line at an angle
// uniform in [-45, 45] degrees, with half-Gaussian weights (radius 10, 15,
// 15, 15, 20; sigma 3, 5, 8, 12, 15), edges replicated.
func MotionBlur(img *pix.RGB8, severity int, rng Rand) (*pix.RGB8, error) {
	c, err := level(img, severity, [5][2]float64{{10, 3}, {15, 5}, {15, 8}, {15, 12}, {20, 15}})
	if err != nil {
		return nil, err
	}
	angle := -45 + 90*rng.Float64()
	f := toFloat(img, 1)
	out := motionBlur(f.v, img.W, img.H, 3, int(c[0]), c[1], angle)
	for y := range img.H {
		row := img.Row(y)
		in := out[y*img.W*3:]
		for i := range row {
			row[i] = clip255(in[i])
		}
	}
	return img, nil
}

// motionBlur is the reference's _motion_blur on an h×w×c array: the sum
// over i < 2*radius+1 of kernel[i] times the image shifted by i steps along
// the angle (edge-replicating shifts), stopping where a shift leaves the
// image.
func motionBlur(v []float64, w, h, c, radius int, sigma, angle float64) []float64 {
	width := 2*radius + 1
	kernel := make([]float64, width)
	var z float64
	for i := range kernel {
		x := float64(i)
		kernel[i] = math.Exp(-(x*x)/(2*(sigma*sigma))) / (math.Sqrt(2*math.Pi) * sigma)
		z += kernel[i]
	}
	for i := range kernel {
		kernel[i] /= z
	}
	rad := angle * math.Pi / 180
	p0, p1 := float64(width)*math.Sin(rad), float64(width)*math.Cos(rad)
	hyp := math.Hypot(p0, p1)
	out := make([]float64, len(v))
	for i := range width {
		dy := -int(math.Ceil(float64(i)*p0/hyp - 0.5))
		dx := -int(math.Ceil(float64(i)*p1/hyp - 0.5))
		if abs(dy) >= h || abs(dx) >= w {
			break
		}
		k := kernel[i]
		// Columns [lo, hi) read the row shifted by dx; those left of lo
		// read its first pixel, those from hi on its last (the edge
		// replication of the reference's shift).
		lo, hi := max(0, dx), min(w, w+dx)
		for y := range h {
			sy := min(max(y-dy, 0), h-1)
			src := v[sy*w*c : (sy+1)*w*c]
			o := out[y*w*c : (y+1)*w*c]
			for x := 0; x < lo; x++ {
				for ch := range c {
					o[x*c+ch] += k * src[ch]
				}
			}
			if hi > lo {
				mid := o[lo*c : hi*c]
				s := src[(lo-dx)*c : (hi-dx)*c]
				for j := range mid {
					mid[j] += k * s[j]
				}
			}
			for x := max(hi, lo); x < w; x++ {
				for ch := range c {
					o[x*c+ch] += k * src[(w-1)*c+ch]
				}
			}
		}
	}
	return out
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// zoomFactors are the reference's np.arange zoom factors per severity
// (np.arange(1, 1.11, 0.01) and so on, float rounding included: the first
// two ranges reach 1.11 and 1.15).
var zoomFactors = [5]struct{ start, step float64 }{{1, 0.01}, {1, 0.01}, {1, 0.02}, {1, 0.02}, {1, 0.03}}
var zoomCounts = [5]int{12, 16, 11, 13, 11}

// ZoomBlur is zoom_blur: the mean of the image and its centre zoomed by
// each factor of np.arange(1, 1.11, 0.01), (1, 1.16, 0.01), (1, 1.21,
// 0.02), (1, 1.26, 0.02), (1, 1.31, 0.03), in float32 as the reference.
func ZoomBlur(img *pix.RGB8, severity int) (*pix.RGB8, error) {
	zf, err := level(img, severity, zoomFactors)
	if err != nil {
		return nil, err
	}
	n := zoomCounts[severity-1]
	w, h := img.W, img.H
	x := toFloat(img, 255)
	for i, v := range x.v {
		x.v[i] = float64(float32(v))
	}
	out := make([]float32, len(x.v))
	for i := range n {
		z := zf.start + float64(i)*((zf.start+zf.step)-zf.start) // np.arange: start + i*delta
		layer, lw, _ := clippedZoom(x.v, w, h, 3, z, true)
		for y := range h {
			src := layer[y*lw*3 : y*lw*3+w*3]
			o := out[y*w*3:]
			for j, v := range src {
				o[j] += float32(v)
			}
		}
	}
	for i, v := range out {
		x.v[i] = float64((float32(x.v[i]) + v) / float32(n+1))
	}
	return unitToRGB8f32(img, x), nil
}

// GaussianBlur is gaussian_blur: skimage's gaussian (scipy's
// gaussian_filter, nearest edges, truncate 4) of x/255 with sigma 1, 2, 3,
// 4, 6 on each channel.
func GaussianBlur(img *pix.RGB8, severity int) (*pix.RGB8, error) {
	c, err := level(img, severity, [5]float64{1, 2, 3, 4, 6})
	if err != nil {
		return nil, err
	}
	f := toFloat(img, 255)
	f.v = gaussianFilter(f.v, img.W, img.H, 3, c, 4, nearest)
	return unitToRGB8(img, f), nil
}
