package eval

import (
	"errors"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/predictions"
)

// countsFixture: 40 images of classes 0..4 with varied factors, three
// models with different mistakes (one of them named like the ReaL baseline)
// and one prediction without an annotation each.
func countsFixture(t *testing.T) (*Dataset, map[string][]predictions.Prediction) {
	t.Helper()
	var images []fixtureImage
	var real [][]int
	for i := 1; i <= 40; i++ {
		fs := []string{Factors[i%NumFactors]}
		if i%3 == 0 {
			fs = append(fs, Factors[(i+5)%NumFactors])
		}
		images = append(images, fixtureImage{valName(i), i % 5, fs})
		real = append(real, []int{i % 5, (i + 1) % 5})
	}
	preds := map[string][]predictions.Prediction{}
	for k, model := range []string{"a", "b", HumanModel} {
		for i := 1; i <= 40; i++ {
			class := i % 5
			if (i+k)%(3+k) == 0 {
				class = (class + 1 + k) % 5
			}
			preds[model] = append(preds[model], predictions.Prediction{FileName: valName(i), Class: class, Prob: 0.5})
		}
		preds[model] = append(preds[model], predictions.Prediction{FileName: "extra.JPEG", Class: 1, Prob: 0.5})
	}
	return fixtureDataset(t, images, real), preds
}

// TestCountsOnlyTablesMatch: an accumulator that keeps counts only gives
// byte for byte the tables of one that keeps every prediction, whether the
// predictions come one by one or a model at a time.
func TestCountsOnlyTablesMatch(t *testing.T) {
	ds, preds := countsFixture(t)
	full, counts := NewAccumulator(ds), NewAccumulatorWith(ds, AccumulatorOptions{CountsOnly: true})
	for model, ps := range preds {
		for _, p := range ps {
			if err := full.Add(model, p); err != nil {
				t.Fatal(err)
			}
		}
		if err := addAll(counts, model, ps); err != nil {
			t.Fatal(err)
		}
	}
	for _, et := range ErrorTypes {
		for _, byMetaclass := range []bool{false, true} {
			if got, want := tableText(t, counts, et, byMetaclass), tableText(t, full, et, byMetaclass); got != want {
				t.Errorf("%v by metaclass %v: counts only\n%s\nevery prediction\n%s", et, byMetaclass, got, want)
			}
		}
	}
	a, _ := counts.Model("a")
	if cov := a.Coverage(); cov != (Coverage{Annotated: 40, Joined: 40, Unannotated: 1}) || a.Class != nil {
		t.Errorf("coverage %+v, per-image predictions kept: %v", cov, a.Class != nil)
	}
}

func TestCountsOnlyRefusesPerImageWork(t *testing.T) {
	ds, preds := countsFixture(t)
	acc := NewAccumulatorWith(ds, AccumulatorOptions{CountsOnly: true})
	for _, p := range preds["a"] {
		if err := acc.Add("a", p); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range preds["b"] {
		if err := acc.Add("b", p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Compare(acc, "a", "b", CompareOptions{Alpha: 0.05}); !errors.Is(err, ErrCountsOnly) {
		t.Errorf("Compare on counts: %v", err)
	}
	m, _ := acc.Model("a")
	if c, j := acc.Correct(m, ErrorClass); c != nil || j != nil {
		t.Error("Correct gave per-image results from counts")
	}
	// Duplicates are still caught, annotated or not.
	for _, p := range []predictions.Prediction{preds["a"][3], preds["a"][len(preds["a"])-1]} {
		if err := acc.Add("a", p); err == nil || !strings.Contains(err.Error(), "duplicate prediction") {
			t.Errorf("second %s: %v", p.FileName, err)
		}
	}
}

func TestAddModelCompletesTheModel(t *testing.T) {
	ds, preds := countsFixture(t)
	for _, opt := range []AccumulatorOptions{{}, {CountsOnly: true}} {
		acc := NewAccumulatorWith(ds, opt)
		dup := func(add func(predictions.Prediction) error) error {
			if err := add(preds["a"][0]); err != nil {
				return err
			}
			return add(preds["a"][0])
		}
		if err := acc.AddModel("a", dup); err == nil || !strings.Contains(err.Error(), "duplicate prediction") {
			t.Errorf("%+v: duplicate within AddModel: %v", opt, err)
		}
		if err := acc.AddModel("a", dup); !errors.As(err, new(*ModelLoadedError)) {
			t.Errorf("%+v: AddModel twice: %v", opt, err)
		}
		if err := acc.Add("a", preds["a"][1]); err == nil || !strings.Contains(err.Error(), "complete") {
			t.Errorf("%+v: Add after AddModel: %v", opt, err)
		}
	}
}
