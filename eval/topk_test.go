package eval

import (
	"errors"
	"math"
	"testing"

	"github.com/imagenetx/imagenetx/predictions"
)

// topKFixture: 40 images of classes 0..4 (countsFixture's), and a model
// that ranks 6 classes per image: right at rank 1 on i%4 == 0, at rank 3 on
// i%4 == 1, at rank 6 on i%4 == 2, nowhere on i%4 == 3.
func topKFixture(t *testing.T) (*Dataset, []predictions.Prediction) {
	t.Helper()
	ds, _ := countsFixture(t)
	var ps []predictions.Prediction
	for i := 1; i <= 40; i++ {
		truth := i % 5
		rank := map[int]int{0: 0, 1: 2, 2: 5, 3: -1}[i%4]
		var ranked []predictions.ClassProb
		for r := range 6 {
			c := 10 + r // never a true class
			if r == rank {
				c = truth
			}
			ranked = append(ranked, predictions.ClassProb{Class: c, Prob: 0.1})
		}
		ps = append(ps, predictions.Prediction{FileName: valName(i), Class: ranked[0].Class, Prob: 0.1, TopK: ranked})
	}
	return ds, ps
}

// countRight counts the fixture's images (with factor f, or all for f<0)
// whose true class is among the first k ranked.
func countRight(ds *Dataset, ps []predictions.Prediction, k, f int) (n, right int) {
	for _, p := range ps {
		i, _ := ds.Index(p.FileName)
		if f >= 0 && !ds.Images[i].Has(f) {
			continue
		}
		n++
		for _, r := range p.TopK[:k] {
			if r.Class == ds.Images[i].Class {
				right++
				break
			}
		}
	}
	return n, right
}

// TestTopKTable: top-k accuracies equal counting the ranked classes
// directly, per factor and overall, for k = 1, 3 and 5, in both kinds of
// accumulator; top-1 tables are unchanged by tallying top-k.
func TestTopKTable(t *testing.T) {
	ds, ps := topKFixture(t)
	for _, countsOnly := range []bool{false, true} {
		for _, k := range []int{3, 5} {
			acc := NewAccumulatorWith(ds, AccumulatorOptions{CountsOnly: countsOnly, TopK: k})
			plain := NewAccumulatorWith(ds, AccumulatorOptions{CountsOnly: countsOnly})
			for _, p := range ps {
				if err := acc.Add("m", p); err != nil {
					t.Fatal(err)
				}
				if err := plain.Add("m", p); err != nil {
					t.Fatal(err)
				}
			}
			if acc.TopK() != k {
				t.Errorf("TopK() = %d, want %d", acc.TopK(), k)
			}
			tk, err := acc.TopKTable(ErrorClass)
			if err != nil {
				t.Fatal(err)
			}
			t1, _ := acc.Table(ErrorClass)
			p1, _ := plain.Table(ErrorClass)
			if tk.K != k || t1.K != 1 || !sameTables(t1, p1) {
				t.Errorf("K %d/%d; top-1 table changed by tallying top-%d", tk.K, t1.K, k)
			}
			row, _ := tk.Row("m")
			n, right := countRight(ds, ps, k, -1)
			if row.N != n || row.NCorrect != right || row.Average != float64(right)/float64(n) {
				t.Errorf("k=%d counts-only %v: average %d/%d, want %d/%d", k, countsOnly, row.NCorrect, row.N, right, n)
			}
			for f := range NumFactors {
				n, right := countRight(ds, ps, k, f)
				want := math.NaN()
				if n > 0 {
					want = float64(right) / float64(n)
				}
				if row.Count[f] != n || row.Correct[f] != right || !sameFloat(row.Factor[f], want) {
					t.Errorf("k=%d %s: %d/%d = %v, want %d/%d", k, Factors[f], row.Correct[f], row.Count[f], row.Factor[f], right, n)
				}
			}
			mt, err := acc.TopKMetaclassTable(ErrorClass)
			if err != nil || mt.K != k || !mt.ByMetaclass {
				t.Fatalf("metaclass top-k table: %v, %+v", err, mt)
			}
		}
	}
}

