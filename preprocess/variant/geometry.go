package variant

import (
	"math"
	"strconv"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// hflip mirrors img left-right in place (F.hflip).
func hflip(img *pix.RGB8) {
	for y := 0; y < img.H; y++ {
		row := img.Row(y)
		for l, r := 0, img.W-1; l < r; l, r = l+1, r-1 {
			a, b := row[3*l:3*l+3:3*l+3], row[3*r:3*r+3:3*r+3]
			a[0], a[1], a[2], b[0], b[1], b[2] = b[0], b[1], b[2], a[0], a[1], a[2]
		}
	}
}

// pyRound15 is Python's round(x, 15): correctly rounded to 15 decimals.
func pyRound15(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 15, 64), 64)
	return v
}

// rotate is F.rotate(img, degrees) on PIL: Image.rotate(degrees, NEAREST,
// expand=False, center=None, fillcolor=0), i.e. an inverse affine map about
// the image centre, evaluated as Pillow's ImagingTransformAffine does
// (16.16 fixed point when the coordinates fit, else doubles).
func rotate(img *pix.RGB8, degrees float64) *pix.RGB8 {
	angle := math.Mod(degrees, 360)
	if angle < 0 {
		angle += 360 // Python's % takes the divisor's sign
	}
	switch {
	case angle == 0:
		return img
	case angle == 180:
		return rotate180(img)
	case (angle == 90 || angle == 270) && img.W == img.H:
		return rotateQuarter(img, angle == 90)
	}
	w, h := img.W, img.H
	cx, cy := float64(w)/2, float64(h)/2
	rad := -float64(angle * (math.Pi / 180))
	a := [6]float64{pyRound15(math.Cos(rad)), pyRound15(math.Sin(rad)), 0, pyRound15(-math.Sin(rad)), pyRound15(math.Cos(rad)), 0}
	a[2] = float64(a[0]*-cx) + float64(a[1]*-cy) + 0
	a[5] = float64(a[3]*-cx) + float64(a[4]*-cy) + 0
	a[2] += cx
	a[5] += cy
	out := pix.New(w, h)
	if fitsFixed(a, w, h) {
		affineFixed(out, img, a)
	} else {
		affineFloat(out, img, a)
	}
	return out
}

func rotate180(img *pix.RGB8) *pix.RGB8 {
	out := pix.New(img.W, img.H)
	for y := 0; y < img.H; y++ {
		in, o := img.Row(y), out.Row(img.H-1-y)
		for x := 0; x < img.W; x++ {
			copy(o[3*(img.W-1-x):3*(img.W-x)], in[3*x:3*x+3])
		}
	}
	return out
}

// rotateQuarter is PIL's transpose ROTATE_90 (counter-clockwise) or
// ROTATE_270, which Image.rotate uses for square images.
func rotateQuarter(img *pix.RGB8, ccw bool) *pix.RGB8 {
	out := pix.New(img.H, img.W)
	for y := 0; y < img.H; y++ {
		in := img.Row(y)
		for x := 0; x < img.W; x++ {
			ox, oy := y, img.W-1-x
			if !ccw {
				ox, oy = img.H-1-y, x
			}
			copy(out.Pix[oy*out.Stride+3*ox:oy*out.Stride+3*ox+3], in[3*x:3*x+3])
		}
	}
	return out
}

// fitsFixed is Pillow's check_fixed on the four corners.
func fitsFixed(a [6]float64, w, h int) bool {
	ok := func(x, y float64) bool {
		return math.Abs(float64(x*a[0])+float64(y*a[1])+a[2]) < 32768 &&
			math.Abs(float64(x*a[3])+float64(y*a[4])+a[5]) < 32768
	}
	fw, fh := float64(w), float64(h)
	return ok(0, 0) && ok(fw, fh) && ok(0, fh) && ok(fw, 0)
}

// pilFloor is Geometry.c's FLOOR macro.
func pilFloor(v float64) int {
	if v < 0 {
		return int(math.Floor(v))
	}
	return int(v)
}

func fix(v float64) int32 { return int32(pilFloor(float64(v*65536.0) + 0.5)) }

// affineFixed is Pillow's affine_fixed (nearest neighbour, 16.16 fixed point).
func affineFixed(out, in *pix.RGB8, a [6]float64) {
	a0, a1, a3, a4 := fix(a[0]), fix(a[1]), fix(a[3]), fix(a[4])
	a2 := fix(float64(a[2]+float64(a[0]*0.5)) + float64(a[1]*0.5))
	a5 := fix(float64(a[5]+float64(a[3]*0.5)) + float64(a[4]*0.5))
	for y := 0; y < out.H; y++ {
		xx, yy := a2, a5
		o := out.Row(y)
		for x := 0; x < out.W; x++ {
			if xin := int(xx >> 16); xin >= 0 && xin < in.W {
				if yin := int(yy >> 16); yin >= 0 && yin < in.H {
					copy(o[3*x:3*x+3], in.Pix[yin*in.Stride+3*xin:])
				}
			}
			xx += a0
			yy += a3
		}
		a2 += a1
		a5 += a4
	}
}

// coord is Geometry.c's COORD macro.
func coord(v float64) int {
	if v < 0 {
		return -1
	}
	return int(v)
}

// affineFloat is ImagingTransformAffine's double-precision fallback.
func affineFloat(out, in *pix.RGB8, a [6]float64) {
	xo := float64(a[2]+float64(a[1]*0.5)) + float64(a[0]*0.5)
	yo := float64(a[5]+float64(a[4]*0.5)) + float64(a[3]*0.5)
	for y := 0; y < out.H; y++ {
		xx, yy := xo, yo
		o := out.Row(y)
		for x := 0; x < out.W; x++ {
			if xin := coord(xx); xin >= 0 && xin < in.W {
				if yin := coord(yy); yin >= 0 && yin < in.H {
					copy(o[3*x:3*x+3], in.Pix[yin*in.Stride+3*xin:])
				}
			}
			xx += a[0]
			yy += a[3]
		}
		xo += a[1]
		yo += a[4]
	}
}
