package eval

import (
	"math"
	"math/bits"
	"sort"

	"github.com/imagenetx/imagenetx/predictions"
)

// modelCounts are the tallies behind one model's rows in every table,
// kept up to date as predictions come in. They are kept per outcome: the
// bits of an outcome say under which error types the prediction is
// correct, so one tally per prediction serves the three error types. Per
// metaclass of the true class and outcome, the images and their factors;
// per true class and outcome, the images (for worst_100_classes). Every
// row is summed from them in integers, so its accuracies are exactly those
// of counting the images directly.
type modelCounts struct {
	group [NumMetaclasses][numOutcomes]outcomeCounts
	class [NumClasses][numOutcomes]int32
}

// numOutcomes is the number of outcomes: one bit per error type.
const numOutcomes = 1 << numErrorTypes

// outcomeCounts tallies the images of one outcome within a group.
type outcomeCounts struct {
	n      int32
	factor [NumFactors]int32
}

// add tallies the prediction pred for image i, reading the dataset's
// packed form only.
func (c *modelCounts) add(ds *Dataset, i, pred int) {
	c.tally(ds.packed[i], ds.outcome(i, pred))
}

// addRanked tallies image i as correct under an error type when any of the
// ranked classes is (top-k accuracy).
func (c *modelCounts) addRanked(ds *Dataset, i int, ranked []predictions.ClassProb) {
	var outcome int
	for _, r := range ranked {
		outcome |= ds.outcome(i, r.Class)
	}
	c.tally(ds.packed[i], outcome)
}

// outcome returns the bits of the error types under which pred is correct
// for image i.
func (d *Dataset) outcome(i, pred int) int {
	im := d.packed[i]
	var outcome int
	if pred == int(im.class) {
		outcome |= 1 << ErrorClass
	}
	if d.ClassMetaclass[pred] == int(im.metaclass) {
		outcome |= 1 << ErrorMetaclass
	}
	if d.realStart != nil {
		for _, l := range d.realFlat[d.realStart[i]:d.realStart[i+1]] {
			if int(l) == pred {
				outcome |= 1 << ErrorReal
				break
			}
		}
	}
	return outcome
}

// tally counts one image of an outcome.
func (c *modelCounts) tally(im packedImage, outcome int) {
	g := &c.group[im.metaclass][outcome]
	g.n++
	for fs := im.factors; fs != 0; fs &= fs - 1 {
		g.factor[bits.TrailingZeros16(fs)]++
	}
	c.class[im.class][outcome]++
}

// groups returns the counts behind the rows of metaclass mc under et.
func (c *modelCounts) groups(mc int, et ErrorType) groupCounts {
	var g groupCounts
	for o := range numOutcomes {
		oc := &c.group[mc][o]
		correct := o&(1<<et) != 0
		g.n += int(oc.n)
		if correct {
			g.nCorrect += int(oc.n)
		}
		for f, n := range oc.factor {
			g.count[f] += int(n)
			if correct {
				g.correct[f] += int(n)
			}
		}
	}
	return g
}

// classes returns the per-class counts under et.
func (c *modelCounts) classes(et ErrorType) []classCount {
	out := make([]classCount, NumClasses)
	for k := range c.class {
		for o, n := range c.class[k] {
			out[k].n += int(n)
			if o&(1<<et) != 0 {
				out[k].correct += int(n)
			}
		}
	}
	return out
}

// groupCounts are the tallies behind one table row.
type groupCounts struct {
	count, correct [NumFactors]int
	n, nCorrect    int
}

func (g *groupCounts) plus(o *groupCounts) {
	g.n += o.n
	g.nCorrect += o.nCorrect
	for f := range g.count {
		g.count[f] += o.count[f]
		g.correct[f] += o.correct[f]
	}
}

// row turns tallies into accuracies the way the reference's pandas code
// does: correct/total per factor, NaN where the group has no image with the
// factor, and NaN for every factor when the group has no correct prediction
// at all (the reference groups only the correct rows, so such a group has
// no numerator and pandas' alignment yields NaN).
func (g *groupCounts) row(model, metaclass string) Row {
	r := Row{Model: model, Metaclass: metaclass, Count: g.count, Correct: g.correct, N: g.n, NCorrect: g.nCorrect,
		Average: math.NaN(), Worst100Classes: math.NaN()}
	for f := range r.Factor {
		r.Factor[f] = math.NaN()
		if g.nCorrect > 0 && g.count[f] > 0 {
			r.Factor[f] = float64(g.correct[f]) / float64(g.count[f])
		}
	}
	if g.n > 0 {
		r.Average = float64(g.nCorrect) / float64(g.n)
	}
	r.WorstFactor = worstFactor(&r.Factor)
	return r
}

