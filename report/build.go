package report

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/stats"
)

// FewCellImages is the number of images below which a metaclass × factor
// cell is drawn pale: with so few images its ratio is mostly noise.
const FewCellImages = 20

// build computes everything the page shows.
func build(ctx context.Context, in Input) (*page, error) {
	css, err := fontCSS()
	if err != nil {
		return nil, err
	}
	p := &page{Title: cmp.Or(in.Title, "ImageNet-X audit"), Notes: in.Notes, FontCSS: css,
		Script: script(), CSP: policyAttribute()}
	if in.Accumulator != nil {
		if err := in.Accumulator.KeepsImages(); err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		if err := addModels(ctx, p, in); err != nil {
			return nil, err
		}
	}
	for i, s := range in.Sweeps {
		v, err := sweepSection(s, i)
		if err != nil {
			return nil, err
		}
		p.Sweeps = append(p.Sweeps, v)
	}
	return p, nil
}

// models is the per-model data the sections share.
type models struct {
	acc *eval.Accumulator
	et  eval.ErrorType
	// rows are the factor table's rows in the page's model order: the
	// order of Input.Models, then the accumulator's.
	rows []*eval.Row
	// input is Input.Models, and extra the same by name.
	input []Model
	extra map[string]Model
	// outcomes are the models with per-image predictions (all but the
	// human baseline of ReaL tables), in rows order.
	outcomes []outcome
	// minImages is the count a factor needs to be singled out.
	minImages int
	// order lists factor indices as the paper sorts them: by error ratio
	// averaged over the models, hardest first.
	order []int
	// meanRatio is each factor's error ratio averaged over the models.
	meanRatio []float64
	// comparisons set each other model against the baseline; compareErr
	// says why there are none when the report could not compare.
	comparisons []*eval.Comparison
	compareErr  error
}

func addModels(ctx context.Context, p *page, in Input) error {
	table, err := in.Accumulator.Table(in.ErrorType)
	if err != nil {
		return fmt.Errorf("report: factor table: %w", err)
	}
	if len(table.Rows) == 0 {
		return fmt.Errorf("report: no model has predictions")
	}
	if in.MinImages < 0 {
		return fmt.Errorf("report: minimum image count %d is negative", in.MinImages)
	}
	m := &models{acc: in.Accumulator, et: in.ErrorType, extra: map[string]Model{}, minImages: cmp.Or(in.MinImages, eval.DefaultMinImages)}
	m.rows, m.input = orderRows(table, in.Models), in.Models
	for _, x := range in.Models {
		m.extra[x.Name] = x
	}
	m.outcomes = m.modelOutcomes()
	m.order, m.meanRatio = factorOrder(m.rows)
	if err := m.compare(in); err != nil {
		return err
	}
	p.Facts = m.facts()
	for i, r := range m.rows {
		p.Models = append(p.Models, swatch{Name: r.Model, Color: cssColor(i)})
	}
	p.Cards = m.cards()
	p.Leaderboard = m.leaderboard()
	p.Findings = findings(m)
	p.Factors = m.factorTable()
	p.Comparison = m.comparisonView()
	steps := []func(*page) error{m.errorRatioChart, m.accuracyChart, m.heatmapSection, m.calibrationSection}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := step(p); err != nil {
			return err
		}
	}
	perFactor := cmp.Or(in.ExamplesPerFactor, DefaultExamplesPerFactor)
	if err := m.misclassifiedSection(ctx, p, in.ImagesDir, perFactor, in.Decode); err != nil {
		return err
	}
	p.Failed = m.failedSection()
	return nil
}

// orderRows returns the table's rows over the whole data set: the models
// of first in that order, then the others in the table's order.
func orderRows(t *eval.Table, first []Model) []*eval.Row {
	var rows []*eval.Row
	for _, x := range first {
		if r, ok := t.Row(x.Name); ok && !slices.Contains(rows, r) {
			rows = append(rows, r)
		}
	}
	for i := range t.Rows {
		if r := &t.Rows[i]; r.Metaclass == "" && !slices.Contains(rows, r) {
			rows = append(rows, r)
		}
	}
	return rows
}

