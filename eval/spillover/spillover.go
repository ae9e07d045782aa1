package spillover

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/stats"
	"github.com/imagenetx/imagenetx/eval/tabular"
	"gonum.org/v1/gonum/stat"
)

// DefaultMinModels is the smallest number of models a strength needs to be
// kept; the reference keeps groups of more than 4.
const DefaultMinModels = 5

// Significance is the p-value below which a factor's effect is reported as
// significant.
const Significance = 0.05

// FitDegree is the degree of the polynomial fitted to error ratio against
// strength (cubic, as the reference).
const FitDegree = 3

// Options configures Analyze.
type Options struct {
	// Strength reads a model's augmentation strength from its name.
	Strength StrengthParser
	// Strengths gives models their strength by name; it takes precedence
	// over Strength, whose Regex may be nil when Strengths names every
	// model to analyse. Each name must be a model of the table.
	Strengths map[string]float64
	// MinImages is the small-sample rule (eval.Enough) for tables with
	// counts (from predictions): a factor that some model of the fit saw
	// on fewer images is flagged (Result.FewImages) and never called
	// significant. A table read from a file carries no counts and is not
	// checked. 0: no check.
	MinImages int
	// MinModels drops strengths with fewer models (counted before missing
	// accuracies are dropped, as the reference does); 0 means DefaultMinModels.
	MinModels int
	// Factors lists the factor indices (into eval.Factors) to analyse; nil
	// means all of them.
	Factors []int
}

// Result is the spill-over of one factor.
type Result struct {
	// Factor is the factor's name.
	Factor string
	// Effect is Welch's t statistic of the error ratios at StrengthLow against
	// those at StrengthHigh: positive when the error ratio falls as the
	// strength rises (the augmentation helps on this factor).
	Effect float64
	// PValue is the two-sided p-value of Effect, DF its degrees of freedom.
	PValue, DF float64
	// NModels is the number of models in the fit (those with a kept strength
	// and an accuracy on this factor).
	NModels int
	// StrengthLow and StrengthHigh are the two strengths compared, the lower
	// first: the strengths where the fitted cubic is lowest and highest.
	StrengthLow, StrengthHigh float64
	// MeanLow and MeanHigh are the mean error ratios of the models at those
	// strengths, NLow and NHigh their counts.
	MeanLow, MeanHigh float64
	NLow, NHigh       int
	// Images is the fewest images of the factor among the models of the
	// fit, 0 when the table carries no counts; FewImages is set when it is
	// below Options.MinImages.
	Images    int
	FewImages bool
}

// Significant reports whether the effect's p-value is below Significance
// with enough images behind the factor (not FewImages).
func (r Result) Significant() bool { return r.PValue < Significance && !r.FewImages }

// StrengthParser extracts a strength from a model name: the first capture
// group of Regex, parsed as a number, then Transform applied.
type StrengthParser struct {
	Regex     *regexp.Regexp
	Transform Transform
}

// NewStrengthParser compiles pattern, which must have a capture group, and
// parses the transform ("" or "x" for none, "C-x" for C minus the value).
func NewStrengthParser(pattern, transform string) (StrengthParser, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return StrengthParser{}, fmt.Errorf("strength regex %q: %w", pattern, err)
	}
	if re.NumSubexp() < 1 {
		return StrengthParser{}, fmt.Errorf("strength regex %q has no capture group for the strength", pattern)
	}
	tr, err := ParseTransform(transform)
	if err != nil {
		return StrengthParser{}, err
	}
	return StrengthParser{Regex: re, Transform: tr}, nil
}

// Parse returns the model's strength; ok is false when the name does not
// match (the model is then left out, as pandas' str.extract gives NaN), and
// err is set when the captured text is not a number.
func (p StrengthParser) Parse(model string) (strength float64, ok bool, err error) {
	m := p.Regex.FindStringSubmatch(model)
	if m == nil || m[1] == "" {
		return 0, false, nil
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false, fmt.Errorf("model %q: strength %q is not a number", model, m[1])
	}
	return p.Transform.Apply(v), true, nil
}

// ParseNamedStrength reads NAME=S, a model's strength given by name (split
// at the last '=', so that a name may contain one).
func ParseNamedStrength(s string) (name string, strength float64, err error) {
	i := strings.LastIndexByte(s, '=')
	if i <= 0 {
		return "", 0, fmt.Errorf("strength %q: want NAME=S, e.g. resnet_color0.5=0.5", s)
	}
	strength, err = strconv.ParseFloat(s[i+1:], 64)
	if err != nil || math.IsNaN(strength) || math.IsInf(strength, 0) {
		return "", 0, fmt.Errorf("strength %q: %q is not a number", s, s[i+1:])
	}
	return s[:i], strength, nil
}

// Transform maps a captured value to a strength: Offset − x when Negate,
// else x. The crop tables need "100-x": their models name the kept crop
// percentage, and the strength is what is cut away.
type Transform struct {
	Negate bool
	Offset float64
}

// ParseTransform reads "" or "x" (identity) or "C-x" with C a number.
func ParseTransform(s string) (Transform, error) {
	s = strings.ReplaceAll(s, " ", "")
	if s == "" || s == "x" {
		return Transform{}, nil
	}
	if c, ok := strings.CutSuffix(s, "-x"); ok {
		v, err := strconv.ParseFloat(c, 64)
		if err == nil {
			return Transform{Negate: true, Offset: v}, nil
		}
	}
	return Transform{}, fmt.Errorf(`strength transform %q: want "x" or "C-x" (e.g. "100-x")`, s)
}

// Apply transforms a captured value.
func (t Transform) Apply(x float64) float64 {
	if t.Negate {
		return t.Offset - x
	}
	return x
}

