package analysis

import (
	"context"
	"fmt"

	"github.com/imagenetx/imagenetx/eval"
)

// FromAccumulator returns the named model's outcome under et on the
// accumulator's dataset, restricted (Joined) to the images the model has a
// prediction for, as the reference's inner join.
func FromAccumulator(acc *eval.Accumulator, model string, et eval.ErrorType) (*Predictions, error) {
	m, ok := acc.Model(model)
	if !ok {
		return nil, fmt.Errorf("no predictions of model %q (have %v)", model, acc.Models())
	}
	if err := acc.Dataset().Supports(et); err != nil {
		return nil, err
	}
	if err := acc.KeepsImages(); err != nil {
		return nil, err
	}
	correct, joined := acc.Correct(m, et)
	factors, metaclass := DatasetColumns(acc.Dataset())
	return &Predictions{Correct: correct, Prob: m.Prob, Factors: factors, Metaclass: metaclass, Joined: joined}, nil
}

// DatasetColumns returns each annotated image's factor set and metaclass,
// indexed like ds.Images.
func DatasetColumns(ds *eval.Dataset) (factors []uint16, metaclass []int) {
	factors, metaclass = make([]uint16, len(ds.Images)), make([]int, len(ds.Images))
	for i := range ds.Images {
		factors[i], metaclass[i] = ds.Images[i].Factors, ds.Images[i].Metaclass
	}
	return factors, metaclass
}

// CalibrationTableOf is the calibration table of every model of acc: each
// model's FactorCalibration with bins equal-width bins, one row per model
// (or per model and metaclass). A factor on fewer than minImages images
// is flagged (eval.Enough).
func CalibrationTableOf(acc *eval.Accumulator, et eval.ErrorType, bins int, byMetaclass bool, minImages int) (*CalibrationTable, error) {
	if err := eval.CheckMinImages(minImages); err != nil {
		return nil, err
	}
	models, reports, err := perModel(acc, et, func(p *Predictions) (CalibrationReport, error) { return FactorCalibration(p, bins) })
	if err != nil {
		return nil, err
	}
	t := NewCalibrationTable(models, reports, byMetaclass)
	t.MinImages = minImages
	return t, nil
}

// PrevalenceTableOf is the prevalence-shift table of every model of acc;
// a factor on fewer than minImages images is flagged and never named
// among the most over- or under-represented (eval.Enough).
func PrevalenceTableOf(acc *eval.Accumulator, et eval.ErrorType, byMetaclass bool, minImages int) (*PrevalenceTable, error) {
	if err := eval.CheckMinImages(minImages); err != nil {
		return nil, err
	}
	models, reports, err := perModel(acc, et, Prevalence)
	if err != nil {
		return nil, err
	}
	t := NewPrevalenceTable(models, reports, byMetaclass)
	t.MinImages = minImages
	return t, nil
}

// perModel runs analyse on each model of acc, in Models order.
func perModel[R any](acc *eval.Accumulator, et eval.ErrorType, analyse func(*Predictions) (R, error)) ([]string, []R, error) {
	models := acc.Models()
	reports := make([]R, len(models))
	for i, name := range models {
		p, err := FromAccumulator(acc, name, et)
		if err != nil {
			return nil, nil, err
		}
		if reports[i], err = analyse(p); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return models, reports, nil
}

// CooccurrenceOf is the Spearman co-occurrence table of the dataset's
// factor indicators (and, withMetaclasses, its metaclass indicators).
// A pair with an indicator set on fewer than minImages images is flagged
// and never called significant (eval.Enough).
func CooccurrenceOf(ctx context.Context, ds *eval.Dataset, withMetaclasses bool, minImages int) (*CooccurrenceTable, error) {
	if err := eval.CheckMinImages(minImages); err != nil {
		return nil, err
	}
	factors, metaclass := DatasetColumns(ds)
	names, rho, p, err := Cooccurrence(ctx, factors, metaclass, withMetaclasses)
	if err != nil {
		return nil, err
	}
	images := make([]int, len(names))
	for i := range factors {
		for f := range eval.NumFactors {
			if factors[i]&(1<<f) != 0 {
				images[f]++
			}
		}
		if m := metaclass[i]; withMetaclasses && m >= 0 && eval.NumFactors+m < len(images) {
			images[eval.NumFactors+m]++
		}
	}
	return &CooccurrenceTable{Names: names, Rho: rho, P: p, Factors: eval.NumFactors, Images: images, MinImages: minImages}, nil
}
