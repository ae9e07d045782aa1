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
	if in.Population != nil {
		if p.Population, err = populationSection(in.Population, in.ErrorType); err != nil {
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
	// minImages is the count a factor needs to be singled out (eval.Enough).
	minImages int
	// summaries are eval's summaries of the models with predictions, by
	// name; k is the number of ranked classes their TopK counts (1: none).
	summaries map[string]*eval.ModelSummary
	k         int
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
	if err := eval.CheckMinImages(in.MinImages); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	m := &models{acc: in.Accumulator, et: in.ErrorType, extra: map[string]Model{}, minImages: cmp.Or(in.MinImages, eval.DefaultMinImages),
		summaries: map[string]*eval.ModelSummary{}, k: in.Accumulator.TopK()}
	m.rows, m.input = orderRows(table, in.Models), in.Models
	for _, x := range in.Models {
		m.extra[x.Name] = x
	}
	summaries, err := in.Accumulator.Summaries(in.ErrorType, eval.IntervalOptions{Confidence: stats.DefaultConfidence, MinImages: m.minImages})
	if err != nil {
		return fmt.Errorf("report: model summaries: %w", err)
	}
	for i := range summaries {
		m.summaries[summaries[i].Model] = &summaries[i]
	}
	m.outcomes = m.modelOutcomes()
	m.order, m.meanRatio = factorOrder(m.rows, m.minImages)
	if err := m.compare(in); err != nil {
		return err
	}
	p.Facts = m.facts()
	for i, r := range m.rows {
		p.Models = append(p.Models, swatch{Name: r.Model, Color: cssColor(i)})
	}
	p.Cards = m.cards()
	p.Leaderboard, p.LeaderboardNote = m.leaderboard()
	p.Findings = findings(m)
	p.Factors = m.factorTable()
	p.FactorsNote = m.factorsNote()
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
	audited, annotated := m.auditedImages()
	return []fact{
		{"images audited", count(audited)},
		{"annotated among them", count(annotated)},
		{"annotations", fmt.Sprintf("%s, %s factor (%s images in the release)", cmp.Or(string(ds.Options.Partition), "val"), ds.Options.Factors, count(len(ds.Images)))},
		{"correct means", errorTypeWords(m.et)},
		{"models", fmt.Sprint(len(m.rows))},
		{"factors singled out from", count(m.minImages) + " images"},
	}
}

// auditedImages are the images the models were run on (the most any
// model predicted or failed on) and the annotated among them (the most
// any model predicted): what the page is over, not the release's size.
func (m *models) auditedImages() (audited, annotated int) {
	for _, r := range m.rows {
		mp, ok := m.acc.Model(r.Model)
		if !ok {
			continue
		}
		c := mp.Coverage()
		audited = max(audited, c.Joined+c.Unannotated+len(m.extra[r.Model].Failed))
		annotated = max(annotated, c.Joined)
	}
	return audited, annotated
}

// factorsNote says why the factor table is empty when no audited image is
// annotated (the terminal's summary says the same).
func (m *models) factorsNote() string {
	audited, annotated := m.auditedImages()
	if annotated > 0 {
		return ""
	}
	return fmt.Sprintf("The factor table is empty: the annotations know none of the %s images audited. "+
		"They annotate the ImageNet validation images by file name (ILSVRC2012_val_NNNNNNNN.JPEG, e.g. ILSVRC2012_val_00000001.JPEG); "+
		"top-1 above is over the labelled images.", count(audited))
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
// rows, descending, as the paper's figures do — but the factors that
// enough images carry (eval.Enough with minImages, in some row) first, so
// that a factor seen on two images never heads the table; factors without
// a value go last, ties keep the reference order. It also returns the
// averages (NaN for a factor without a value).
func factorOrder(rows []*eval.Row, minImages int) (order []int, mean []float64) {
	mean = make([]float64, eval.NumFactors)
	enough := make([]bool, eval.NumFactors)
	for f := range mean {
		sum, n := 0.0, 0
		for _, r := range rows {
			if v := r.ErrorRatio(f); finite(v) {
				sum += v
				n++
			}
			enough[f] = enough[f] || eval.Enough(r.Count[f], minImages)
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
	rank := func(f int) int {
		switch {
		case math.IsNaN(mean[f]):
			return 2
		case !enough[f]:
			return 1
		}
		return 0
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(key(b), key(a))) })
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

// factor is row r's numbers on factor f: accuracy (and top-k accuracy)
// with Wilson intervals, error ratio with its interval, and whether enough
// images carry it to single it out. They are eval's summary of the model;
// the human baseline of ReaL tables, which has none, gets the same numbers
// from its row.
func (m *models) factor(r *eval.Row, f int) eval.FactorSummary {
	if s := m.summaries[r.Model]; s != nil {
		return s.Factors[f]
	}
	top1 := eval.Proportion{N: r.Count[f], Correct: r.Correct[f], Value: r.Factor[f]}
	top1.Lo, top1.Hi = stats.WilsonInterval(r.Correct[f], r.Count[f], stats.DefaultConfidence)
	fs := eval.FactorSummary{Factor: eval.Factors[f], Top1: top1, TopK: top1, Enough: eval.Enough(r.Count[f], m.minImages)}
	fs.ErrorRatio, fs.ERLo, fs.ERHi = stats.ErrorRatioInterval(r.Correct[f], r.Count[f], r.NCorrect, r.N, stats.DefaultConfidence)
	return fs
}

// verdict says whether a factor is clearly harder ("worse") or easier
// ("better") than the average image for a row: enough images (eval.Enough),
// and the error ratio's interval entirely above or below 1.
func (m *models) verdict(r *eval.Row, f int) string {
	fs := m.factor(r, f)
	switch {
	case !fs.Enough:
		return ""
	case fs.ERLo > 1:
		return "worse"
	case fs.ERHi < 1:
		return "better"
	}
	return ""
}

// styleClass is the table class of a row's cell on factor f: its verdict,
// or "few" when too few images back it.
func (m *models) styleClass(r *eval.Row, f int) string {
	if !eval.Enough(r.Count[f], m.minImages) {
		return "few"
	}
	return m.verdict(r, f)
}
