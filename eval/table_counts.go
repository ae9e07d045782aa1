package eval

import (
	"math"
	"math/bits"
	"sort"
)

// groupCounts are the tallies behind one table row.
type groupCounts struct {
	count, correct [NumFactors]int
	n, nCorrect    int
}

func (g *groupCounts) add(im *Image, ok bool) {
	g.n++
	if ok {
		g.nCorrect++
	}
	for fs := im.Factors; fs != 0; fs &= fs - 1 {
		f := bits.TrailingZeros16(fs)
		g.count[f]++
		if ok {
			g.correct[f]++
		}
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
func (a *Accumulator) Table(et ErrorType) (*Table, error) {
	ms, err := a.tableModels(et)
	if err != nil {
		return nil, err
	}
	t := &Table{ErrorType: et}
	for _, m := range ms {
		var g groupCounts
		var perClass [NumClasses]classCount
		for i, c := range m.Class {
			if c < 0 {
				continue
			}
			im := &a.ds.Images[i]
			ok := a.ds.isCorrect(i, int(c), et)
			g.add(im, ok)
			perClass[im.Class].add(ok)
		}
		r := g.row(m.Name, "")
		r.Worst100Classes = worstClassesAccuracy(perClass[:], 100)
		t.Rows = append(t.Rows, r)
	}
	return t, nil
}

// MetaclassTable computes the table per (model, metaclass), grouping images
// by the metaclass of their true class. Rows run metaclass by metaclass in
// Metaclasses order, the models sorted within each, as the reference's
// accuracies_per_factor_metaclass.csv does.
func (a *Accumulator) MetaclassTable(et ErrorType) (*Table, error) {
	ms, err := a.tableModels(et)
	if err != nil {
		return nil, err
	}
	groups := make([][NumMetaclasses]groupCounts, len(ms))
	for k, m := range ms {
		for i, c := range m.Class {
			if c < 0 {
				continue
			}
			im := &a.ds.Images[i]
			groups[k][im.Metaclass].add(im, a.ds.isCorrect(i, int(c), et))
		}
	}
	t := &Table{ErrorType: et, ByMetaclass: true}
	for mc := range Metaclasses {
		for k, m := range ms {
			t.Rows = append(t.Rows, groups[k][mc].row(m.Name, Metaclasses[mc]))
		}
	}
	return t, nil
}

type classCount struct{ n, correct int }

func (c *classCount) add(ok bool) {
	c.n++
	if ok {
		c.correct++
	}
}

// worstClassesAccuracy is the accuracy over all images of the k classes with
// the lowest accuracy. Classes with equal accuracy are taken in class order.
func worstClassesAccuracy(perClass []classCount, k int) float64 {
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
		return math.NaN()
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].acc < rs[j].acc })
	var n, correct int
	for _, r := range rs[:min(k, len(rs))] {
		n += perClass[r.class].n
		correct += perClass[r.class].correct
	}
	return float64(correct) / float64(n)
}
