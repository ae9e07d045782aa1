package eval

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"

	"github.com/imagenetx/imagenetx/predictions"
)

// HumanModel is the pseudo-model whose predictions are the annotated
// classes; the reference adds it to ReaL tables as a human baseline.
const HumanModel = "human"

// ModelPredictions holds one model's predictions aligned with a Dataset.
type ModelPredictions struct {
	Name string
	// Class[i] is the prediction for Dataset.Images[i], or -1 when the model
	// gave none.
	Class []int32
	// Prob[i] is the probability of Class[i].
	Prob []float64
	// Joined counts images with both an annotation and a prediction.
	Joined int
	// Unannotated counts predictions for files the annotations lack
	// (prototypes, unannotated or foreign images).
	Unannotated int
	unannotated map[string]struct{}
	mu          sync.Mutex
}

// Coverage says how well a model's predictions cover the annotations.
type Coverage struct {
	Annotated   int // images in the dataset
	Joined      int // images with a prediction
	Missing     int // annotated images without a prediction
	Unannotated int // predictions without an annotation
}

// Coverage reports the join of the model's predictions with the dataset.
func (m *ModelPredictions) Coverage() Coverage {
	return Coverage{Annotated: len(m.Class), Joined: m.Joined, Missing: len(m.Class) - m.Joined, Unannotated: m.Unannotated}
}

// Accumulator joins streamed predictions of one or more models with a
// Dataset (an inner join on file_name, as the reference does) and produces
// factor tables. It is safe for concurrent use.
type Accumulator struct {
	ds     *Dataset
	mu     sync.Mutex
	models map[string]*ModelPredictions
}

// NewAccumulator returns an empty Accumulator over ds.
func NewAccumulator(ds *Dataset) *Accumulator {
	return &Accumulator{ds: ds, models: map[string]*ModelPredictions{}}
}

// Dataset returns the dataset the predictions are joined with.
func (a *Accumulator) Dataset() *Dataset { return a.ds }

// Add records one prediction of a model. A second prediction for the same
// file is an error, as is a class outside 0..999.
func (a *Accumulator) Add(model string, p predictions.Prediction) error {
	a.mu.Lock()
	m := a.modelLocked(model)
	a.mu.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.addLocked(a.ds, p)
}

// addLocked records a prediction with m.mu held; the model's own lock lets
// files of different models load in parallel.
func (m *ModelPredictions) addLocked(ds *Dataset, p predictions.Prediction) error {
	if p.Class < 0 || p.Class >= NumClasses {
		return fmt.Errorf("%s: predicted_class %d outside 0..%d", p.FileName, p.Class, NumClasses-1)
	}
	if math.IsNaN(p.Prob) || p.Prob < 0 || p.Prob > 1 {
		return fmt.Errorf("%s: predicted_probability %v outside [0,1]", p.FileName, p.Prob)
	}
	i, ok := ds.Index(p.FileName)
	if !ok {
		if _, dup := m.unannotated[p.FileName]; dup {
			return fmt.Errorf("duplicate prediction for %s", p.FileName)
		}
		m.unannotated[p.FileName] = struct{}{}
		m.Unannotated++
		return nil
	}
	if m.Class[i] >= 0 {
		return fmt.Errorf("duplicate prediction for %s", p.FileName)
	}
	m.Class[i], m.Prob[i] = int32(p.Class), p.Prob
	m.Joined++
	return nil
}

func (a *Accumulator) modelLocked(name string) *ModelPredictions {
	if m, ok := a.models[name]; ok {
		return m
	}
	n := len(a.ds.Images)
	m := &ModelPredictions{Name: name, Class: make([]int32, n), Prob: make([]float64, n), unannotated: map[string]struct{}{}}
	for i := range m.Class {
		m.Class[i] = -1
	}
	a.models[name] = m
	return m
}

// ModelLoadedError is AddModel's refusal of a model already present.
type ModelLoadedError struct{ Model string }

func (e *ModelLoadedError) Error() string { return fmt.Sprintf("model %q already loaded", e.Model) }

// AddModel records every prediction of a new model: read is called once
// and passes each prediction to add, which checks and records it as Add
// does. The model's lock is taken once for all of them, so that the files
// of several models load in parallel without contention. A model already
// present is an error.
func (a *Accumulator) AddModel(model string, read func(add func(predictions.Prediction) error) error) error {
	a.mu.Lock()
	_, exists := a.models[model]
	m := a.modelLocked(model)
	a.mu.Unlock()
	if exists {
		return &ModelLoadedError{Model: model}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return read(func(p predictions.Prediction) error { return m.addLocked(a.ds, p) })
}

// Models returns the model names in sorted order (pandas groupby order).
func (a *Accumulator) Models() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	names := make([]string, 0, len(a.models))
	for n := range a.models {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Model returns a model's predictions.
func (a *Accumulator) Model(name string) (*ModelPredictions, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	m, ok := a.models[name]
	return m, ok
}

// human returns the pseudo-model that predicts every annotated class.
func (a *Accumulator) human() *ModelPredictions {
	n := len(a.ds.Images)
	m := &ModelPredictions{Name: HumanModel, Class: make([]int32, n), Prob: make([]float64, n), Joined: n}
	for i := range a.ds.Images {
		m.Class[i], m.Prob[i] = int32(a.ds.Images[i].Class), 1
	}
	return m
}

// tableModels returns the models a table of error type et covers: every
// model, plus the human baseline for ReaL, sorted by name.
func (a *Accumulator) tableModels(et ErrorType) ([]*ModelPredictions, error) {
	if err := a.ds.Supports(et); err != nil {
		return nil, err
	}
	var ms []*ModelPredictions
	for _, name := range a.Models() {
		m, _ := a.Model(name)
		if et == ErrorReal && name == HumanModel {
			continue // the baseline below replaces a model of that name
		}
		ms = append(ms, m)
	}
	if et == ErrorReal {
		ms = append(ms, a.human())
		slices.SortFunc(ms, func(x, y *ModelPredictions) int { return cmp.Compare(x.Name, y.Name) })
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("no predictions")
	}
	return ms, nil
}

// Correct returns, for each image of the dataset, whether the model's
// prediction is correct under et; images without a prediction are false
// and have joined[i] false.
func (a *Accumulator) Correct(m *ModelPredictions, et ErrorType) (correct, joined []bool) {
	correct, joined = make([]bool, len(m.Class)), make([]bool, len(m.Class))
	for i, c := range m.Class {
		if c >= 0 {
			joined[i] = true
			correct[i] = a.ds.isCorrect(i, int(c), et)
		}
	}
	return correct, joined
}

func (d *Dataset) isCorrect(i, pred int, et ErrorType) bool {
	im := &d.Images[i]
	switch et {
	case ErrorMetaclass:
		return d.ClassMetaclass[pred] == im.Metaclass
	case ErrorReal:
		return slices.Contains(d.Real[i], pred)
	default:
		return pred == im.Class
	}
}
