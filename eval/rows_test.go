package eval

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"testing"

	"github.com/imagenetx/imagenetx/eval/tabular"
	"github.com/imagenetx/imagenetx/predictions"
)

// rowsOf writes ps in the reference CSV format and returns a reader of its
// rows for AddModelRows, as eval/load reads a file.
func rowsOf(t *testing.T, ps []predictions.Prediction) func(add func(*predictions.Row) error) error {
	t.Helper()
	var buf bytes.Buffer
	w, err := predictions.NewWriter(&buf, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if err := w.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return func(add func(*predictions.Row) error) error {
		r, err := predictions.NewReader(bytes.NewReader(buf.Bytes()), "mem.csv")
		if err != nil {
			return err
		}
		var row predictions.Row
		for {
			if err := r.ReadRow(&row); err != nil {
				if err == io.EOF {
					return nil
				}
				return err
			}
			if err := add(&row); err != nil {
				return err
			}
		}
	}
}

// addAll is AddModel over a slice.
func addAll(acc *Accumulator, model string, ps []predictions.Prediction) error {
	return acc.AddModel(model, func(add func(predictions.Prediction) error) error {
		for _, p := range ps {
			if err := add(p); err != nil {
				return err
			}
		}
		return nil
	})
}

// rowsFixturePredictions extends the counts fixture's predictions with
// every kind of name AddModelRows tells apart: validation images without
// an annotation below and far above the annotated numbers, and names of
// another form.
func rowsFixturePredictions(preds map[string][]predictions.Prediction) map[string][]predictions.Prediction {
	for model, ps := range preds {
		preds[model] = append(ps,
			predictions.Prediction{FileName: valName(41), Class: 2, Prob: 0.25},
			predictions.Prediction{FileName: valName(99_999_999), Class: 999, Prob: 1},
			predictions.Prediction{FileName: "ILSVRC2012_val_0000001.JPEG", Class: 0, Prob: 0},
			predictions.Prediction{FileName: "n01440764_10026.JPEG", Class: 3, Prob: 0.125})
	}
	return preds
}

// TestAddModelRowsMatchesAddModel: rows read from CSV give every table,
// the coverage and (when kept) the per-image predictions that AddModel
// gives, with and without CountsOnly, models loaded one after another
// through the same reused scratch.
func TestAddModelRowsMatchesAddModel(t *testing.T) {
	ds, preds := countsFixture(t)
	preds = rowsFixturePredictions(preds)
	for _, opt := range []AccumulatorOptions{{}, {CountsOnly: true}} {
		want, got := NewAccumulatorWith(ds, opt), NewAccumulatorWith(ds, opt)
		for model, ps := range preds {
			if err := addAll(want, model, ps); err != nil {
				t.Fatal(err)
			}
			if err := got.AddModelRows(model, rowsOf(t, ps)); err != nil {
				t.Fatal(err)
			}
		}
		for _, et := range ErrorTypes {
			for _, byMetaclass := range []bool{false, true} {
				if g, w := tableText(t, got, et, byMetaclass), tableText(t, want, et, byMetaclass); g != w {
					t.Errorf("%+v %v by metaclass %v: rows\n%s\nAddModel\n%s", opt, et, byMetaclass, g, w)
				}
			}
		}
		for model := range preds {
			g, _ := got.Model(model)
			w, _ := want.Model(model)
			if g.Coverage() != w.Coverage() || !reflect.DeepEqual(g.Class, w.Class) || !reflect.DeepEqual(g.Prob, w.Prob) {
				t.Errorf("%+v model %s: coverage %+v, want %+v; per-image predictions equal: %v",
					opt, model, g.Coverage(), w.Coverage(), reflect.DeepEqual(g.Class, w.Class) && reflect.DeepEqual(g.Prob, w.Prob))
			}
		}
	}
}

// TestAddModelRowsErrors: a bad row fails AddModelRows with AddModel's
// error, and the model keeps what came before it, as with AddModel; the
// next model starts from a clean scratch.
func TestAddModelRowsErrors(t *testing.T) {
	ds, preds := countsFixture(t)
	good := rowsFixturePredictions(preds)["a"]
	for _, bad := range []predictions.Prediction{
		{FileName: valName(7), Class: 1, Prob: 0.5},             // annotated, again
		{FileName: valName(41), Class: 1, Prob: 0.5},            // unannotated, again
		{FileName: valName(99_999_999), Class: 1, Prob: 0.5},    // beyond the scratch, again
		{FileName: "n01440764_10026.JPEG", Class: 1, Prob: 0.5}, // another form, again
		{FileName: valName(8), Class: NumClasses, Prob: 0.5},    // class out of range
	} {
		ps := append(append([]predictions.Prediction(nil), good...), bad)
		for _, opt := range []AccumulatorOptions{{}, {CountsOnly: true}} {
			want, got := NewAccumulatorWith(ds, opt), NewAccumulatorWith(ds, opt)
			werr := addAll(want, "m", ps)
			gerr := got.AddModelRows("m", rowsOf(t, ps))
			if werr == nil || gerr == nil || werr.Error() != gerr.Error() {
				t.Fatalf("%+v %s: error %v, AddModel's %v", opt, bad.FileName, gerr, werr)
			}
			// what came before the bad row stands, and the scratch is clean
			for _, acc := range []*Accumulator{want, got} {
				if err := addAllRows(acc, "next", preds["b"], acc == got); err != nil {
					t.Fatal(err)
				}
			}
			for _, et := range ErrorTypes {
				if g, w := tableText(t, got, et, false), tableText(t, want, et, false); g != w {
					t.Errorf("%+v %s %v: after the error\n%s\nAddModel\n%s", opt, bad.FileName, et, g, w)
				}
			}
		}
	}
}

// addAllRows adds ps through AddModelRows when rows is true, else through
// AddModel.
func addAllRows(acc *Accumulator, model string, ps []predictions.Prediction, rows bool) error {
	if !rows {
		return addAll(acc, model, ps)
	}
	return acc.AddModelRows(model, func(add func(*predictions.Row) error) error {
		for _, p := range ps {
			if err := add(&predictions.Row{FileName: []byte(p.FileName), Class: p.Class}); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestAddModelRowsAllocations: with CountsOnly, a validation image's row
// costs no allocation.
func TestAddModelRowsAllocations(t *testing.T) {
	ds, _ := countsFixture(t)
	acc := NewAccumulatorWith(ds, AccumulatorOptions{CountsOnly: true})
	var rows []predictions.Row
	for i := 1; i <= 40; i++ {
		rows = append(rows, predictions.Row{FileName: []byte(valName(i)), Class: i % NumClasses})
	}
	model := 0
	var err error
	read := func(add func(*predictions.Row) error) error {
		for i := range rows {
			if err := add(&rows[i]); err != nil {
				return err
			}
		}
		return nil
	}
	perModel := testing.AllocsPerRun(20, func() {
		model++
		if e := acc.AddModelRows(fmt.Sprint(model), read); e != nil {
			err = e
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	// a model costs a few allocations (its entry and counts), not one a row
	if perModel >= 20 {
		t.Errorf("%.0f allocations for a model of %d rows", perModel, len(rows))
	}
}

func tableText(t *testing.T, acc *Accumulator, et ErrorType, byMetaclass bool) string {
	t.Helper()
	tbl, err := acc.Table(et)
	if byMetaclass {
		tbl, err = acc.MetaclassTable(et)
	}
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteTable(&b, tbl, tabular.CSV, ViewAccuracy); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
