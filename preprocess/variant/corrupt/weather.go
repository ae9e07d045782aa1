package corrupt

import (
	"fmt"
	"math"
	"sync"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// Snow is snow: a normal snow layer (mean 0.1 to 0.55) zoomed by 2 to 4.5,
// thresholded, motion-blurred at an angle uniform in [-135, -45] degrees,
// quantised to 8 bits and added with its 180° rotation to the image
// brightened towards its 1.5×gray + 0.5.
func Snow(img *pix.RGB8, severity int, rng Rand) (*pix.RGB8, error) {
	c, err := level(img, severity, [5][7]float64{
		{0.1, 0.3, 3, 0.5, 10, 4, 0.8},
		{0.2, 0.3, 2, 0.5, 12, 4, 0.7},
		{0.55, 0.3, 4, 0.9, 12, 8, 0.7},
		{0.55, 0.3, 4.5, 0.85, 12, 8, 0.65},
		{0.55, 0.3, 2.5, 0.85, 12, 12, 0.55}})
	if err != nil {
		return nil, err
	}
	w, h := img.W, img.H
	layer := make([]float64, w*h)
	for i := range layer {
		layer[i] = c[0] + c[1]*rng.NormFloat64()
	}
	z, zw, zh := clippedZoom(layer, w, h, 1, c[2], false)
	for i, v := range z {
		if v < c[3] {
			v = 0
		}
		z[i] = min(max(v, 0), 1)
	}
	angle := -135 + 90*rng.Float64()
	z = motionBlur(z, zw, zh, 1, int(c[4]), c[5], angle)
	snowAt := func(x, y int) float64 {
		return math.RoundToEven(z[y*zw+x]*255) / 255 // np.round(...).astype(np.uint8) / 255
	}
	for y := range h {
		row := img.Row(y)
		for x := range w {
			p := row[3*x : 3*x+3 : 3*x+3]
			var xf [3]float32
			for k := range 3 {
				xf[k] = float32(p[k]) / 255
			}
			// cv2.cvtColor(x, COLOR_RGB2GRAY) on float32.
			gray := xf[0]*0.299 + xf[1]*0.587 + xf[2]*0.114
			s1, s2 := snowAt(x, y), snowAt(w-1-x, h-1-y)
			for k := range 3 {
				bright := float32(math.Max(float64(xf[k]), float64(gray*1.5+0.5)))
				v := float32(c[6])*xf[k] + float32(1-c[6])*bright
				p[k] = uint8(min(max(float64(v)+s1+s2, 0), 1) * 255)
			}
		}
	}
	return img, nil
}

// Fog is fog: a plasma fractal (diamond-square, 256×256, wibble decay 2 to
// 1.4) scaled by 1.5 to 3 and added to x/255, then rescaled by
// max/(max + scale).
func Fog(img *pix.RGB8, severity int, rng Rand) (*pix.RGB8, error) {
	c, err := level(img, severity, [5][2]float64{{1.5, 2}, {2., 2}, {2.5, 1.7}, {2.5, 1.5}, {3., 1.4}})
	if err != nil {
		return nil, err
	}
	w, h := img.W, img.H
	size := nextPow2(max(w, h, 3))
	plasma := plasmaFractal(size, c[1], rng)
	f := toFloat(img, 255)
	maxVal := 0.0
	for _, v := range f.v {
		maxVal = max(maxVal, v)
	}
	for y := range h {
		for x := range w {
			add := float64(float32(c[0]) * plasma[y*size+x])
			for k := range 3 {
				i := (y*w+x)*3 + k
				f.v[i] = (f.v[i] + add) * maxVal / (maxVal + c[0])
			}
		}
	}
	return unitToRGB8(img, f), nil
}

func nextPow2(x int) int {
	p := 1
	for p < x {
		p *= 2
	}
	return p
}

// plasmaFractal is the reference's plasma_fractal: a size×size float32
// height map in [0, 1] by the diamond-square algorithm, each new point the
// mean of its four neighbours (wrapping around) plus uniform noise of a
// range that shrinks by decay each level. Draws are made in the
// reference's order (a whole grid per call, row-major).
func plasmaFractal(size int, decay float64, rng Rand) []float32 {
	m := make([]float32, size*size)
	at := func(y, x int) *float32 { return &m[y*size+x] }
	wibble := 100.0
	mean := func(sum float32) float32 {
		return float32(float64(sum/4) + wibble*(-wibble+2*wibble*rng.Float64()))
	}
	for step := size; step >= 2; step /= 2 {
		n := size / step
		half := step / 2
		// fillsquares: corners c; the centre of each square gets
		// c[i,j] + c[i+1,j] + c[i,j+1] + c[i+1,j+1].
		for i := range n {
			for j := range n {
				i1, j1 := (i+1)%n, (j+1)%n
				a := *at(i*step, j*step) + *at(i1*step, j*step)
				b := *at(i*step, j1*step) + *at(i1*step, j1*step)
				*at(i*step+half, j*step+half) = mean(a + b)
			}
		}
		// filldiamonds: the top edge points, then the left edge points.
		top := make([]float32, n*n)
		for i := range n {
			for j := range n {
				ip := (i - 1 + n) % n
				dr := *at(i*step+half, j*step+half) + *at(ip*step+half, j*step+half)
				ul := *at(i*step, j*step) + *at(i*step, ((j+1)%n)*step)
				top[i*n+j] = mean(dr + ul)
			}
		}
		left := make([]float32, n*n)
		for i := range n {
			for j := range n {
				jp := (j - 1 + n) % n
				dr := *at(i*step+half, j*step+half) + *at(i*step+half, jp*step+half)
				ul := *at(i*step, j*step) + *at(((i+1)%n)*step, j*step)
				left[i*n+j] = dr + ul
			}
		}
		for i := range n {
			for j := range n {
				*at(i*step, j*step+half) = top[i*n+j]
			}
		}
		for i := range n {
			for j := range n {
				*at(i*step+half, j*step) = mean(left[i*n+j])
			}
		}
		wibble /= decay
	}
	lo := m[0]
	for _, v := range m {
		lo = min(lo, v)
	}
	var hi float32
	for i := range m {
		m[i] -= lo
		hi = max(hi, m[i])
	}
	for i := range m {
		m[i] /= hi
	}
	return m
}

// FrostOverlays are the six frost images of imagecorruptions (frost1.png
// to frost6.jpg), decoded as cv2.imread does. They are held in RGB order:
// the reference reads BGR and swaps to RGB after resizing and cropping,
// which commute with the swap.
type FrostOverlays struct {
	rgb [6]*pix.RGB8
	// resized caches each overlay's resize per target size (an overlay is
	// resized the same way for every image of a size): read-only once
	// stored, safe for concurrent use.
	resized sync.Map // frostKey -> *pix.RGB8
}

type frostKey struct{ idx, w, h int }

// resizedOverlay is overlay idx resized to w×h (cached).
func (o *FrostOverlays) resizedOverlay(idx, w, h int) *pix.RGB8 {
	k := frostKey{idx, w, h}
	if m, ok := o.resized.Load(k); ok {
		return m.(*pix.RGB8)
	}
	m, _ := o.resized.LoadOrStore(k, resizeCubic(o.rgb[idx], w, h))
	return m.(*pix.RGB8)
}

// FrostFiles are the overlay file names, in the reference's order.
var FrostFiles = [6]string{"frost1.png", "frost2.png", "frost3.png", "frost4.jpg", "frost5.jpg", "frost6.jpg"}

// NewFrostOverlays wraps the six decoded overlays (RGB order, FrostFiles'
// order).
func NewFrostOverlays(rgb [6]*pix.RGB8) (*FrostOverlays, error) {
	o := &FrostOverlays{}
	for i, m := range rgb {
		if m == nil {
			return nil, fmt.Errorf("frost overlay %s is missing", FrostFiles[i])
		}
		if err := m.Validate(); err != nil {
			return nil, fmt.Errorf("frost overlay %s: %w", FrostFiles[i], err)
		}
		o.rgb[i] = m
	}
	return o, nil
}

// Frost is frost: c0*x + c1*overlay, the overlay one of the first five
// frost images (the reference draws np.random.randint(5), so frost6 is
// never used), scaled by 1.1 with OpenCV's bicubic resize (more where it is
// smaller than the image) and cropped at a uniform position.
func Frost(img *pix.RGB8, severity int, ov *FrostOverlays, rng Rand) (*pix.RGB8, error) {
	c, err := level(img, severity, [5][2]float64{{1, 0.4}, {0.8, 0.6}, {0.7, 0.7}, {0.65, 0.7}, {0.6, 0.75}})
	if err != nil {
		return nil, err
	}
	if ov == nil {
		return nil, fmt.Errorf("frost overlays not loaded")
	}
	idx := rng.IntN(5)
	fr := ov.rgb[idx]
	scale := 1.0
	fh, fw := float64(fr.H), float64(fr.W)
	xh, xw := float64(img.H), float64(img.W)
	switch {
	case fr.H >= img.H && fr.W >= img.W:
	case fr.H < img.H && fr.W >= img.W:
		scale = xh / fh
	case fr.H >= img.H && fr.W < img.W:
		scale = xw / fw
	default:
		scale = max(xh/fh, xw/fw)
	}
	scale *= 1.1
	nw, nh := int(math.Ceil(fw*scale)), int(math.Ceil(fh*scale))
	rs := ov.resizedOverlay(idx, nw, nh)
	if nh-img.H <= 0 || nw-img.W <= 0 {
		return nil, fmt.Errorf("frost overlay %dx%d too small for a %dx%d image", nw, nh, img.W, img.H)
	}
	y0 := rng.IntN(nh - img.H)
	x0 := rng.IntN(nw - img.W)
	for y := range img.H {
		row := img.Row(y)
		fro := rs.Row(y0 + y)[3*x0:]
		for i := range row {
			row[i] = clip255(c[0]*float64(row[i]) + c[1]*float64(fro[i]))
		}
	}
	return img, nil
}

// Spatter is spatter: a blurred, thresholded normal "liquid" layer. At
// severities 1 to 3 it is water: its edges (Canny), their distance
// transform, equalised and embossed, make a pale turquoise layer added to
// the image. At 4 and 5 it is mud: the layer's mask blurred, thresholded
// at 0.8, blending the image towards mud brown.
func Spatter(img *pix.RGB8, severity int, rng Rand) (*pix.RGB8, error) {
	c, err := level(img, severity, [5][6]float64{
		{0.65, 0.3, 4, 0.69, 0.6, 0},
		{0.65, 0.3, 3, 0.68, 0.6, 0},
		{0.65, 0.3, 2, 0.68, 0.5, 0},
		{0.65, 0.3, 1, 0.65, 1.5, 1},
		{0.67, 0.4, 1, 0.65, 1.5, 1}})
	if err != nil {
		return nil, err
	}
	w, h := img.W, img.H
	liquid := make([]float64, w*h)
	for i := range liquid {
		liquid[i] = c[0] + c[1]*rng.NormFloat64()
	}
	liquid = gaussianFilter(liquid, w, h, 1, c[2], 4, nearest)
	for i, v := range liquid {
		if v < c[3] {
			liquid[i] = 0
		}
	}
	if c[5] == 0 {
		lq := make([]uint8, w*h)
		for i, v := range liquid {
			lq[i] = uint8(v * 255)
		}
		edges := canny(lq, w, h, 50, 150)
		for i, v := range edges {
			edges[i] = 255 - v
		}
		dist := distanceTransform(edges, w, h)
		for i, v := range dist {
			dist[i] = min(v, 20) // THRESH_TRUNC at 20
		}
		dist = boxBlur3(dist, w, h)
		d8 := make([]uint8, w*h)
		for i, v := range dist {
			d8[i] = uint8(v)
		}
		d8 = equalizeHist(d8)
		d8 = emboss(d8, w, h)
		db := boxBlur8(d8, w, h)
		m := make([]float32, w*h)
		var mx float32
		for i := range m {
			m[i] = float32(lq[i]) * db[i]
			mx = max(mx, m[i])
		}
		color := [3]float32{175 / 255., 238 / 255., 238 / 255.}
		for y := range h {
			row := img.Row(y)
			for x := range w {
				mv := m[y*w+x]
				if mx > 0 {
					mv /= mx
				}
				mv *= float32(c[4])
				for k := range 3 {
					v := float32(row[3*x+k])/255 + mv*color[k]
					row[3*x+k] = uint8(min(max(v, 0), 1) * 255)
				}
			}
		}
		return img, nil
	}
	mask := make([]float64, w*h)
	for i, v := range liquid {
		if v > c[3] {
			mask[i] = 1
		}
	}
	mask = gaussianFilter(mask, w, h, 1, c[4], 4, nearest)
	color := [3]float64{63 / 255., 42 / 255., 20 / 255.}
	for y := range h {
		row := img.Row(y)
		for x := range w {
			mv := float64(float32(mask[y*w+x]))
			if mv < 0.8 {
				mv = 0
			}
			for k := range 3 {
				xv := float32(row[3*x+k]) / 255
				xv *= float32(1 - mv)
				v := float64(xv) + color[k]*mv
				row[3*x+k] = uint8(min(max(v, 0), 1) * 255)
			}
		}
	}
	return img, nil
}

// emboss is cv2.filter2D(img, cv2.CV_8U, [[-2,-1,0],[-1,1,1],[0,1,2]]):
// reflect-101 border, rounded and saturated to 8 bits.
func emboss(img []uint8, w, h int) []uint8 {
	k := [3][3]int{{-2, -1, 0}, {-1, 1, 1}, {0, 1, 2}}
	out := make([]uint8, len(img))
	for y := range h {
		for x := range w {
			s := 0
			for i := range 3 {
				for j := range 3 {
					s += k[i][j] * int(img[reflect101(y+i-1, h)*w+reflect101(x+j-1, w)])
				}
			}
			out[y*w+x] = uint8(min(max(s, 0), 255))
		}
	}
	return out
}

// boxBlur8 is cv2.blur(img, (3, 3)) on an 8-bit plane (the mean of the 3×3
// neighbourhood rounded, reflect-101 border), returned as float32.
func boxBlur8(img []uint8, w, h int) []float32 {
	out := make([]float32, len(img))
	for y := range h {
		for x := range w {
			s := 0
			for j := -1; j <= 1; j++ {
				row := img[reflect101(y+j, h)*w:]
				s += int(row[reflect101(x-1, w)]) + int(row[x]) + int(row[reflect101(x+1, w)])
			}
			out[y*w+x] = float32(math.RoundToEven(float64(s) / 9))
		}
	}
	return out
}

// FrostSHA256 are the overlays' sha256, FrostFiles' order (imagecorruptions
// 1.1.2's imagecorruptions/frost/).
var FrostSHA256 = [6]string{
	"ff9f907860bd7a835d459e32f9d588062b7f61ee267343cc7222b56753a14755",
	"fe211a89b336999c207a852ce05818d4545d0b57c5beadd824b4cc9d9a9b6137",
	"2d0d50b4a9bb213f38b024ef7768731bb83cc08d2f26b5766bbc167cdfa0e504",
	"3f8b91ca1a9fa7167b09e773da53f5ae60d0a1fd88f02a783f6e328a72887f6e",
	"5fc6a19df4a429ba68abdcc8f8a4278d4c9f81c9ccafd2c92ab0c8cf8992ebd2",
	"1f92b2f48408748085b68dd81d816ef239f42cef3029c25d041fcb6760fb4f25",
}
