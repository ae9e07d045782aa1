package eval

import (
	"errors"
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

// ModelPredictions holds one model's predictions joined with a Dataset:
// always the counts the factor tables need, and the per-image predictions
// unless the accumulator keeps counts only.
type ModelPredictions struct {
	Name string
	// Class[i] is the prediction for Dataset.Images[i], or -1 when the model
	// gave none; nil when the accumulator keeps counts only.
	Class []int32
	// Prob[i] is the probability of Class[i]; nil with Class.
	Prob []float64
	// Joined counts images with both an annotation and a prediction.
	Joined int
	// Unannotated counts predictions for files the annotations lack
	// (prototypes, unannotated or foreign images).
	Unannotated int

	annotated int
	counts    modelCounts
	// topK holds the counts of top-k accuracy when the accumulator
	// tallies it (AccumulatorOptions.TopK > 1), else nil.
	topK *modelCounts
	// What detects a second prediction for a file while predictions come
	// in; AddModel drops it once the model is complete.
	seen        []uint64            // bit i: Images[i] predicted (counts only; Class serves otherwise)
	seenVal     []uint64            // bit n: unannotated validation image n predicted
	unannotated map[string]struct{} // other unannotated names predicted
	complete    bool
	k           int // ranked classes counted in topK
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
	return Coverage{Annotated: m.annotated, Joined: m.Joined, Missing: m.annotated - m.Joined, Unannotated: m.Unannotated}
}

// AccumulatorOptions configure an Accumulator.
type AccumulatorOptions struct {
	// CountsOnly keeps of each model only the counts behind the factor
	// tables (about 40 KB a model, whatever the number of images) instead of
	// its per-image predictions (12 bytes an image): enough for Table,
	// MetaclassTable and Table.Intervals, not for what pairs or bins images
	// (Compare, Correct, eval/analysis, eval/sweep, the report), which
	// then fail with ErrCountsOnly. For evaluating thousands of models.
	CountsOnly bool
	// TopK, when above 1, also tallies top-K accuracy: an image counts as
	// correct when any of the first TopK classes its prediction ranks
	// (predictions.Prediction.TopK) is, under each error type (TopKTable).
	// Every prediction must then rank at least TopK classes. 0 or 1: top-1
	// only.
	TopK int
}

// ErrCountsOnly is returned by what needs per-image predictions from an
// accumulator that keeps counts only.
var ErrCountsOnly = errors.New("the accumulator keeps counts only (AccumulatorOptions.CountsOnly), not the per-image predictions this needs")

// Accumulator joins streamed predictions of one or more models with a
// Dataset (an inner join on file_name, as the reference does) and produces
// factor tables. It is safe for concurrent use.
type Accumulator struct {
	ds     *Dataset
	opt    AccumulatorOptions
	mu     sync.Mutex
	models map[string]*ModelPredictions
	// classByVal holds AddModelRows' per-model scratch ([]int16).
	classByVal sync.Pool
}

// NewAccumulator returns an empty Accumulator over ds that keeps every
// model's per-image predictions.
func NewAccumulator(ds *Dataset) *Accumulator { return NewAccumulatorWith(ds, AccumulatorOptions{}) }

// NewAccumulatorWith returns an empty Accumulator over ds with options.
func NewAccumulatorWith(ds *Dataset, opt AccumulatorOptions) *Accumulator {
	return &Accumulator{ds: ds, opt: opt, models: map[string]*ModelPredictions{}}
}

// Dataset returns the dataset the predictions are joined with.
func (a *Accumulator) Dataset() *Dataset { return a.ds }

// TopK returns the number of ranked classes that top-k accuracy is tallied
// over (AccumulatorOptions.TopK), or 1 when only top-1 is.
func (a *Accumulator) TopK() int { return max(a.opt.TopK, 1) }

// KeepsImages returns ErrCountsOnly when the accumulator keeps counts
// only, nil when it keeps the per-image predictions.
func (a *Accumulator) KeepsImages() error {
	if a.opt.CountsOnly {
		return ErrCountsOnly
	}
	return nil
}

// Add records one prediction of a model. A second prediction for the same
// file is an error, as is a class outside 0..999, and so is a prediction
// for a model that AddModel completed.
func (a *Accumulator) Add(model string, p predictions.Prediction) error {
	a.mu.Lock()
	m := a.modelLocked(model)
	a.mu.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.complete {
		return fmt.Errorf("model %q is complete: its predictions came in one batch (AddModel)", model)
	}
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
	if m.topK != nil {
		if err := checkRanked(p, m.k); err != nil {
			return err
		}
	}
	i, ok, val := ds.index.lookup(p.FileName)
	if !ok {
		if !m.firstUnannotated(p.FileName, val) {
			return fmt.Errorf("duplicate prediction for %s", p.FileName)
		}
		m.Unannotated++
		return nil
	}
	if m.Class != nil {
		if m.Class[i] >= 0 {
			return fmt.Errorf("duplicate prediction for %s", p.FileName)
		}
		m.Class[i], m.Prob[i] = int32(p.Class), p.Prob
	} else {
		if m.seen[i/64]&(1<<(i%64)) != 0 {
			return fmt.Errorf("duplicate prediction for %s", p.FileName)
		}
		m.seen[i/64] |= 1 << (i % 64)
	}
	m.Joined++
	m.counts.add(ds, i, p.Class)
	if m.topK != nil {
		m.topK.addRanked(ds, i, p.TopK[:m.k])
	}
	return nil
}

// checkRanked checks that a prediction ranks at least k classes, the
// first of them its top-1, all of them classes.
func checkRanked(p predictions.Prediction, k int) error {
	if len(p.TopK) < k {
		return &TooFewRankedError{FileName: p.FileName, Ranked: max(len(p.TopK), 1), K: k}
	}
	if p.TopK[0].Class != p.Class {
		return fmt.Errorf("%s: the first ranked class %d is not predicted_class %d", p.FileName, p.TopK[0].Class, p.Class)
	}
	for _, r := range p.TopK[:k] {
		if r.Class < 0 || r.Class >= NumClasses {
			return fmt.Errorf("%s: ranked class %d outside 0..%d", p.FileName, r.Class, NumClasses-1)
		}
	}
	return nil
}

// TooFewRankedError is the refusal of a prediction that ranks fewer
// classes than the top-k accuracy asked for: a file in the reference's
// three columns ranks only its top-1.
type TooFewRankedError struct {
	FileName  string
	Ranked, K int
}

func (e *TooFewRankedError) Error() string {
	return fmt.Sprintf("%s: the prediction ranks %d class(es); top-%d accuracy needs %d", e.FileName, e.Ranked, e.K, e.K)
}

// firstUnannotated records an unannotated name (validation image number
// val, or -1) and reports whether it is the first time: a bit for
// validation images (a prototype costs no allocation), a set for others.
func (m *ModelPredictions) firstUnannotated(name string, val int) bool {
	if val < 0 {
		if _, dup := m.unannotated[name]; dup {
			return false
		}
		m.unannotated[name] = struct{}{}
		return true
	}
	if w := val / 64; w >= len(m.seenVal) {
		m.seenVal = append(m.seenVal, make([]uint64, w+1-len(m.seenVal))...)
	}
	if m.seenVal[val/64]&(1<<(val%64)) != 0 {
		return false
	}
	m.seenVal[val/64] |= 1 << (val % 64)
	return true
}

func (a *Accumulator) modelLocked(name string) *ModelPredictions {
	if m, ok := a.models[name]; ok {
		return m
	}
	n := len(a.ds.Images)
	m := &ModelPredictions{Name: name, annotated: n, unannotated: map[string]struct{}{}}
	if a.opt.TopK > 1 {
		m.topK, m.k = new(modelCounts), a.opt.TopK
	}
	if a.opt.CountsOnly {
		m.seen = make([]uint64, (n+63)/64)
	} else {
		m.Class, m.Prob = make([]int32, n), make([]float64, n)
		for i := range m.Class {
			m.Class[i] = -1
		}
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
// present is an error. When read returns the model is complete: what
// detected duplicates is dropped, and later Adds for it are refused.
func (a *Accumulator) AddModel(model string, read func(add func(predictions.Prediction) error) error) error {
	return a.addModel(model, func(m *ModelPredictions) error {
		return read(func(p predictions.Prediction) error { return m.addLocked(a.ds, p) })
	})
}

// addModel creates a model, calls fill with its lock held, and marks the
// model complete.
func (a *Accumulator) addModel(model string, fill func(m *ModelPredictions) error) error {
	a.mu.Lock()
	_, exists := a.models[model]
	m := a.modelLocked(model)
	a.mu.Unlock()
	if exists {
		return &ModelLoadedError{Model: model}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	err := fill(m)
	m.complete, m.seen, m.seenVal, m.unannotated = true, nil, nil, nil
	return err
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

// ErrTopOneOnly is returned for top-k tables by an accumulator that
// tallies top-1 only (AccumulatorOptions.TopK ≤ 1).
var ErrTopOneOnly = errors.New("the accumulator tallies top-1 accuracy only (AccumulatorOptions.TopK is not above 1)")

// eachTableModel calls fn, in name order, with the counts of each model
// a table of error type et covers (its top-k counts when topK): every
// model, plus the human baseline (who predicts every annotated class, so
// top-k changes nothing) for ReaL. A model still being added is read as it
// stands, under its lock.
func (a *Accumulator) eachTableModel(et ErrorType, topK bool, fn func(name string, c *modelCounts)) error {
	if err := a.ds.Supports(et); err != nil {
		return err
	}
	if topK && a.opt.TopK <= 1 {
		return ErrTopOneOnly
	}
	names := a.Models()
	if et == ErrorReal && !slices.Contains(names, HumanModel) {
		k, _ := slices.BinarySearch(names, HumanModel)
		names = slices.Insert(names, k, HumanModel)
	}
	if len(names) == 0 {
		return fmt.Errorf("no predictions")
	}
	for _, name := range names {
		if et == ErrorReal && name == HumanModel {
			// the baseline replaces a model of that name
			var human modelCounts
			for i := range a.ds.Images {
				human.add(a.ds, i, a.ds.Images[i].Class)
			}
			fn(name, &human)
			continue
		}
		m, _ := a.Model(name)
		m.mu.Lock()
		if topK {
			fn(name, m.topK)
		} else {
			fn(name, &m.counts)
		}
		m.mu.Unlock()
	}
	return nil
}

// Correct returns, for each image of the dataset, whether the model's
// prediction is correct under et; images without a prediction are false
// and have joined[i] false. Both are nil when the accumulator keeps counts
// only (KeepsImages).
func (a *Accumulator) Correct(m *ModelPredictions, et ErrorType) (correct, joined []bool) {
	if m.Class == nil {
		return nil, nil
	}
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
