package corrupt

import (
	"fmt"
	"math"

	"github.com/imagenetx/imagenetx/preprocess/pix"
	"github.com/imagenetx/imagenetx/preprocess/resample"
)

// Brightness is brightness: skimage HSV value raised by 0.1 to 0.5,
// clipped to 1.
func Brightness(img *pix.RGB8, severity int) (*pix.RGB8, error) {
	c, err := level(img, severity, [5]float64{.1, .2, .3, .4, .5})
	if err != nil {
		return nil, err
	}
	return mapHSV(img, func(h, s, v float64) (float64, float64, float64) {
		return h, s, min(max(v+c, 0), 1)
	}), nil
}

// Saturate is saturate: skimage HSV saturation scaled by 0.3, 0.1, 2, 5,
// 20 and raised by 0, 0, 0, 0.1, 0.2, clipped to [0, 1].
func Saturate(img *pix.RGB8, severity int) (*pix.RGB8, error) {
	c, err := level(img, severity, [5][2]float64{{0.3, 0}, {0.1, 0}, {2, 0}, {5, 0.1}, {20, 0.2}})
	if err != nil {
		return nil, err
	}
	return mapHSV(img, func(h, s, v float64) (float64, float64, float64) {
		return h, min(max(s*c[0]+c[1], 0), 1), v
	}), nil
}

func mapHSV(img *pix.RGB8, f func(h, s, v float64) (float64, float64, float64)) *pix.RGB8 {
	for y := range img.H {
		row := img.Row(y)
		for x := 0; x+2 < len(row); x += 3 {
			h, s, v := rgbToHSV(float64(row[x])/255, float64(row[x+1])/255, float64(row[x+2])/255)
			r, g, b := hsvToRGB(f(h, s, v))
			row[x] = uint8(min(max(r, 0), 1) * 255)
			row[x+1] = uint8(min(max(g, 0), 1) * 255)
			row[x+2] = uint8(min(max(b, 0), 1) * 255)
		}
	}
	return img
}

// Contrast is contrast: each channel of x/255 pulled towards its mean,
// (x - mean)*c + mean with c 0.4, 0.3, 0.2, 0.1, 0.05.
func Contrast(img *pix.RGB8, severity int) (*pix.RGB8, error) {
	c, err := level(img, severity, [5]float64{0.4, .3, .2, .1, .05})
	if err != nil {
		return nil, err
	}
	f := toFloat(img, 255)
	var mean [3]float64
	for i, v := range f.v {
		mean[i%3] += v
	}
	n := float64(img.W * img.H)
	for k := range mean {
		mean[k] /= n
	}
	for i, v := range f.v {
		f.v[i] = (v-mean[i%3])*c + mean[i%3]
	}
	return unitToRGB8(img, f), nil
}

// ElasticTransform is elastic_transform: the image resampled (bilinear,
// mirrored edges) at positions displaced by uniform noise in ±0.5% of the
// height, smoothed by a Gaussian of sigma 1% of the size (reflect edges,
// truncate 3) and scaled by alpha 12.5, 16.25, 21.25, 25, 30.
func ElasticTransform(img *pix.RGB8, severity int, rng Rand) (*pix.RGB8, error) {
	alpha, err := level(img, severity, [5]float64{250 * 0.05, 250 * 0.065, 250 * 0.085, 250 * 0.1, 250 * 0.12})
	if err != nil {
		return nil, err
	}
	w, h := img.W, img.H
	// sigma = np.array(shape[:2]) * 0.01: one per axis.
	sy, sx := float64(h)*0.01, float64(w)*0.01
	maxD := float64(h) * 0.005
	field := func() []float32 {
		u := make([]float64, w*h)
		for i := range u {
			u[i] = -maxD + 2*maxD*rng.Float64()
		}
		g := gaussianFilter2(u, w, h, sy, sx, 3, reflect)
		out := make([]float32, len(g))
		for i, v := range g {
			out[i] = float32(v * alpha)
		}
		return out
	}
	dx := field()
	dy := field()
	src := make([]float32, w*h*3)
	for y := range h {
		row := img.Row(y)
		for i, b := range row {
			src[y*w*3+i] = float32(b) / 255
		}
	}
	for y := range h {
		row := img.Row(y)
		for x := range w {
			cy := reflectCoord(float64(y)+float64(dy[y*w+x]), h)
			cx := reflectCoord(float64(x)+float64(dx[y*w+x]), w)
			y0, x0 := math.Floor(cy), math.Floor(cx)
			ty, tx := cy-y0, cx-x0
			ya, yb := reflect.index(int(y0), h), reflect.index(int(y0)+1, h)
			xa, xb := reflect.index(int(x0), w), reflect.index(int(x0)+1, w)
			for k := range 3 {
				at := func(yy, xx int) float64 { return float64(src[(yy*w+xx)*3+k]) }
				v := (1-ty)*((1-tx)*at(ya, xa)+tx*at(ya, xb)) + ty*((1-tx)*at(yb, xa)+tx*at(yb, xb))
				row[3*x+k] = uint8(float32(min(max(float32(v), 0), 1)) * 255)
			}
		}
	}
	return img, nil
}

