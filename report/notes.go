package report

import (
	"fmt"

	"github.com/imagenetx/imagenetx/eval"
)

// CoverageNotes say, for Input.Notes, how each model's predictions joined
// the annotations ("m: 1300 of 46110 annotated images have a prediction
// (44810 missing)"), so that a reader sees when numbers rest on part of the
// data.
func CoverageNotes(acc *eval.Accumulator) []string {
	var notes []string
	for _, name := range acc.Models() {
		m, _ := acc.Model(name)
		c := m.Coverage()
		notes = append(notes, fmt.Sprintf("%s: %d of %d annotated images have a prediction (%d missing)", name, c.Joined, c.Annotated, c.Missing))
	}
	return notes
}
