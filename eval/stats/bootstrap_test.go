package stats

import (
	"context"
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/stat"
)

// pairedFixture: 600 images; the baseline is right on i mod 4 ≠ 0, the
// variant also on i mod 12 == 0 and wrong on i mod 10 == 1. Factor 0 holds
// the even images, factor 1 the multiples of 3, factor 2 none.
func pairedFixture() (base, variant []bool, masks [][]bool) {
	const n = 600
	base, variant = make([]bool, n), make([]bool, n)
	masks = [][]bool{make([]bool, n), make([]bool, n), make([]bool, n)}
	for i := 0; i < n; i++ {
		base[i] = i%4 != 0
		variant[i] = (base[i] || i%12 == 0) && i%10 != 1
		masks[0][i] = i%2 == 0
		masks[1][i] = i%3 == 0
	}
	return base, variant, masks
}

func directErrorRatio(correct, mask []bool) float64 {
	var n, errs, fn, ferrs float64
	for i, c := range correct {
		n++
		if !c {
			errs++
		}
		if mask[i] {
			fn++
			if !c {
				ferrs++
			}
		}
	}
	return (ferrs / fn) / (errs / n)
}

func TestErrorRatioChanges(t *testing.T) {
	base, variant, masks := pairedFixture()
	change, lo, hi, err := DefaultBootstrap.ErrorRatioChanges(context.Background(), base, variant, masks)
	if err != nil {
		t.Fatal(err)
	}
	for f := 0; f < 2; f++ {
		want := directErrorRatio(variant, masks[f]) - directErrorRatio(base, masks[f])
		checkClose(t, "change", change[f], want, 1e-12)
		if !(lo[f] < change[f] && change[f] < hi[f]) {
			t.Errorf("factor %d: interval [%g, %g] does not hold the change %g", f, lo[f], hi[f], change[f])
		}
	}
	if !math.IsNaN(change[2]) || !math.IsNaN(lo[2]) || !math.IsNaN(hi[2]) {
		t.Errorf("factor without images: %g [%g, %g], want NaN", change[2], lo[2], hi[2])
	}
}

func TestErrorRatioChangesOfIdenticalRunsAreZero(t *testing.T) {
	base, _, masks := pairedFixture()
	change, lo, hi, err := DefaultBootstrap.ErrorRatioChanges(context.Background(), base, base, masks[:2])
	if err != nil {
		t.Fatal(err)
	}
	for f := range change {
		if change[f] != 0 || lo[f] != 0 || hi[f] != 0 {
			t.Errorf("factor %d: %g [%g, %g], want exactly 0 [0, 0]", f, change[f], lo[f], hi[f])
		}
	}
}

func TestBootstrapIsDeterministic(t *testing.T) {
	base, variant, masks := pairedFixture()
	_, lo1, hi1, _ := DefaultBootstrap.ErrorRatioChanges(context.Background(), base, variant, masks)
	_, lo2, hi2, _ := DefaultBootstrap.ErrorRatioChanges(context.Background(), base, variant, masks)
	other := DefaultBootstrap
	other.Seed = 2
	_, lo3, _, _ := other.ErrorRatioChanges(context.Background(), base, variant, masks)
	for f := 0; f < 2; f++ {
		if lo1[f] != lo2[f] || hi1[f] != hi2[f] {
			t.Errorf("factor %d: same seed gave [%g, %g] then [%g, %g]", f, lo1[f], hi1[f], lo2[f], hi2[f])
		}
	}
	if lo1[0] == lo3[0] && lo1[1] == lo3[1] {
		t.Error("a different seed gave the same intervals")
	}
}

// The bootstrap interval of a mean of paired differences approaches the
// normal one, mean ± 1.96·sd/√n.
func TestBootstrapIntervalOfMeanDifference(t *testing.T) {
	const n = 2000
	a, b := make([]float64, n), make([]float64, n)
	for i := range a {
		a[i] = float64((i*7919)%1000) / 1000
		b[i] = a[i] - 0.05 + float64((i*104729)%997)/9970
	}
	diff := make([]float64, n)
	for i := range diff {
		diff[i] = a[i] - b[i]
	}
	mean, sd := stat.MeanStdDev(diff, nil)
	half := 1.959963984540054 * sd / math.Sqrt(n)
	boot := Bootstrap{Resamples: 4000, Seed: 7, Confidence: 0.95}
	lo, hi, err := boot.Intervals(context.Background(), n, 1, func(idx []int, out []float64) {
		s := 0.0
		for _, i := range idx {
			s += a[i] - b[i]
		}
		out[0] = s / float64(len(idx))
	})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(lo[0]-(mean-half)) > 0.1*half || math.Abs(hi[0]-(mean+half)) > 0.1*half {
		t.Errorf("bootstrap [%g, %g], normal [%g, %g]", lo[0], hi[0], mean-half, mean+half)
	}
}

func TestBootstrapErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := DefaultBootstrap.Intervals(ctx, 10, 1, func([]int, []float64) {})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v", err)
	}
	if _, _, err := (Bootstrap{Resamples: 10, Confidence: 1}).Intervals(context.Background(), 10, 1, func([]int, []float64) {}); err == nil {
		t.Error("confidence 1 accepted")
	}
	base, variant, masks := pairedFixture()
	if _, _, _, err := DefaultBootstrap.ErrorRatioChanges(context.Background(), base, variant[:10], masks); err == nil {
		t.Error("mismatched baseline and variant accepted")
	}
	masks[1] = masks[1][:5]
	if _, _, _, err := DefaultBootstrap.ErrorRatioChanges(context.Background(), base, variant, masks); err == nil {
		t.Error("short mask accepted")
	}
}

func BenchmarkErrorRatioChanges50kImages16Factors(b *testing.B) {
	const n = 50000
	base, variant := make([]bool, n), make([]bool, n)
	masks := make([][]bool, 16)
	for f := range masks {
		masks[f] = make([]bool, n)
	}
	for i := 0; i < n; i++ {
		base[i], variant[i] = i%4 != 0, i%5 != 0
		masks[i%16][i] = true
		masks[(i/7)%16][i] = true
	}
	boot := Bootstrap{Resamples: 100, Seed: 1, Confidence: 0.95}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, _, err := boot.ErrorRatioChanges(context.Background(), base, variant, masks); err != nil {
			b.Fatal(err)
		}
	}
}