// String writes the transform back in ParseTransform's syntax.
func (t Transform) String() string {
	if t.Negate {
		return tabular.FormatFloat(t.Offset) + "-x"
	}
	return "x"
}

// model is one row of the table that survives the strength filter.
type model struct {
	row      *eval.Row
	strength float64
}

// Analyze computes the spill-over of every selected factor from a
// whole-data-set accuracy table. Models whose name gives no strength, and the
// "human" row, are left out; strengths with fewer than MinModels models are
// dropped; per factor, models without an accuracy (or with a non-finite
// error ratio) are dropped for that factor only. Results follow the order of
// opt.Factors (eval.Factors order by default).
func Analyze(t *eval.Table, opt Options) ([]Result, error) {
	if t.ByMetaclass {
		return nil, errors.New("spill-over needs a whole-data-set table, not a by-metaclass one")
	}
	if opt.Strength.Regex == nil && len(opt.Strengths) == 0 {
		return nil, errors.New("spill-over needs the models' strengths: a strength regex or strengths by name")
	}
	models, err := selectModels(t, opt)
	if err != nil {
		return nil, err
	}
	factors := opt.Factors
	if factors == nil {
		for f := range eval.Factors {
			factors = append(factors, f)
		}
	}
	results := make([]Result, 0, len(factors))
	for _, f := range factors {
		if f < 0 || f >= eval.NumFactors {
			return nil, fmt.Errorf("factor index %d out of range", f)
		}
		r, err := analyzeFactor(models, f)
		if err != nil {
			return nil, fmt.Errorf("factor %s: %w", eval.Factors[f], err)
		}
		r.FewImages = r.Images > 0 && !eval.Enough(r.Images, opt.MinImages)
		results = append(results, r)
	}
	return results, nil
}

// selectModels parses each model's strength and keeps the strengths with at
// least MinModels models.
func selectModels(t *eval.Table, opt Options) ([]model, error) {
	minModels := opt.MinModels
	if minModels <= 0 {
		minModels = DefaultMinModels
	}
	var all []model
	groupSize := map[float64]int{}
	named := map[string]bool{}
	for i := range t.Rows {
		row := &t.Rows[i]
		if strings.EqualFold(row.Model, "human") {
			continue
		}
		s, ok, err := opt.strength(row.Model)
		if err != nil {
			return nil, err
		}
		named[row.Model] = true
		if !ok || math.IsNaN(s) {
			continue
		}
		all = append(all, model{row: row, strength: s})
		groupSize[s]++
	}
	for name := range opt.Strengths {
		if !named[name] {
			return nil, fmt.Errorf("a strength is given for model %q, which the table lacks", name)
		}
	}
	kept := all[:0]
	for _, m := range all {
		if groupSize[m.strength] >= minModels {
			kept = append(kept, m)
		}
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("no strength has %d or more models (%d models matched the strength regex)", minModels, len(all))
	}
	return kept, nil
}

// strength returns a model's strength: given by name, or read from it.
func (opt *Options) strength(model string) (float64, bool, error) {
	if s, ok := opt.Strengths[model]; ok {
		return s, true, nil
	}
	if opt.Strength.Regex == nil {
		return 0, false, nil
	}
	return opt.Strength.Parse(model)
}

// analyzeFactor fits error ratio against strength for one factor and tests
// the models at the fit's extreme strengths.
func analyzeFactor(models []model, f int) (Result, error) {
	res := Result{Factor: eval.Factors[f]}
	var x, y []float64
	groups := map[float64][]float64{}
	for _, m := range models {
		ratio := m.row.ErrorRatio(f)
		if math.IsNaN(ratio) || math.IsInf(ratio, 0) {
			continue
		}
		x = append(x, m.strength)
		y = append(y, ratio)
		if n := m.row.Count[f]; m.row.N > 0 && (res.Images == 0 || n < res.Images) {
			res.Images = n
		}
		groups[m.strength] = append(groups[m.strength], ratio)
	}
	res.NModels = len(x)
	if len(x) == 0 {
		res.Effect, res.PValue, res.DF = math.NaN(), math.NaN(), math.NaN()
		res.StrengthLow, res.StrengthHigh = math.NaN(), math.NaN()
		res.MeanLow, res.MeanHigh = math.NaN(), math.NaN()
		return res, nil
	}
	coef, err := stats.PolyFit(x, y, FitDegree)
	if err != nil {
		return res, err
	}
	strengths := make([]float64, 0, len(groups))
	for s := range groups {
		strengths = append(strengths, s)
	}
	slices.Sort(strengths)
	lowest, highest := extremes(coef, strengths)
	// The lower strength's group goes first, so a positive t means the error
	// ratio falls as the strength rises.
	first, second := min(lowest, highest), max(lowest, highest)
	a, b := groups[strengths[first]], groups[strengths[second]]
	res.Effect, res.DF, res.PValue = stats.WelchTTest(a, b)
	res.StrengthLow, res.StrengthHigh = strengths[first], strengths[second]
	res.NLow, res.NHigh = len(a), len(b)
	res.MeanLow, res.MeanHigh = stat.Mean(a, nil), stat.Mean(b, nil)
	return res, nil
}

// extremes returns the indices of the strengths where the fitted polynomial
// is lowest and highest, the first on ties (numpy's argmin/argmax).
func extremes(coef, strengths []float64) (lowest, highest int) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, s := range strengths {
		v := stats.PolyVal(coef, s)
		if v < lo {
			lo, lowest = v, i
		}
		if v > hi {
			hi, highest = v, i
		}
	}
	return lowest, highest
}
