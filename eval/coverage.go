package eval

import "fmt"

// String says how the predictions joined the annotations: "1300 of 46110
// annotated images have a prediction (44810 missing); 58 predictions have no
// annotation".
func (c Coverage) String() string {
	return fmt.Sprintf("%d of %d annotated images have a prediction (%d missing); %d predictions have no annotation",
		c.Joined, c.Annotated, c.Missing, c.Unannotated)
}

// CoverageNotes are one line per model, "model: <its Coverage>", in Models
// order: what a reader needs to know when numbers rest on part of the data.
func (a *Accumulator) CoverageNotes() []string {
	var notes []string
	for _, name := range a.Models() {
		m, _ := a.Model(name)
		notes = append(notes, name+": "+m.Coverage().String())
	}
	return notes
}
