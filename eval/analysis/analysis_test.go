package analysis

import (
	"context"
	"math"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/stats"
)

// tiny: 6 images; factor 0 on images 0-3, factor 1 on 2-5, factor 2 nowhere;
// images 0-2 in metaclass 0, 3-5 in metaclass 1. Image 5 is not joined.
func tiny() *Predictions {
	return &Predictions{
		Correct:   []bool{true, false, true, false, false, true},
		Prob:      []float64{0.9, 0.8, 0.6, 0.3, 0.55, 0.99},
		Factors:   []uint16{1, 1, 3, 3, 2, 2},
		Metaclass: []int{0, 0, 0, 1, 1, 1},
		Joined:    []bool{true, true, true, true, true, false},
	}
}

func TestFactorCalibrationGroupsAndJoin(t *testing.T) {
	p := tiny()
	rep, err := FactorCalibration(p, 15)
	if err != nil {
		t.Fatal(err)
	}
	want0 := stats.ExpectedCalibrationError(p.Correct[:4], p.Prob[:4], 15)
	want1 := stats.ExpectedCalibrationError(p.Correct[2:5], p.Prob[2:5], 15)
	checkClose(t, "factor 0", rep.Factor[0], want0, 1e-15)
	checkClose(t, "factor 1", rep.Factor[1], want1, 1e-15)
	checkClose(t, "overall", rep.Overall, stats.ExpectedCalibrationError(p.Correct[:5], p.Prob[:5], 15), 1e-15)
	if !math.IsNaN(rep.Factor[2]) {
		t.Errorf("factor without images: %g, want NaN", rep.Factor[2])
	}
	checkClose(t, "worst", rep.WorstFactor, math.Max(want0, want1), 1e-15)
	if rep.N != 5 || rep.ByMetaclass[1].N != 2 || !math.IsNaN(rep.ByMetaclass[2].Overall) {
		t.Errorf("N %d, metaclass 1 N %d, metaclass 2 overall %g; want 5, 2, NaN",
			rep.N, rep.ByMetaclass[1].N, rep.ByMetaclass[2].Overall)
	}
}

func TestPrevalenceShares(t *testing.T) {
	rep, err := Prevalence(tiny())
	if err != nil {
		t.Fatal(err)
	}
	// Joined images: factor annotations f0 ×4 (0,1,2,3), f1 ×3 (2,3,4) → shares 4/7, 3/7.
	// Mistakes (1, 3, 4): f0 ×2, f1 ×2 → 1/2 each.
	checkClose(t, "share 0", rep.Share[0], 4.0/7, 1e-15)
	checkClose(t, "mistake share 1", rep.MistakeShare[1], 0.5, 1e-15)
	checkClose(t, "shift 0", rep.Shift[0], (0.5-4.0/7)/(4.0/7), 1e-15)
	checkClose(t, "shift 1", rep.Shift[1], (0.5-3.0/7)/(3.0/7), 1e-15)
	if rep.Shift[2] != 0 { // 0/0, the reference's fillna(0)
		t.Errorf("shift of an absent factor = %g, want 0", rep.Shift[2])
	}
	if rep.Images != 5 || rep.Mistakes != 3 {
		t.Errorf("images %d mistakes %d, want 5, 3", rep.Images, rep.Mistakes)
	}
	checkClose(t, "metaclass 0 accuracy", rep.MetaclassAccuracy[0], 2.0/3, 1e-15)
	checkClose(t, "metaclass 1 accuracy", rep.MetaclassAccuracy[1], 0, 1e-15)
	if !math.IsNaN(rep.MetaclassAccuracy[5]) {
		t.Errorf("accuracy of an empty metaclass = %g, want NaN", rep.MetaclassAccuracy[5])
	}
}

func TestPredictionsValidation(t *testing.T) {
	bad := []*Predictions{
		{Correct: []bool{true}, Factors: []uint16{}, Metaclass: []int{0}},
		{Correct: []bool{true}, Factors: []uint16{1}, Metaclass: []int{eval.NumMetaclasses}},
		{Correct: []bool{true}, Factors: []uint16{1}, Metaclass: []int{0}, Joined: []bool{}},
	}
	for i, p := range bad {
		if _, err := Prevalence(p); err == nil {
			t.Errorf("case %d: Prevalence accepted bad input", i)
		}
	}
	noProb := &Predictions{Correct: []bool{true}, Factors: []uint16{1}, Metaclass: []int{0}}
	if _, err := FactorCalibration(noProb, 15); err == nil {
		t.Error("FactorCalibration accepted predictions without probabilities")
	}
	if _, err := Prevalence(noProb); err != nil {
		t.Errorf("Prevalence needs no probabilities: %v", err)
	}
}

func TestCooccurrenceColumns(t *testing.T) {
	factors := []uint16{1, 1, 2, 2, 3, 0}
	names, rho, _, err := Cooccurrence(context.Background(), factors, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != eval.NumFactors || names[0] != "pose" {
		t.Fatalf("names %v", names)
	}
	// pose = [1 1 0 0 1 0], background = [0 0 1 1 1 0]
	want, _ := stats.Spearman([]float64{1, 1, 0, 0, 1, 0}, []float64{0, 0, 1, 1, 1, 0})
	checkClose(t, "pose/background", rho.At(0, 1), want, 1e-15)
	if !math.IsNaN(rho.At(0, 2)) {
		t.Errorf("against a never-annotated factor: %g, want NaN", rho.At(0, 2))
	}
	if _, _, _, err := Cooccurrence(context.Background(), factors, []int{0}, true); err == nil {
		t.Error("mismatched metaclasses accepted")
	}
}

func BenchmarkCooccurrence50kImages(b *testing.B) {
	const n = 50000
	factors, meta := make([]uint16, n), make([]int, n)
	for i := range factors {
		factors[i] = uint16(i*2654435761>>7) & 0x0fff
		meta[i] = i % eval.NumMetaclasses
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, _, err := Cooccurrence(context.Background(), factors, meta, true); err != nil {
			b.Fatal(err)
		}
	}
}
