package eval

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/predictions"
)

func TestEnough(t *testing.T) {
	for _, c := range []struct {
		n, min int
		want   bool
	}{{29, 30, false}, {30, 30, true}, {0, 0, true}, {2, 30, false}} {
		if got := Enough(c.n, c.min); got != c.want {
			t.Errorf("Enough(%d, %d) = %v", c.n, c.min, got)
		}
	}
	if CheckMinImages(-1) == nil || CheckMinImages(0) != nil {
		t.Error("CheckMinImages accepts -1 or refuses 0")
	}
}

// partialAccumulator: countsFixture's 40 images, model "part" predicting
// the first 12 (right on every third), model "all" every image, right on
// all but those with factor texture (a factor of 2 images in the fixture).
func partialAccumulator(t *testing.T) *Accumulator {
	t.Helper()
	ds, _ := countsFixture(t)
	acc := NewAccumulator(ds)
	texture, _ := FactorIndex("texture")
	for i := 1; i <= 40; i++ {
		idx, _ := ds.Index(valName(i))
		im := ds.Images[idx]
		if i <= 12 {
			class := im.Class
			if i%3 != 0 {
				class = (class + 1) % 5
			}
			if err := acc.Add("part", predictions.Prediction{FileName: im.FileName, Class: class, Prob: 0.5}); err != nil {
				t.Fatal(err)
			}
		}
		class := im.Class
		if im.Has(texture) {
			class = (class + 1) % 5
		}
		if err := acc.Add("all", predictions.Prediction{FileName: im.FileName, Class: class, Prob: 0.5}); err != nil {
			t.Fatal(err)
		}
	}
	return acc
}

func TestCaveats(t *testing.T) {
	acc := partialAccumulator(t)
	tbl, err := acc.Table(ErrorClass)
	if err != nil {
		t.Fatal(err)
	}
	part, _ := tbl.Row("part")
	all, _ := tbl.Row("all")
	if part.Annotated != 40 || part.N != 12 || part.Classes != 5 || all.N != 40 {
		t.Fatalf("part: %d of %d images, %d classes; all: %d", part.N, part.Annotated, part.Classes, all.N)
	}
	want := "worst_100_classes needs predictions for every annotated image (it ranks all classes by accuracy); 12 of 40 annotated images have one, covering 5 classes"
	if got := part.Worst100ClassesCaveat(); got != want {
		t.Errorf("partial row: %q, want %q", got, want)
	}
	if got := all.Worst100ClassesCaveat(); got != "" {
		t.Errorf("complete row: %q", got)
	}
	// "all" is wrong on texture only: worst_factor 0 from its images.
	texture, _ := FactorIndex("texture")
	if all.WorstFactor != 0 || all.Count[texture] >= 30 {
		t.Fatalf("fixture: worst %v, texture on %d images", all.WorstFactor, all.Count[texture])
	}
	if got := all.WorstFactorCaveat(30); !strings.Contains(got, "texture's accuracy on") || !strings.Contains(got, "fewer than 30") {
		t.Errorf("worst factor caveat: %q", got)
	}
	if got := all.WorstFactorCaveat(1); got != "" {
		t.Errorf("with a minimum of 1 image: %q", got)
	}
	if got := (&Row{WorstFactor: 0.1, Worst100Classes: 0.1}).Worst100ClassesCaveat() + (&Row{WorstFactor: 0.1}).WorstFactorCaveat(30); got != "" {
		t.Errorf("a row read from a file (no counts): %q", got)
	}
	mt, _ := acc.MetaclassTable(ErrorClass)
	for _, r := range mt.Rows {
		if r.Worst100ClassesCaveat() != "" {
			t.Errorf("metaclass row %s/%s has a worst_100_classes caveat", r.Model, r.Metaclass)
		}
	}
}

func TestSummaries(t *testing.T) {
	acc := partialAccumulator(t)
	ss, err := acc.Summaries(ErrorClass, IntervalOptions{Confidence: 0.95, MinImages: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 2 || ss[0].Model != "all" || ss[1].Model != "part" {
		t.Fatalf("summaries of %d models", len(ss))
	}
	all, part := ss[0], ss[1]
	tbl, _ := acc.Table(ErrorClass)
	row, _ := tbl.Row("all")
	if all.K != 1 || all.Top1 != all.TopK || all.Top1.N != 40 || all.Top1.Correct != row.NCorrect || all.Coverage.Missing != 0 {
		t.Errorf("all: %+v", all.Top1)
	}
	if part.Coverage.Missing != 28 || part.Worst100ClassesCaveat == "" || part.Top1.Correct != 4 {
		t.Errorf("part: coverage %+v, top-1 %+v, caveat %q", part.Coverage, part.Top1, part.Worst100ClassesCaveat)
	}
	for f, fs := range all.Factors {
		if fs.Top1.N != row.Count[f] || fs.Enough != (row.Count[f] >= 3) || fs.Factor != Factors[f] {
			t.Errorf("%s: %+v, table count %d", Factors[f], fs, row.Count[f])
		}
		if fs.Top1.N > 0 && !(fs.ERLo <= fs.ERHi && fs.Top1.Lo < fs.Top1.Hi) {
			t.Errorf("%s: collapsed interval %+v", Factors[f], fs)
		}
	}
	for _, f := range all.Worst {
		if !all.Factors[f].Enough {
			t.Errorf("%s ranked worst on %d images", Factors[f], all.Factors[f].Top1.N)
		}
	}
	if len(all.Worst) == 0 || Factors[all.Worst[0]] != "texture" || math.IsNaN(all.Factors[all.Worst[0]].ERHi) {
		t.Errorf("worst: %v", all.Worst)
	}
	if _, err := acc.Summary("nobody", ErrorClass, IntervalOptions{Confidence: 0.95}); err == nil {
		t.Error("summary of an unknown model")
	}
}

// The summary's top-k is the top-k table's.
func TestSummaryTopK(t *testing.T) {
	ds, ps := topKFixture(t)
	acc := NewAccumulatorWith(ds, AccumulatorOptions{TopK: 3})
	for _, p := range ps {
		if err := acc.Add("m", p); err != nil {
			t.Fatal(err)
		}
	}
	s, err := acc.Summary("m", ErrorClass, IntervalOptions{Confidence: 0.95, MinImages: DefaultMinImages})
	if err != nil {
		t.Fatal(err)
	}
	n, right := countRight(ds, ps, 3, -1)
	_, right1 := countRight(ds, ps, 1, -1)
	if s.K != 3 || s.TopK.N != n || s.TopK.Correct != right || s.Top1.Correct != right1 || right == right1 {
		t.Errorf("top-1 %d, top-3 %d/%d; want %d, %d/%d", s.Top1.Correct, s.TopK.Correct, s.TopK.N, right1, right, n)
	}
	for f, fs := range s.Factors {
		if n, right := countRight(ds, ps, 3, f); fs.TopK.N != n || fs.TopK.Correct != right {
			t.Errorf("%s: top-3 %d/%d, want %d/%d", Factors[f], fs.TopK.Correct, fs.TopK.N, right, n)
		}
	}
	want := fmt.Sprintf("m: top-1 %d/%d = %.4f, top-3 %d/%d = %.4f over the annotated images it predicted",
		right1, n, float64(right1)/float64(n), right, n, float64(right)/float64(n))
	if got := s.TopKNote(); got != want {
		t.Errorf("note %q, want %q", got, want)
	}
}
