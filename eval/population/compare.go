package population

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/stats"
)

// GroupRow is one factor of one group in a comparison.
type GroupRow struct {
	Factor int
	Group  string
	// NModels is the number of the group's models with a finite error
	// ratio for the factor.
	NModels int
	// MeanErrorRatio and StdErrorRatio are the mean and the standard
	// deviation (n−1 in the denominator) of those models' error ratios.
	MeanErrorRatio, StdErrorRatio float64
	// P is the Alexander–Govern test's p-value across all the groups for
	// the factor (the same on each of the factor's rows): small when the
	// groups' mean error ratios differ.
	P float64
}

// Comparison is the error ratio per factor and group of a population, as
// the toolkit's model_comparison draws it.
type Comparison struct {
	By     string
	Groups []string
	// Rows hold one row per factor and group: factors in eval.Factors
	// order, groups in Groups order.
	Rows []GroupRow
	// Models is the number of models compared.
	Models int
}

// ErrorRatios returns, per model of pop, its error ratio for each factor:
// (1 − factor accuracy) / (1 − average), NaN where the accuracy is missing.
func ErrorRatios(pop *Population) [][eval.NumFactors]float64 {
	out := make([][eval.NumFactors]float64, len(pop.Models))
	for i := range pop.Models {
		for f := range eval.NumFactors {
			out[i][f] = pop.Models[i].Row.ErrorRatio(f)
		}
	}
	return out
}

// Compare computes, for each factor and group of pop, the number of
// models, the mean and standard deviation of their error ratios, and per
// factor the Alexander–Govern test across the groups
// (scipy.stats.alexandergovern, as the toolkit's model_comparison).
func Compare(pop *Population) (*Comparison, error) {
	if len(pop.Groups) < 2 {
		return nil, fmt.Errorf("population: %d group(s) to compare, need at least 2", len(pop.Groups))
	}
	ratios := ErrorRatios(pop)
	c := &Comparison{By: pop.By, Groups: pop.Groups, Models: len(pop.Models)}
	for f := range eval.NumFactors {
		samples := make([][]float64, len(pop.Groups))
		for i, m := range pop.Models {
			for g, name := range pop.Groups {
				if m.Group == name && finite(ratios[i][f]) {
					samples[g] = append(samples[g], ratios[i][f])
				}
			}
		}
		for g, s := range samples {
			if len(s) < 2 {
				return nil, fmt.Errorf("population: group %q has %d model(s) with a %s error ratio, need at least 2", pop.Groups[g], len(s), eval.Factors[f])
			}
		}
		_, p, err := stats.AlexanderGovern(samples...)
		if err != nil {
			return nil, fmt.Errorf("population: %s: %w", eval.Factors[f], err)
		}
		for g, s := range samples {
			mean, std := stat.MeanStdDev(s, nil)
			c.Rows = append(c.Rows, GroupRow{Factor: f, Group: pop.Groups[g], NModels: len(s), MeanErrorRatio: mean, StdErrorRatio: std, P: p})
		}
	}
	return c, nil
}

// Mean returns the mean error ratio of a group for a factor (NaN when the
// comparison has no such row).
func (c *Comparison) Mean(factor int, group string) float64 {
	for _, r := range c.Rows {
		if r.Factor == factor && r.Group == group {
			return r.MeanErrorRatio
		}
	}
	return math.NaN()
}

// P returns the factor's p-value across the groups.
func (c *Comparison) P(factor int) float64 {
	for _, r := range c.Rows {
		if r.Factor == factor {
			return r.P
		}
	}
	return math.NaN()
}

// Consistency measures the paper's claim that failure modes are consistent
// whatever the model's type or architecture.
type Consistency struct {
	// KendallW is Kendall's coefficient of concordance of the factors'
	// rankings by mean error ratio across the groups: 1 when every group
	// finds the factors hard in the same order.
	KendallW float64
	// MeanSpearman is the mean of Spearman's ρ between the error ratios of
	// every pair of models, over Pairs pairs (pairs where one model's
	// ratios are constant have no ρ and are left out).
	MeanSpearman float64
	Pairs        int
	Groups       int
	Models       int
}

// Consistent measures how consistent the failure modes of c's groups, and
// of pop's models pair by pair, are. ctx cancels the pairwise loop.
func Consistent(ctx context.Context, pop *Population, c *Comparison) (Consistency, error) {
	scores := make([][]float64, len(c.Groups))
	for g, name := range c.Groups {
		scores[g] = make([]float64, eval.NumFactors)
		for f := range eval.NumFactors {
			scores[g][f] = c.Mean(f, name)
		}
	}
	out := Consistency{KendallW: stats.KendallW(scores), Groups: len(c.Groups), Models: len(pop.Models)}
	// Error ratios are ranked once per model; ρ of two models is then the
	// Pearson correlation of their ranks (scipy.stats.spearmanr).
	ranks := make([][]float64, 0, len(pop.Models))
	for _, r := range ErrorRatios(pop) {
		if hasNaN(r[:]) || constant(r[:]) {
			ranks = append(ranks, nil)
			continue
		}
		ranks = append(ranks, stats.Rank(r[:]))
	}
	sum := 0.0
	for i := range ranks {
		if err := ctx.Err(); err != nil {
			return Consistency{}, err
		}
		if ranks[i] == nil {
			continue
		}
		for j := i + 1; j < len(ranks); j++ {
			if ranks[j] == nil {
				continue
			}
			sum += stat.Correlation(ranks[i], ranks[j], nil)
			out.Pairs++
		}
	}
	out.MeanSpearman = math.NaN()
	if out.Pairs > 0 {
		out.MeanSpearman = sum / float64(out.Pairs)
	}
	return out, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func hasNaN(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) {
			return true
		}
	}
	return false
}

func constant(x []float64) bool {
	for _, v := range x {
		if v != x[0] {
			return false
		}
	}
	return true
}
