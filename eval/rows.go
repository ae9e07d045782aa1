package eval

import (
	"fmt"

	"github.com/imagenetx/imagenetx/predictions"
)

// AddModelRows is AddModel for rows read without allocating
// (predictions.Reader.ReadRow): read passes each row to add, which checks
// and records it as Add does, with the same errors; a Row's probability is
// within [0,1] by construction.
//
// With CountsOnly this is the paper-scale hot path (2,200 files of 50,000
// rows): a row whose file name is a validation image's costs neither an
// allocation nor a name lookup. Its class is noted by image number in a
// scratch array (100 KB, reused from model to model), which also finds
// duplicates, and when read returns the model's counts are tallied in one
// pass in image order. Counting row by row walked the dataset's tables at
// random (files list images in any order), missing the cache on every row.
// Other names take the way of Add. Rows rank no classes beyond the top-1,
// so an accumulator that tallies top-k (AccumulatorOptions.TopK) refuses
// them: it takes predictions with their ranked classes (AddModel).
func (a *Accumulator) AddModelRows(model string, read func(add func(*predictions.Row) error) error) error {
	if a.opt.TopK > 1 {
		return fmt.Errorf("model %q: rows rank only the top-1 class, and top-%d accuracy needs %d (add predictions with their ranked classes)", model, a.opt.TopK, a.opt.TopK)
	}
	if !a.opt.CountsOnly {
		return a.AddModel(model, func(add func(predictions.Prediction) error) error {
			return read(func(r *predictions.Row) error {
				return add(predictions.Prediction{FileName: string(r.FileName), Class: r.Class, Prob: r.Prob()})
			})
		})
	}
	return a.addModel(model, func(m *ModelPredictions) error {
		byVal := a.scratchClassByVal()
		defer a.classByVal.Put(byVal)
		noted := 0
		// Tallied however read ends, so that the model stands as it would
		// had its rows been added one by one.
		defer func() { m.tallyByVal(a.ds, *byVal, noted) }()
		return read(func(r *predictions.Row) error {
			if r.Class < 0 || r.Class >= NumClasses {
				return fmt.Errorf("%s: predicted_class %d outside 0..%d", r.FileName, r.Class, NumClasses-1)
			}
			if n, ok := valIndex(r.FileName); ok && n < len(*byVal) {
				if (*byVal)[n] >= 0 {
					return fmt.Errorf("duplicate prediction for %s", r.FileName)
				}
				(*byVal)[n] = int16(r.Class)
				noted++
				return nil
			}
			return m.addLocked(a.ds, predictions.Prediction{FileName: string(r.FileName), Class: r.Class, Prob: r.Prob()})
		})
	})
}

// scratchClassByVal returns an array indexed like the dataset's
// validation-image numbers, every entry -1 (no prediction).
func (a *Accumulator) scratchClassByVal() *[]int16 {
	if s, ok := a.classByVal.Get().(*[]int16); ok {
		return s
	}
	s := make([]int16, len(a.ds.index.val))
	for n := range s {
		s[n] = -1
	}
	return &s
}

// tallyByVal counts the noted predictions of byVal, by validation-image
// number, in image order (sequential reads of the dataset's tables; byVal
// is small enough to stay in cache), and resets byVal to -1 for the next
// model. The noted predictions no image matched are unannotated.
func (m *ModelPredictions) tallyByVal(ds *Dataset, byVal []int16, noted int) {
	joined := 0
	for i, n := range ds.valNumber {
		if n < 0 || int(n) >= len(byVal) {
			continue
		}
		if c := byVal[n]; c >= 0 {
			joined++
			m.counts.add(ds, i, int(c))
		}
	}
	m.Joined += joined
	m.Unannotated += noted - joined
	for n := range byVal {
		byVal[n] = -1
	}
}
