package corrupt

import (
	"math"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// Stand-ins for the OpenCV 4 functions the reference calls.

// reflect101 maps i into [0, n) as OpenCV's BORDER_REFLECT_101
// (gfedcb|abcdefgh|gfedcba).
func reflect101(i, n int) int {
	if n == 1 {
		return 0
	}
	for i < 0 || i >= n {
		if i < 0 {
			i = -i
		}
		if i >= n {
			i = 2*(n-1) - i
		}
	}
	return i
}

// cvGaussianKernel is cv2.getGaussianKernel(ksize, sigma) for sigma > 0:
// exp(-x²/(2 sigma²)) normalised, in double.
func cvGaussianKernel(ksize int, sigma float64) []float64 {
	k := make([]float64, ksize)
	scale := -0.5 / (sigma * sigma)
	var sum float64
	for i := range k {
		x := float64(i - (ksize-1)/2)
		k[i] = math.Exp(scale * x * x)
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	return k
}

// filter2D is cv2.filter2D(channel, -1, kernel) applied to each channel of
// an h×w×c float64 array: correlation with the kw×kw kernel anchored at its
// centre, reflect-101 border.
func filter2D(v []float64, w, h, c int, k []float64, kw int) []float64 {
	r := kw / 2
	type tap struct {
		dy, dx int
		k      float64
	}
	var taps []tap
	for i := range kw {
		for j := range kw {
			if k[i*kw+j] != 0 { // the disk's zero corners cost nothing
				taps = append(taps, tap{i - r, j - r, k[i*kw+j]})
			}
		}
	}
	// Pad once, so the inner loop has no border tests.
	pw, ph := w+2*r, h+2*r
	pad := make([]float64, pw*ph*c)
	for y := range ph {
		sy := reflect101(y-r, h)
		for x := range pw {
			sx := reflect101(x-r, w)
			copy(pad[(y*pw+x)*c:(y*pw+x+1)*c], v[(sy*w+sx)*c:])
		}
	}
	out := make([]float64, len(v))
	for y := range h {
		o := out[y*w*c : (y+1)*w*c]
		for _, t := range taps {
			src := pad[((y+r+t.dy)*pw+r+t.dx)*c:]
			src = src[:len(o)]
			for i, s := range src {
				o[i] += t.k * s
			}
		}
	}
	return out
}

// resizeCubic is cv2.resize(src, (w, h), interpolation=cv2.INTER_CUBIC) on
// an 8-bit image: Keys' cubic with a = -0.75, coefficients in 11-bit fixed
// point, a horizontal pass into 32-bit sums, then a vertical pass rounded
// off 22 bits and saturated; edges replicated.
func resizeCubic(src *pix.RGB8, w, h int) *pix.RGB8 {
	xofs, xk := cubicTaps(src.W, w)
	yofs, yk := cubicTaps(src.H, h)
	rows := make([][]int32, src.H)
	rowOf := func(sy int) []int32 {
		sy = min(max(sy, 0), src.H-1)
		if rows[sy] != nil {
			return rows[sy]
		}
		in := src.Row(sy)
		r := make([]int32, w*3)
		for x := range w {
			for c := range 3 {
				var s int32
				for k := range 4 {
					sx := min(max(xofs[x]+k-1, 0), src.W-1)
					s += int32(in[sx*3+c]) * int32(xk[x*4+k])
				}
				r[x*3+c] = s
			}
		}
		rows[sy] = r
		return r
	}
	out := pix.New(w, h)
	// OpenCV's vertical pass runs SIMD in float32 over whole blocks of
	// cubicLanes values (VResizeCubicVec_32s8u: the taps scaled by 2^-22,
	// multiply-adds from the last tap up, rounded half to even), and the
	// scalar fixed-point code over the rest of the row.
	vec := w * 3 / cubicLanes * cubicLanes
	const scale = float32(1.0 / (2048 * 2048))
	for y := range h {
		var rs [4][]int32
		for k := range 4 {
			rs[k] = rowOf(yofs[y] + k - 1)
		}
		b := yk[y*4 : y*4+4]
		b0, b1, b2, b3 := float32(b[0])*scale, float32(b[1])*scale, float32(b[2])*scale, float32(b[3])*scale
		o := out.Row(y)
		for i := range o[:vec] {
			t := float32(rs[3][i]) * b3
			t = float32(float32(rs[2][i])*b2) + t
			t = float32(float32(rs[1][i])*b1) + t
			t = float32(float32(rs[0][i])*b0) + t
			v := math.RoundToEven(float64(t))
			o[i] = uint8(min(max(v, 0), 255))
		}
		for i := vec; i < len(o); i++ {
			var s int64
			for k := range 4 {
				s += int64(rs[k][i]) * int64(b[k])
			}
			v := (s + 1<<21) >> 22
			o[i] = uint8(min(max(v, 0), 255))
		}
	}
	return out
}

// cubicLanes is the block of values OpenCV's SIMD vertical cubic pass
// handles at a time (two SSE float32 vectors).
const cubicLanes = 8

// cubicTaps are OpenCV's source offsets and 11-bit cubic coefficients for
// one axis of an in → out resize.
func cubicTaps(in, out int) ([]int, []int16) {
	const a = -0.75
	scale := 1 / (float64(out) / float64(in)) // OpenCV: 1/inv_scale_x
	ofs := make([]int, out)
	k := make([]int16, out*4)
	for d := range out {
		fx := float32((float64(d)+0.5)*scale - 0.5)
		sx := int(math.Floor(float64(fx)))
		fx -= float32(sx)
		x := fx
		var c [4]float32
		c[0] = ((a*(x+1)-5*a)*(x+1)+8*a)*(x+1) - 4*a
		c[1] = ((a+2)*x-(a+3))*x*x + 1
		c[2] = ((a+2)*(1-x)-(a+3))*(1-x)*(1-x) + 1
		c[3] = 1 - c[0] - c[1] - c[2]
		ofs[d] = sx
		for i := range 4 {
			k[d*4+i] = int16(math.RoundToEven(float64(c[i] * 2048)))
		}
	}
	return ofs, k
}

// canny is cv2.Canny(img, low, high) with a 3×3 Sobel aperture and the L1
// gradient: non-maximum suppression along the gradient direction, then
// hysteresis from the pixels above high through those above low. It
// returns 255 on edges, 0 elsewhere.
func canny(img []uint8, w, h int, low, high int32) []uint8 {
	dx := make([]int32, w*h)
	dy := make([]int32, w*h)
	mag := make([]int32, (w+2)*(h+2)) // zero border
	at := func(x, y int) int32 {
		return int32(img[min(max(y, 0), h-1)*w+min(max(x, 0), w-1)])
	}
	for y := range h {
		for x := range w {
			gx := at(x+1, y-1) + 2*at(x+1, y) + at(x+1, y+1) - at(x-1, y-1) - 2*at(x-1, y) - at(x-1, y+1)
			gy := at(x-1, y+1) + 2*at(x, y+1) + at(x+1, y+1) - at(x-1, y-1) - 2*at(x, y-1) - at(x+1, y-1)
			dx[y*w+x], dy[y*w+x] = gx, gy
			mag[(y+1)*(w+2)+x+1] = absI32(gx) + absI32(gy)
		}
	}
	const shift = 15
	tg22 := int64(13573) // (int)(tan(22.5°) << 15 + 0.5), OpenCV's TG22
	// state: 0 may be an edge, 1 cannot, 2 is an edge.
	state := make([]uint8, w*h)
	var stack []int
	mw := w + 2
	for y := range h {
		for x := range w {
			i := y*w + x
			m := mag[(y+1)*mw+x+1]
			state[i] = 1
			if m <= low {
				continue
			}
			xs, ys := int64(dx[i]), int64(dy[i])
			ax, ay := abs64(xs), abs64(ys)<<shift
			tg22x := ax * tg22
			j := (y+1)*mw + x + 1
			var keep bool
			if ay < tg22x {
				keep = m > mag[j-1] && m >= mag[j+1]
			} else if tg67x := tg22x + ax<<(shift+1); ay > tg67x {
				keep = m > mag[j-mw] && m >= mag[j+mw]
			} else {
				s := 1
				if xs^ys < 0 {
					s = -1
				}
				keep = m > mag[j-mw-s] && m > mag[j+mw+s]
			}
			if !keep {
				continue
			}
			if m > high {
				state[i] = 2
				stack = append(stack, i)
			} else {
				state[i] = 0
			}
		}
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		y, x := i/w, i%w
		for ny := y - 1; ny <= y+1; ny++ {
			for nx := x - 1; nx <= x+1; nx++ {
				if ny < 0 || ny >= h || nx < 0 || nx >= w {
					continue
				}
				if n := ny*w + nx; state[n] == 0 {
					state[n] = 2
					stack = append(stack, n)
				}
			}
		}
	}
	out := make([]uint8, w*h)
	for i, s := range state {
		if s == 2 {
			out[i] = 255
		}
	}
	return out
}

func absI32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// distanceTransform is cv2.distanceTransform(img, cv2.DIST_L2, 5): for
// each non-zero pixel the chamfer distance (5×5 mask: 1, 1.4, 2.1969) to
// the nearest zero pixel, in two raster passes.
func distanceTransform(img []uint8, w, h int) []float32 {
	const a, b, c = 1.0, 1.4, 2.1969
	const inf = math.MaxFloat32
	d := make([]float64, w*h)
	for i, v := range img {
		if v == 0 {
			d[i] = 0
		} else {
			d[i] = inf
		}
	}
	get := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= w || y >= h {
			return inf
		}
		return d[y*w+x]
	}
	fwd := [...]struct {
		dx, dy int
		k      float64
	}{{-1, -2, c}, {1, -2, c}, {-2, -1, c}, {-1, -1, b}, {0, -1, a}, {1, -1, b}, {2, -1, c}, {-1, 0, a}}
	for y := range h {
		for x := range w {
			i := y*w + x
			if d[i] == 0 {
				continue
			}
			m := d[i]
			for _, t := range fwd {
				m = min(m, get(x+t.dx, y+t.dy)+t.k)
			}
			d[i] = m
		}
	}
	for y := h - 1; y >= 0; y-- {
		for x := w - 1; x >= 0; x-- {
			i := y*w + x
			if d[i] == 0 {
				continue
			}
			m := d[i]
			for _, t := range fwd {
				m = min(m, get(x-t.dx, y-t.dy)+t.k)
			}
			d[i] = m
		}
	}
	out := make([]float32, len(d))
	for i, v := range d {
		out[i] = float32(v)
	}
	return out
}

// equalizeHist is cv2.equalizeHist.
func equalizeHist(img []uint8) []uint8 {
	var hist [256]int
	for _, v := range img {
		hist[v]++
	}
	first := 0
	for first < 255 && hist[first] == 0 {
		first++
	}
	out := make([]uint8, len(img))
	total := len(img)
	if hist[first] == total {
		for i := range out {
			out[i] = uint8(first)
		}
		return out
	}
	scale := 255 / float32(total-hist[first])
	var lut [256]uint8
	sum := 0
	for i := first + 1; i < 256; i++ {
		sum += hist[i]
		lut[i] = uint8(min(max(math.RoundToEven(float64(float32(sum)*scale)), 0), 255))
	}
	for i, v := range img {
		out[i] = lut[v]
	}
	return out
}

// boxBlur3 is cv2.blur(img, (3, 3)) on one float32 plane: the mean of the
// 3×3 neighbourhood, reflect-101 border.
func boxBlur3(v []float32, w, h int) []float32 {
	out := make([]float32, len(v))
	for y := range h {
		for x := range w {
			var s float32
			for j := -1; j <= 1; j++ {
				row := v[reflect101(y+j, h)*w:]
				s += row[reflect101(x-1, w)] + row[x] + row[reflect101(x+1, w)]
			}
			out[y*w+x] = s * (1.0 / 9)
		}
	}
	return out
}
