package analysis

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/predictions"
)

// adapterFixture: three annotated images (classes 0, 0, 3; class 0 a dog, 3
// a bird, the rest "other"); model m predicts images 1 (right, 0.9) and 3
// (wrong, class 0, 0.4) but not 2.
func adapterFixture(t *testing.T) *eval.Accumulator {
	t.Helper()
	dir := t.TempDir()
	var meta strings.Builder
	meta.WriteString("wnid,name,metaclass\n")
	for c := 0; c < eval.NumClasses; c++ {
		name := map[int]string{0: "dog", 3: "bird"}[c]
		if name == "" {
			name = "tool"
		}
		fmt.Fprintf(&meta, "n%08d,%s,0\n", c, name)
	}
	var ann strings.Builder
	for i, class := range []int{0, 0, 3} {
		fmt.Fprintf(&ann, `{"file_name": "ILSVRC2012_val_%08d.JPEG", "class": %d`, i+1, class)
		for f, name := range eval.Factors {
			v := 0
			if f == i {
				v = 1
			}
			fmt.Fprintf(&ann, `, %q: %d`, name, v)
		}
		ann.WriteString("}\n")
	}
	for name, content := range map[string]string{
		load.MetaclassFile: meta.String(), load.PrototypeFile: "file_name\n",
		load.AnnotationFile(eval.Val, eval.TopFactor): ann.String(),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := load.Annotations(dir, eval.DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	acc := eval.NewAccumulator(ds)
	for _, p := range []predictions.Prediction{
		{FileName: "ILSVRC2012_val_00000001.JPEG", Class: 0, Prob: 0.9},
		{FileName: "ILSVRC2012_val_00000003.JPEG", Class: 0, Prob: 0.4},
	} {
		if err := acc.Add("m", p); err != nil {
			t.Fatal(err)
		}
	}
	return acc
}

func TestFromAccumulator(t *testing.T) {
	acc := adapterFixture(t)
	dog, _ := eval.MetaclassIndex("dog")
	bird, _ := eval.MetaclassIndex("bird")
	cases := []struct {
		et      eval.ErrorType
		correct []bool
	}{
		{eval.ErrorClass, []bool{true, false, false}},
		// class 0 predicted for a bird: still wrong under the metaclass error
		{eval.ErrorMetaclass, []bool{true, false, false}},
	}
	for _, c := range cases {
		p, err := FromAccumulator(acc, "m", c.et)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(p.Correct) != fmt.Sprint(c.correct) || fmt.Sprint(p.Joined) != "[true false true]" ||
			fmt.Sprint(p.Factors) != "[1 2 4]" || fmt.Sprint(p.Metaclass) != fmt.Sprint([]int{dog, dog, bird}) || p.Prob[2] != 0.4 {
			t.Errorf("%v: %+v", c.et, p)
		}
		rep, err := Prevalence(p)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Images != 2 || rep.Mistakes != 1 {
			t.Errorf("%v: prevalence over %d images with %d mistakes, want 2 and 1 (image 2 not joined)", c.et, rep.Images, rep.Mistakes)
		}
	}
	if _, err := FromAccumulator(acc, "nobody", eval.ErrorClass); err == nil {
		t.Error("unknown model accepted")
	}
	if _, err := FromAccumulator(acc, "m", eval.ErrorReal); err == nil {
		t.Error("real error type accepted without ReaL labels")
	}
}

// TestTablesOfAccumulator: the per-model tables of an accumulator are each
// model's report in a table, and a model the dataset cannot score under the
// error type fails the table, naming the problem.
func TestTablesOfAccumulator(t *testing.T) {
	acc := adapterFixture(t)
	p, err := FromAccumulator(acc, "m", eval.ErrorClass)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := FactorCalibration(p, 2)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := CalibrationTableOf(acc, eval.ErrorClass, 2, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := NewCalibrationTable([]string{"m"}, []CalibrationReport{cal}, false); fmt.Sprint(ct) != fmt.Sprint(want) {
		t.Errorf("calibration table %+v, want %+v", ct, want)
	}
	prev, err := Prevalence(p)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := PrevalenceTableOf(acc, eval.ErrorClass, true, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := NewPrevalenceTable([]string{"m"}, []PrevalenceReport{prev}, true); fmt.Sprint(pt) != fmt.Sprint(want) {
		t.Errorf("prevalence table %+v, want %+v", pt, want)
	}
	if _, err := PrevalenceTableOf(acc, eval.ErrorReal, false, 0); err == nil {
		t.Error("a table under ReaL labels the fixture lacks")
	}
	co, err := CooccurrenceOf(context.Background(), acc.Dataset(), true, 0)
	if err != nil || co.Factors != eval.NumFactors || len(co.Names) <= eval.NumFactors {
		t.Errorf("co-occurrence with metaclasses: %d names, %v", len(co.Names), err)
	}
}
