package analysis

import (
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