// gaussianFilter2 is scipy's gaussian_filter on one plane with a sigma per
// axis (sy down the columns, sx along the rows).
func gaussianFilter2(v []float64, w, h int, sy, sx, truncate float64, b boundary) []float64 {
	if sy == sx {
		return gaussianFilter(v, w, h, 1, sy, truncate, b)
	}
	// Transposing twice lets gaussianFilter's single sigma serve: filter
	// along y with sy, then along x with sx.
	t := gaussianFilterAxis(v, w, h, sy, truncate, b, true)
	return gaussianFilterAxis(t, w, h, sx, truncate, b, false)
}

// gaussianFilterAxis is scipy's gaussian_filter1d along one axis of a plane.
func gaussianFilterAxis(v []float64, w, h int, sigma, truncate float64, b boundary, vertical bool) []float64 {
	k := gaussianKernel(sigma, truncate)
	r := len(k) / 2
	out := make([]float64, len(v))
	for y := range h {
		for x := range w {
			var acc float64
			for j := -r; j <= r; j++ {
				if vertical {
					acc += v[b.index(y+j, h)*w+x] * k[j+r]
				} else {
					acc += v[y*w+b.index(x+j, w)] * k[j+r]
				}
			}
			out[y*w+x] = acc
		}
	}
	return out
}

// Pixelate is pixelate: Pillow's BOX resize to int(size*c), c 0.6, 0.5,
// 0.4, 0.3, 0.25, then its NEAREST resize back, exactly.
func Pixelate(img *pix.RGB8, severity int) (*pix.RGB8, error) {
	c, err := level(img, severity, [5]float64{0.6, 0.5, 0.4, 0.3, 0.25})
	if err != nil {
		return nil, err
	}
	sw, sh := int(float64(img.W)*c), int(float64(img.H)*c)
	if sw < 1 || sh < 1 {
		return nil, fmt.Errorf("pixelate: a %dx%d image is too small", img.W, img.H)
	}
	small, err := resample.Resize(nil, img, sw, sh, pix.Box, nil)
	if err != nil {
		return nil, fmt.Errorf("pixelate: %w", err)
	}
	return pillowNearest(small, img.W, img.H), nil
}

// pillowNearest is Pillow 9.4's Image.resize((w, h), NEAREST): ImagingScaleAffine
// with the pixel-centre offset, source positions accumulated in double
// precision and truncated.
func pillowNearest(src *pix.RGB8, w, h int) *pix.RGB8 {
	out := pix.New(w, h)
	xs := make([]int, w)
	ax := float64(src.W) / float64(w)
	xo := ax * 0.5
	for x := range w {
		xs[x] = min(int(xo), src.W-1)
		xo += ax
	}
	ay := float64(src.H) / float64(h)
	yo := ay * 0.5
	for y := range h {
		in := src.Row(min(int(yo), src.H-1))
		o := out.Row(y)
		for x, sx := range xs {
			copy(o[3*x:3*x+3], in[3*sx:3*sx+3])
		}
		yo += ay
	}
	return out
}

// JPEGCompression is jpeg_compression: the image saved by Pillow as a JPEG
// of quality 25, 18, 15, 10, 7 and decoded back, through codec.
func JPEGCompression(img *pix.RGB8, severity int, codec JPEGCodec) (*pix.RGB8, error) {
	q, err := level(img, severity, [5]int{25, 18, 15, 10, 7})
	if err != nil {
		return nil, err
	}
	if codec == nil {
		return nil, fmt.Errorf("no JPEG codec (package preprocess registers one with package variant)")
	}
	out, err := codec(img, q)
	if err != nil {
		return nil, fmt.Errorf("jpeg quality %d: %w", q, err)
	}
	if out.W != img.W || out.H != img.H {
		return nil, fmt.Errorf("jpeg quality %d: codec returned %dx%d for %dx%d", q, out.W, out.H, img.W, img.H)
	}
	return out, nil
}