// Table computes the per-factor accuracy table of every model (sorted by
// name, plus the human baseline for ReaL), with worst_factor, average and
// worst_100_classes.
func (a *Accumulator) Table(et ErrorType) (*Table, error) { return a.wholeTable(et, false) }

// TopKTable is Table for top-k accuracy: an image counts as correct when
// any of the first TopK() classes its prediction ranks is. It needs an
// accumulator that tallies top-k (AccumulatorOptions.TopK > 1); otherwise
// it returns ErrTopOneOnly.
func (a *Accumulator) TopKTable(et ErrorType) (*Table, error) { return a.wholeTable(et, true) }

func (a *Accumulator) wholeTable(et ErrorType, topK bool) (*Table, error) {
	t := &Table{ErrorType: et, K: 1}
	if topK {
		t.K = a.TopK()
	}
	annotated := a.ds.imagesPerMetaclass()
	total := 0
	for _, n := range annotated {
		total += n
	}
	err := a.eachTableModel(et, topK, func(name string, c *modelCounts) {
		var g groupCounts
		for mc := range Metaclasses {
			m := c.groups(mc, et)
			g.plus(&m)
		}
		r := g.row(name, "")
		r.Annotated = total
		r.Worst100Classes, r.Worst100N, r.Worst100Correct, r.Classes = worstClassesAccuracy(c.classes(et), 100)
		t.Rows = append(t.Rows, r)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// MetaclassTable computes the table per (model, metaclass), grouping images
// by the metaclass of their true class. Rows run metaclass by metaclass in
// Metaclasses order, the models sorted within each, as the reference's
// accuracies_per_factor_metaclass.csv does.
func (a *Accumulator) MetaclassTable(et ErrorType) (*Table, error) {
	return a.metaclassTable(et, false)
}

// TopKMetaclassTable is MetaclassTable for top-k accuracy (see TopKTable).
func (a *Accumulator) TopKMetaclassTable(et ErrorType) (*Table, error) {
	return a.metaclassTable(et, true)
}

func (a *Accumulator) metaclassTable(et ErrorType, topK bool) (*Table, error) {
	var names []string
	var groups [][NumMetaclasses]groupCounts
	err := a.eachTableModel(et, topK, func(name string, c *modelCounts) {
		var gs [NumMetaclasses]groupCounts
		for mc := range gs {
			gs[mc] = c.groups(mc, et)
		}
		names, groups = append(names, name), append(groups, gs)
	})
	if err != nil {
		return nil, err
	}
	annotated := a.ds.imagesPerMetaclass()
	t := &Table{ErrorType: et, K: 1, ByMetaclass: true, Rows: make([]Row, 0, len(names)*NumMetaclasses)}
	if topK {
		t.K = a.TopK()
	}
	for mc := range Metaclasses {
		for k, name := range names {
			r := groups[k][mc].row(name, Metaclasses[mc])
			r.Annotated = annotated[mc]
			t.Rows = append(t.Rows, r)
		}
	}
	return t, nil
}

// imagesPerMetaclass counts the annotated images of each metaclass.
func (d *Dataset) imagesPerMetaclass() (n [NumMetaclasses]int) {
	for _, im := range d.packed {
		n[im.metaclass]++
	}
	return n
}

// TableFor is the table asked for: per model (Table) or per model and
// metaclass (MetaclassTable), of top-1 or, with topK, of top-k accuracy
// (TopKTable, TopKMetaclassTable).
func (a *Accumulator) TableFor(et ErrorType, byMetaclass, topK bool) (*Table, error) {
	switch {
	case byMetaclass && topK:
		return a.TopKMetaclassTable(et)
	case byMetaclass:
		return a.MetaclassTable(et)
	case topK:
		return a.TopKTable(et)
	}
	return a.Table(et)
}

// classCount is one class's images and how many were right.
type classCount struct{ n, correct int }

// worstClassesAccuracy is the accuracy over all images of the k classes with
// the lowest accuracy, with those images' count and how many were right,
// and the number of classes that have images at all. Classes with equal
// accuracy are taken in class order.
func worstClassesAccuracy(perClass []classCount, k int) (acc float64, n, correct, classes int) {
	type ranked struct {
		class int
		acc   float64
	}
	var rs []ranked
	for c, cc := range perClass {
		if cc.n > 0 {
			rs = append(rs, ranked{c, float64(cc.correct) / float64(cc.n)})
		}
	}
	if len(rs) == 0 {
		return math.NaN(), 0, 0, 0
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].acc < rs[j].acc })
	for _, r := range rs[:min(k, len(rs))] {
		n += perClass[r.class].n
		correct += perClass[r.class].correct
	}
	return float64(correct) / float64(n), n, correct, len(rs)
}