// outcome is one model's correctness on every image of the dataset.
type outcome struct {
	model           *eval.ModelPredictions
	correct, joined []bool
}

func (m *models) modelOutcomes() []outcome {
	var out []outcome
	for _, r := range m.rows {
		mp, ok := m.acc.Model(r.Model)
		if !ok { // the human baseline of ReaL tables has no predictions
			continue
		}
		c, j := m.acc.Correct(mp, m.et)
		out = append(out, outcome{mp, c, j})
	}
	return out
}

func (m *models) facts() []fact {
	ds := m.acc.Dataset()
	return []fact{
		{"annotated images", count(len(ds.Images))},
		{"annotations", fmt.Sprintf("%s, %s factor", cmp.Or(string(ds.Options.Partition), "val"), ds.Options.Factors)},
		{"correct means", errorTypeWords(m.et)},
		{"models", fmt.Sprint(len(m.rows))},
		{"factors singled out from", count(m.minImages) + " images"},
	}
}

func errorTypeWords(et eval.ErrorType) string {
	switch et {
	case eval.ErrorMetaclass:
		return "predicted class in the true metaclass"
	case eval.ErrorReal:
		return "predicted class among the ReaL labels"
	}
	return "predicted class is the annotated class"
}

// factorOrder sorts the factors by their error ratio averaged over the
// rows, descending, as the paper's figures do; factors without a value go
// last, ties keep the reference order. It also returns the averages (NaN
// for a factor without a value).
func factorOrder(rows []*eval.Row) (order []int, mean []float64) {
	mean = make([]float64, eval.NumFactors)
	for f := range mean {
		sum, n := 0.0, 0
		for _, r := range rows {
			if v := r.ErrorRatio(f); finite(v) {
				sum += v
				n++
			}
		}
		mean[f] = math.NaN()
		if n > 0 {
			mean[f] = sum / float64(n)
		}
	}
	order = make([]int, eval.NumFactors)
	for i := range order {
		order[i] = i
	}
	key := func(f int) float64 { return nanTo(mean[f], math.Inf(-1)) }
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(key(b), key(a)) })
	return order, mean
}

// nanTo returns v, or alt when v is NaN.
func nanTo(v, alt float64) float64 {
	if math.IsNaN(v) {
		return alt
	}
	return v
}

// factorNames returns the names of the factors in order.
func (m *models) factorNames() []string {
	names := make([]string, len(m.order))
	for i, f := range m.order {
		names[i] = eval.Factors[f]
	}
	return names
}

// factorImages is the number of images of factor f that any model scored.
func (m *models) factorImages(f int) int {
	n := 0
	for _, r := range m.rows {
		n = max(n, r.Count[f])
	}
	return n
}

// ratio is a factor's error ratio in one row with its interval.
type ratio struct{ value, lo, hi float64 }

// errorRatio is the row's error ratio on factor f with its 95% interval.
// It is the one place the report gets error-ratio intervals from.
func errorRatio(r *eval.Row, f int) ratio {
	v, lo, hi := stats.ErrorRatioInterval(r.Correct[f], r.Count[f], r.NCorrect, r.N, stats.DefaultConfidence)
	return ratio{v, lo, hi}
}

// verdict says whether a factor is clearly harder ("worse") or easier
// ("better") than the average image for a row: enough images, and the
// error ratio's interval entirely above or below 1.
func (m *models) verdict(r *eval.Row, f int) string {
	if r.Count[f] < m.minImages {
		return ""
	}
	switch e := errorRatio(r, f); {
	case e.lo > 1:
		return "worse"
	case e.hi < 1:
		return "better"
	}
	return ""
}

// styleClass is the table class of a row's cell on factor f: its verdict,
// or "few" when too few images back it.
func (m *models) styleClass(r *eval.Row, f int) string {
	if r.Count[f] < m.minImages {
		return "few"
	}
	return m.verdict(r, f)
}
