package chart

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// niceTicks labels an axis every 1, 2, 2.5 or 5 × 10^k, about five labels
// over the range, with minor ticks halfway: gonum's default often labels
// only two or three values, too few to read a bar against.
type niceTicks struct{}

// targetTicks is about how many labelled ticks an axis gets.
const targetTicks = 5

// Ticks implements plot.Ticker.
func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || !finite(lo) || !finite(hi) {
		return []plot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'g', 4, 64)}}
	}
	step, decimals := niceStep((hi - lo) / targetTicks)
	var ticks []plot.Tick
	first := math.Ceil(lo/step-1e-9) - 1 // one step early, for the minor tick before it
	for i := first; ; i++ {
		v := i * step
		if v > hi+step*1e-9 {
			break
		}
		if v >= lo-step*1e-9 {
			if math.Abs(v) < step*1e-9 {
				v = 0 // no "-0.00"
			}
			ticks = append(ticks, plot.Tick{Value: v, Label: tickLabel(v, decimals)})
		}
		if mid := v + step/2; mid >= lo && mid <= hi {
			ticks = append(ticks, plot.Tick{Value: mid})
		}
	}
	return ticks
}

// tickLabel prints a tick value with the step's decimals, switching to
// exponent form for values so large or small that fixed notation would be
// a label wider than the chart (and leave no room to plot).
func tickLabel(v float64, decimals int) string {
	if a := math.Abs(v); a >= 1e6 || (a != 0 && a < 1e-4) {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// niceStep picks the step of 1, 2, 2.5 or 5 × 10^k closest to raw (on a
// log scale) and says how many decimals its labels need.
func niceStep(raw float64) (step float64, decimals int) {
	exp := math.Floor(math.Log10(raw))
	mag := math.Pow(10, exp)
	best := math.Inf(1)
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if d := math.Abs(math.Log(m * mag / raw)); d < best {
			best, step = d, m*mag
			decimals = max(0, int(-exp))
			switch m {
			case 2.5:
				decimals++
			case 10:
				decimals = max(0, decimals-1)
			}
		}
	}
	return step, decimals
}