func sameFloat(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

func sameTables(a, b *Table) bool {
	if len(a.Rows) != len(b.Rows) {
		return false
	}
	for i := range a.Rows {
		x, y := a.Rows[i], b.Rows[i]
		if x.N != y.N || x.NCorrect != y.NCorrect || x.Count != y.Count || x.Correct != y.Correct || !sameFloat(x.Worst100Classes, y.Worst100Classes) {
			return false
		}
	}
	return true
}

// Top-k under metaclass and ReaL counts an image right when any ranked
// class is right under that error type.
func TestTopKOtherErrorTypes(t *testing.T) {
	ds := fixtureDataset(t, []fixtureImage{
		{valName(1), 0, []string{"pose"}}, // dog; ReaL {0, 5}
		{valName(2), 3, []string{"pose"}}, // bird; ReaL {3}
	}, [][]int{{0, 5}, {3}})
	acc := NewAccumulatorWith(ds, AccumulatorOptions{TopK: 2})
	rank := func(name string, cs ...int) predictions.Prediction {
		p := predictions.Prediction{FileName: name, Class: cs[0], Prob: 0.5}
		for _, c := range cs {
			p.TopK = append(p.TopK, predictions.ClassProb{Class: c, Prob: 0.5})
		}
		return p
	}
	// image 1: rank 2 is class 1, a dog (metaclass right); ReaL label 5 at rank 3 (not counted)
	// image 2: rank 2 is 3 (right under all three)
	for _, p := range []predictions.Prediction{rank(valName(1), 7, 1, 5), rank(valName(2), 9, 3)} {
		if err := acc.Add("m", p); err != nil {
			t.Fatal(err)
		}
	}
	for et, want := range map[ErrorType]int{ErrorClass: 1, ErrorMetaclass: 2, ErrorReal: 1} {
		tk, err := acc.TopKTable(et)
		if err != nil {
			t.Fatal(err)
		}
		if r, _ := tk.Row("m"); r.NCorrect != want {
			t.Errorf("%v: top-2 right on %d images, want %d", et, r.NCorrect, want)
		}
	}
}

func TestTopKRefusals(t *testing.T) {
	ds, ps := topKFixture(t)
	if _, err := NewAccumulator(ds).TopKTable(ErrorClass); !errors.Is(err, ErrTopOneOnly) {
		t.Errorf("top-k table of a top-1 accumulator: %v, want ErrTopOneOnly", err)
	}
	acc := NewAccumulatorWith(ds, AccumulatorOptions{TopK: 7})
	var few *TooFewRankedError
	if err := acc.Add("m", ps[0]); !errors.As(err, &few) || few.Ranked != 6 || few.K != 7 {
		t.Errorf("6 ranked classes for top-7: %v", err)
	}
	// a reference three-column prediction ranks its top-1 only
	plain := predictions.Prediction{FileName: valName(1), Class: 1, Prob: 0.5}
	if err := acc.Add("n", plain); !errors.As(err, &few) || few.Ranked != 1 {
		t.Errorf("a top-1 prediction for top-7: %v", err)
	}
	rows := NewAccumulatorWith(ds, AccumulatorOptions{CountsOnly: true, TopK: 2})
	if err := rows.AddModelRows("m", func(func(*predictions.Row) error) error { return nil }); err == nil {
		t.Error("rows (top-1 only) accepted by a top-2 accumulator")
	}
	bad := ps[0]
	bad.Class = 999
	if err := NewAccumulatorWith(ds, AccumulatorOptions{TopK: 2}).Add("m", bad); err == nil {
		t.Error("a first ranked class other than predicted_class was accepted")
	}
	out := ps[1]
	out.TopK = append([]predictions.ClassProb(nil), out.TopK...)
	out.TopK[1].Class = 1000
	if err := NewAccumulatorWith(ds, AccumulatorOptions{TopK: 2}).Add("m", out); err == nil {
		t.Error("a ranked class outside 0..999 was accepted")
	}
}
