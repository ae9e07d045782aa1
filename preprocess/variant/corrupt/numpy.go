package corrupt

import "math"

// NumPyRand reproduces NumPy's legacy generator (np.random.seed(n), then
// np.random.random_sample, standard normal and randint) draw for draw:
// MT19937 seeded by init_genrand, doubles of 53 bits from two 32-bit
// outputs, normals by the polar Box–Muller method with the second value
// cached, bounded integers by masked rejection. With it the corruptions
// that draw only from np.random (all random ones but impulse_noise, which
// uses skimage's own Generator, and glass_blur, whose numba loop has its
// own state) give the very image imagecorruptions gives after
// np.random.seed(n).
type NumPyRand struct {
	mt       [624]uint32
	pos      int
	hasGauss bool
	gauss    float64
}

// NewNumPyRand returns the generator np.random.seed(seed) leaves.
func NewNumPyRand(seed uint32) *NumPyRand {
	r := &NumPyRand{}
	s := seed
	for i := range r.mt {
		r.mt[i] = s
		s = 1812433253*(s^(s>>30)) + uint32(i) + 1
	}
	r.pos = len(r.mt)
	return r
}

func (r *NumPyRand) next() uint32 {
	const n, m = 624, 397
	const upper, lower, matrixA = 0x80000000, 0x7fffffff, 0x9908b0df
	if r.pos >= n {
		mt := &r.mt
		for i := range n {
			y := mt[i]&upper | mt[(i+1)%n]&lower
			v := mt[(i+m)%n] ^ y>>1
			if y&1 != 0 {
				v ^= matrixA
			}
			mt[i] = v
		}
		r.pos = 0
	}
	y := r.mt[r.pos]
	r.pos++
	y ^= y >> 11
	y ^= y << 7 & 0x9d2c5680
	y ^= y << 15 & 0xefc60000
	y ^= y >> 18
	return y
}

// Float64 is np.random.random_sample(): (a>>5 * 2^26 + b>>6) / 2^53.
func (r *NumPyRand) Float64() float64 {
	a, b := r.next()>>5, r.next()>>6
	return (float64(a)*67108864 + float64(b)) / 9007199254740992
}

// NormFloat64 is np.random.standard_normal() (legacy_gauss).
func (r *NumPyRand) NormFloat64() float64 {
	if r.hasGauss {
		r.hasGauss = false
		return r.gauss
	}
	for {
		x1 := 2*r.Float64() - 1
		x2 := 2*r.Float64() - 1
		r2 := x1*x1 + x2*x2
		if r2 >= 1 || r2 == 0 {
			continue
		}
		f := math.Sqrt(-2 * math.Log(r2) / r2)
		r.gauss, r.hasGauss = f*x1, true
		return f * x2
	}
}

// IntN is np.random.randint(0, n) for 0 < n <= 2^32: 32-bit outputs masked
// to the smallest covering power of two, rejected above n-1.
func (r *NumPyRand) IntN(n int) int {
	if n <= 1 {
		return 0
	}
	rng := uint32(n - 1)
	mask := rng
	mask |= mask >> 1
	mask |= mask >> 2
	mask |= mask >> 4
	mask |= mask >> 8
	mask |= mask >> 16
	for {
		if v := r.next() & mask; v <= rng {
			return int(v)
		}
	}
}

// NumPySeeded lists the random corruptions that NumPyRand reproduces draw
// for draw.
func NumPySeeded(name string) bool {
	switch name {
	case "impulse_noise", "glass_blur":
		return false
	}
	_, ok := Lookup(name)
	return ok
}
