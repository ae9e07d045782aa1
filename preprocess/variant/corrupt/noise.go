package corrupt

import (
	"math"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// GaussianNoise is gaussian_noise: x/255 plus normal noise of standard
// deviation 0.08, 0.12, 0.18, 0.26, 0.38, clipped to [0, 1].
func GaussianNoise(img *pix.RGB8, severity int, rng Rand) (*pix.RGB8, error) {
	c, err := level(img, severity, [5]float64{.08, .12, 0.18, 0.26, 0.38})
	if err != nil {
		return nil, err
	}
	f := toFloat(img, 255)
	for i, x := range f.v {
		f.v[i] = x + rng.NormFloat64()*c
	}
	return unitToRGB8(img, f), nil
}

// ShotNoise is shot_noise: Poisson(x/255 * c)/c with c 60, 25, 12, 5, 3,
// clipped to [0, 1].
func ShotNoise(img *pix.RGB8, severity int, rng Rand) (*pix.RGB8, error) {
	c, err := level(img, severity, [5]float64{60, 25, 12, 5, 3})
	if err != nil {
		return nil, err
	}
	f := toFloat(img, 255)
	for i, x := range f.v {
		f.v[i] = float64(poisson(rng, x*c)) / c
	}
	return unitToRGB8(img, f), nil
}

// ImpulseNoise is impulse_noise: skimage's random_noise(mode='s&p',
// amount=c) with c 0.03, 0.06, 0.09, 0.17, 0.27: each value (each channel
// on its own) is replaced with probability c, by 1 or 0 with equal odds.
func ImpulseNoise(img *pix.RGB8, severity int, rng Rand) (*pix.RGB8, error) {
	c, err := level(img, severity, [5]float64{.03, .06, .09, 0.17, 0.27})
	if err != nil {
		return nil, err
	}
	f := toFloat(img, 255)
	// random_noise draws the whole "flipped" mask, then the whole "salted"
	// mask: two uniform draws per value, in that order.
	flipped := make([]bool, len(f.v))
	for i := range flipped {
		flipped[i] = rng.Float64() <= c
	}
	for i := range f.v {
		salted := rng.Float64() <= 0.5
		if flipped[i] {
			if salted {
				f.v[i] = 1
			} else {
				f.v[i] = 0
			}
		}
	}
	return unitToRGB8(img, f), nil
}

// SpeckleNoise is speckle_noise: x + x*N(0, c) with c 0.15, 0.2, 0.35,
// 0.45, 0.6, clipped to [0, 1].
func SpeckleNoise(img *pix.RGB8, severity int, rng Rand) (*pix.RGB8, error) {
	c, err := level(img, severity, [5]float64{.15, .2, 0.35, 0.45, 0.6})
	if err != nil {
		return nil, err
	}
	f := toFloat(img, 255)
	for i, x := range f.v {
		f.v[i] = x + x*(rng.NormFloat64()*c)
	}
	return unitToRGB8(img, f), nil
}

// poisson draws from Poisson(lam) with NumPy's legacy algorithms: the
// multiplication method below 10, Hörmann's PTRS transformed rejection
// from 10 on.
func poisson(rng Rand, lam float64) int64 {
	if lam >= 10 {
		return poissonPTRS(rng, lam)
	}
	if lam == 0 {
		return 0
	}
	enlam := math.Exp(-lam)
	var x int64
	prod := 1.0
	for {
		prod *= rng.Float64()
		if prod > enlam {
			x++
		} else {
			return x
		}
	}
}

func poissonPTRS(rng Rand, lam float64) int64 {
	slam := math.Sqrt(lam)
	loglam := math.Log(lam)
	b := 0.931 + 2.53*slam
	a := -0.059 + 0.02483*b
	invalpha := 1.1239 + 1.1328/(b-3.4)
	vr := 0.9277 - 3.6224/(b-2)
	for {
		u := rng.Float64() - 0.5
		v := rng.Float64()
		us := 0.5 - math.Abs(u)
		k := int64(math.Floor((2*a/us+b)*u + lam + 0.43))
		if us >= 0.07 && v <= vr {
			return k
		}
		if k < 0 || (us < 0.013 && v > us) {
			continue
		}
		if math.Log(v)+math.Log(invalpha)-math.Log(a/(us*us)+b) <= -lam+float64(k)*loglam-loggam(float64(k+1)) {
			return k
		}
	}
}

// loggam is NumPy's random_loggam, log Γ(x) for x > 0.
func loggam(x float64) float64 {
	a := [10]float64{8.333333333333333e-02, -2.777777777777778e-03,
		7.936507936507937e-04, -5.952380952380952e-04,
		8.417508417508418e-04, -1.917526917526918e-03,
		6.410256410256410e-03, -2.955065359477124e-02,
		1.796443723688307e-01, -1.39243221690590e+00}
	if x == 1 || x == 2 {
		return 0
	}
	n := 0
	if x < 7 {
		n = int(7 - x)
	}
	x0 := x + float64(n)
	x2 := (1 / x0) * (1 / x0)
	gl0 := a[9]
	for k := 8; k >= 0; k-- {
		gl0 = gl0*x2 + a[k]
	}
	gl := gl0/x0 + 0.5*math.Log(2*math.Pi) + (x0-0.5)*math.Log(x0) - x0
	for k := 1; k <= n; k++ {
		gl -= math.Log(x0 - 1)
		x0--
	}
	return gl
}
