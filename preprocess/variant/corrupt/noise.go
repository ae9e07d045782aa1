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
	// A byte has 256 values: each one's Poisson constants are computed once.
	var ps [256]*poissonParams
	for y := range img.H {
		for i, b := range img.Row(y) {
			if ps[b] == nil {
				ps[b] = newPoisson(float64(b) / 255 * c)
			}
			f.v[y*img.W*3+i] = float64(ps[b].draw(rng)) / c
		}
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
func poisson(rng Rand, lam float64) int64 { return newPoisson(lam).draw(rng) }

// poissonParams are the constants of one lam's draws.
type poissonParams struct {
	lam, enlam                                float64
	slam, loglam, a, b, invalpha, vr, logInva float64
}

func newPoisson(lam float64) *poissonParams {
	p := &poissonParams{lam: lam}
	if lam < 10 {
		p.enlam = math.Exp(-lam)
		return p
	}
	p.slam = math.Sqrt(lam)
	p.loglam = math.Log(lam)
	p.b = 0.931 + 2.53*p.slam
	p.a = -0.059 + 0.02483*p.b
	p.invalpha = 1.1239 + 1.1328/(p.b-3.4)
	p.vr = 0.9277 - 3.6224/(p.b-2)
	p.logInva = math.Log(p.invalpha)
	return p
}

func (p *poissonParams) draw(rng Rand) int64 {
	if p.lam >= 10 {
		return p.ptrs(rng)
	}
	if p.lam == 0 {
		return 0
	}
	var x int64
	prod := 1.0
	for {
		prod *= rng.Float64()
		if prod > p.enlam {
			x++
		} else {
			return x
		}
	}
}

func (p *poissonParams) ptrs(rng Rand) int64 {
	for {
		u := rng.Float64() - 0.5
		v := rng.Float64()
		us := 0.5 - math.Abs(u)
		k := int64(math.Floor((2*p.a/us+p.b)*u + p.lam + 0.43))
		if us >= 0.07 && v <= p.vr {
			return k
		}
		if k < 0 || (us < 0.013 && v > us) {
			continue
		}
		if math.Log(v)+p.logInva-math.Log(p.a/(us*us)+p.b) <= -p.lam+float64(k)*p.loglam-loggam(float64(k+1)) {
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
