package analysis

import (
	"context"
	"math"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/internal/shareddata"
)

// resnet50TopFactor joins the published ResNet50 predictions with the val
// top-factor annotations (prototypes excluded), as the reference does.
func resnet50TopFactor(t *testing.T) *Predictions {
	t.Helper()
	dir := shareddata.Require(t, "annotations")
	file := shareddata.Require(t, "predictions", "base", "ResNet50.csv")
	ds, err := load.Annotations(dir, eval.DatasetOptions{Factors: eval.TopFactor})
	if err != nil {
		t.Fatal(err)
	}
	acc := eval.NewAccumulator(ds)
	if err := load.File(acc, load.Source{Model: "ResNet50", Path: file}); err != nil {
		t.Fatal(err)
	}
	m, _ := acc.Model("ResNet50")
	correct, joined := acc.Correct(m, eval.ErrorClass)
	p := &Predictions{Correct: correct, Prob: m.Prob, Joined: joined,
		Factors: make([]uint16, len(ds.Images)), Metaclass: make([]int, len(ds.Images))}
	for i, im := range ds.Images {
		p.Factors[i], p.Metaclass[i] = im.Factors, im.Metaclass
	}
	return p
}

// Expected values in this file: the reference toolkit's functions
// (estimated_calibration_error, Prevalence, spearman_corr_heatmaps)
// replicated with pandas 1.5.3 / numpy 1.24.2 / scipy 1.10.1 on the same
// files (46,110 images after the join).
func TestFactorCalibrationOnResNet50(t *testing.T) {
	p := resnet50TopFactor(t)
	rep, err := FactorCalibration(p, 15)
	if err != nil {
		t.Fatal(err)
	}
	want := [16]float64{0.01950591372663218, 0.06479684824101391, 0.04014665378141402, 0.06424913685554402, 0.08631174861910347, 0.1580125410474225, 0.05946810515689687, 0.22376273494786328, 0.2469996293432624, 0.10661466856199994, 0.13177482307295088, 0.18803531170128202, 0.14838160369833336, 0.2045138904581395, 0.1335988444295457, 0.24803759977}
	if rep.N != 46110 {
		t.Errorf("N = %d, want 46110", rep.N)
	}
	for f := range want {
		checkClose(t, eval.Factors[f], rep.Factor[f], want[f], 1e-10)
	}
	checkClose(t, "worst", rep.WorstFactor, 0.24803759977, 1e-10)
	checkClose(t, "overall", rep.Overall, 0.0400197539734818, 1e-10)
	dog, _ := eval.MetaclassIndex("dog")
	checkClose(t, "dog overall", rep.ByMetaclass[dog].Overall, 0.019389502912080976, 1e-10)
	checkClose(t, "dog pose", rep.ByMetaclass[dog].Factor[0], 0.014964980970678256, 1e-10)
}

func TestPrevalenceOnResNet50(t *testing.T) {
	p := resnet50TopFactor(t)
	rep, err := Prevalence(p)
	if err != nil {
		t.Fatal(err)
	}
	overall := [16]float64{-0.30529110043722135, 0.14164960258092543, -0.2285913601372616, 0.18877402828822817, 0.49736655644780364, 0.7441543769039884, 0.13230611499978542, 1.1053881278538813, 1.39375910813174, 0.3158675799086758, 0.7149421738154053, 0.9231910783280648, 1.1711815068493152, 0.9278990124243388, 0.16633717310087165, 0.9738013698630137}
	dog := [16]float64{-0.21891775371271313, 0.10870812798030004, -0.646129632279296, 0.6112919814164628, 0.407115741149466, 0.0, -0.1775253384123528, 3.164387515785676, -0.23983402489626554, 0.5203319502074689, 2.040663900414938, 2.040663900414938, 3.5609958506224064, 0.0, 1.2804979253112032, 3.5609958506224064}
	vessel := [16]float64{-0.1324303338797343, 0.16338945402226315, -0.2819298806169576, -0.004928977909217171, 0.39446488001401303, -0.042478827799435286, 0.4800899165061015, -0.05227444081427494, 0.5137283236994219, 0.93757225433526, 0.21098265895953747, 1.421965317919075, 0.0, 0.6146435452793833, 1.421965317919075, 0.0}
	di, _ := eval.MetaclassIndex("dog")
	vi, _ := eval.MetaclassIndex("vessel")
	for f := 0; f < eval.NumFactors; f++ {
		checkClose(t, "overall "+eval.Factors[f], rep.Shift[f], overall[f], 1e-10)
		checkClose(t, "dog "+eval.Factors[f], rep.ByMetaclass[di].Shift[f], dog[f], 1e-10)
		checkClose(t, "vessel "+eval.Factors[f], rep.ByMetaclass[vi].Shift[f], vessel[f], 1e-10)
	}
	checkClose(t, "dog accuracy", rep.MetaclassAccuracy[di], 0.7807496360989811, 1e-12)
	checkClose(t, "vessel accuracy", rep.MetaclassAccuracy[vi], 0.5871121718377088, 1e-12)
}

func TestCooccurrenceOnMultiFactorAnnotations(t *testing.T) {
	ds, err := load.Annotations(shareddata.Require(t, "annotations"), eval.DatasetOptions{Factors: eval.MultiFactor})
	if err != nil {
		t.Fatal(err)
	}
	factors, meta := make([]uint16, len(ds.Images)), make([]int, len(ds.Images))
	for i, im := range ds.Images {
		factors[i], meta[i] = im.Factors, im.Metaclass
	}
	names, rho, p, err := Cooccurrence(context.Background(), factors, meta, true)
	if err != nil {
		t.Fatal(err)
	}
	index := map[string]int{}
	for i, n := range names {
		index[n] = i
	}
	want := []struct {
		a, b   string
		rho, p float64
	}{
		{"pose", "background", 0.03402573900381081, 2.7045012121779864e-13},
		{"color", "pattern", 0.21323974618069033, 0.0},
		{"darker", "brighter", -0.00020081443390615832, 0.965605720909524},
		{"pose", "dog", 0.1017567278339253, 2.239911365715198e-106},
		{"multiple_objects", "commodity", -0.010307491820715664, 0.02687344516564587},
		{"dog", "bird", -0.09276716507824387, 1.1641653948039179e-88},
		{"style", "other", -0.002283860103917695, 0.6238465704303453},
	}
	for _, w := range want {
		i, j := index[w.a], index[w.b]
		checkClose(t, w.a+"/"+w.b+" rho", rho.At(i, j), w.rho, 1e-10)
		checkRel(t, w.a+"/"+w.b+" p", p.At(i, j), w.p, 1e-8)
	}
	if r, _ := rho.Dims(); r != eval.NumFactors+eval.NumMetaclasses {
		t.Errorf("matrix has %d rows, want %d", r, eval.NumFactors+eval.NumMetaclasses)
	}
}

func checkClose(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(want) != math.IsNaN(got) || math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.17g, want %.17g", name, got, want)
	}
}

func checkRel(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	ok := math.Abs(got-want) <= tol*math.Abs(want)
	if want == 0 {
		ok = got >= 0 && got < 1e-300
	}
	if !ok {
		t.Errorf("%s = %.17g, want %.17g (relative %g)", name, got, want, tol)
	}
}
