package stats

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/stat"
)

// DefaultResamples is the number of bootstrap resamples imagenetx draws.
const DefaultResamples = 1000

// Bootstrap configures a paired bootstrap: Resamples draws of n items with
// replacement from a generator seeded with Seed, so equal inputs give equal
// intervals on every run and machine.
type Bootstrap struct {
	Resamples  int
	Seed       uint64
	Confidence float64
}

// DefaultBootstrap is 1000 resamples, seed 1, 95% intervals.
var DefaultBootstrap = Bootstrap{Resamples: DefaultResamples, Seed: 1, Confidence: DefaultConfidence}

// Intervals returns percentile intervals for k statistics of n paired items.
// Each resample draws n indices in [0, n) with replacement; statistics gets
// them and writes the k statistics of that resample into out (typically each
// a difference of two statistics on the same items, which is what makes the
// bootstrap paired). The bounds are the (1−c)/2 and (1+c)/2 quantiles of the
// resampled values (gonum's LinInterp quantile). Resamples where a
// statistic is NaN (e.g. no image of a factor was drawn) are left out of that
// statistic's quantiles; a statistic that is NaN in every resample gets NaN
// bounds.
func (b Bootstrap) Intervals(ctx context.Context, n, k int, statistics func(idx []int, out []float64)) (lo, hi []float64, err error) {
	if n <= 0 || k <= 0 || b.Resamples <= 0 || !(b.Confidence > 0 && b.Confidence < 1) {
		return nil, nil, fmt.Errorf("bootstrap: need n, k, resamples > 0 and 0 < confidence < 1 (got n=%d k=%d resamples=%d confidence=%g)",
			n, k, b.Resamples, b.Confidence)
	}
	rng := rand.New(rand.NewPCG(b.Seed, 0x9e3779b97f4a7c15))
	idx := make([]int, n)
	out := make([]float64, k)
	samples := make([][]float64, k)
	for r := 0; r < b.Resamples; r++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("bootstrap: %w", err)
		}
		for i := range idx {
			idx[i] = rng.IntN(n)
		}
		statistics(idx, out)
		for j, v := range out {
			if !math.IsNaN(v) {
				samples[j] = append(samples[j], v)
			}
		}
	}
	lo, hi = make([]float64, k), make([]float64, k)
	for j, s := range samples {
		lo[j], hi[j] = percentileInterval(s, b.Confidence)
	}
	return lo, hi, nil
}

func percentileInterval(s []float64, confidence float64) (lo, hi float64) {
	if len(s) == 0 {
		return math.NaN(), math.NaN()
	}
	sort.Float64s(s)
	alpha := (1 - confidence) / 2
	return stat.Quantile(alpha, stat.LinInterp, s, nil), stat.Quantile(1-alpha, stat.LinInterp, s, nil)
}

// ErrorRatioChanges returns, per factor, the change of the error ratio from
// a baseline to a variant run on the same images (variant − baseline) and its
// paired bootstrap interval, resampling images. base and variant hold each
// image's correctness; masks[f][i] says whether image i shows factor f. The
// error ratio is (1 − accuracy on the factor's images)/(1 − overall accuracy);
// a factor without images has NaN change and bounds.
func (b Bootstrap) ErrorRatioChanges(ctx context.Context, base, variant []bool, masks [][]bool) (change, lo, hi []float64, err error) {
	n := len(base)
	if len(variant) != n {
		return nil, nil, nil, fmt.Errorf("error ratio changes: baseline has %d images, variant %d", n, len(variant))
	}
	for f, m := range masks {
		if len(m) != n {
			return nil, nil, nil, fmt.Errorf("error ratio changes: mask %d has %d images, want %d", f, len(m), n)
		}
	}
	packed := packMasks(masks, n)
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	change = make([]float64, len(masks))
	errorRatioChange(all, base, variant, packed, change)
	lo, hi, err = b.Intervals(ctx, n, len(masks), func(idx []int, out []float64) {
		errorRatioChange(idx, base, variant, packed, out)
	})
	return change, lo, hi, err
}

// packMasks turns factor-major masks into one bit set per image so that a
// resample visits each drawn image once, not once per factor.
func packMasks(masks [][]bool, n int) []uint64 {
	words := (len(masks) + 63) / 64
	packed := make([]uint64, n*words)
	for f, m := range masks {
		for i, on := range m {
			if on {
				packed[i*words+f/64] |= 1 << (f % 64)
			}
		}
	}
	return packed
}

// errorRatioChange writes variant − baseline error ratio per factor over the
// images idx (with repetition).
func errorRatioChange(idx []int, base, variant []bool, packed []uint64, out []float64) {
	k := len(out)
	words := (k + 63) / 64
	var n, baseErr, varErr float64
	count := make([]float64, k)
	fBaseErr := make([]float64, k)
	fVarErr := make([]float64, k)
	for _, i := range idx {
		n++
		be, ve := b2f(!base[i]), b2f(!variant[i])
		baseErr += be
		varErr += ve
		for w := 0; w < words; w++ {
			for set := packed[i*words+w]; set != 0; set &= set - 1 {
				f := w*64 + bits.TrailingZeros64(set)
				count[f]++
				fBaseErr[f] += be
				fVarErr[f] += ve
			}
		}
	}
	for f := range out {
		out[f] = (fVarErr[f]/count[f])/(varErr/n) - (fBaseErr[f]/count[f])/(baseErr/n)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
