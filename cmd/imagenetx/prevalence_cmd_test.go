package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/internal/shareddata"
)

func prevalenceRun(ctx context.Context, args []string, stderr *bytes.Buffer) error {
	return invokeTo(ctx, "prevalence", args, io.Discard, stderr)
}

// Expected numbers: the reference's Prevalence (compute_misclassification_shift
// and compute_metaclass_misclassification_shift) replicated with pandas on
// the fixture.
func TestPrevalenceCommandOnFixture(t *testing.T) {
	ann := writeAnnotationFixture(t)
	dir := t.TempDir()
	a := writePredictionFixture(t, dir, "a", fixtureA)
	recs := csvRecords(t, runToFile(t, prevalenceRun, "--annotations", ann, "--predictions", a), "model", "factor")
	want := []struct {
		factor              string
		share, mistake, sft float64
	}{
		{"pose", 0.5, 0.75, 0.5},
		{"background", 0.2, 0.25, 0.25},
		{"color", 0.2, 0, -1},
		{"texture", 0.1, 0, -1},
		{"pattern", 0, 0, 0}, // 0/0 shift reads as 0 (fillna)
	}
	for _, w := range want {
		r := recs["a/"+w.factor]
		checkField(t, r, "share", w.share, 1e-12)
		checkField(t, r, "mistake_share", w.mistake, 1e-12)
		checkField(t, r, "shift", w.sft, 1e-12)
		if r["images"] != "8" || r["mistakes"] != "3" || r["accuracy"] != "0.625" {
			t.Errorf("%s: %v", w.factor, r)
		}
	}
	meta := csvRecords(t, runToFile(t, prevalenceRun, "--annotations", ann, "--predictions", a, "--by-metaclass"), "model", "metaclass", "factor")
	checkField(t, meta["a/bird/pose"], "shift", 1, 1e-12)
	checkField(t, meta["a/bird/background"], "shift", -1, 1e-12)
	checkField(t, meta["a/bird/pose"], "accuracy", 0.5, 1e-12)
	if len(meta) != 3*eval.NumFactors {
		t.Errorf("%d records, want 3 metaclasses × 16 factors", len(meta))
	}
	md := runToFile(t, prevalenceRun, "--annotations", ann, "--predictions", a, "--format", "markdown", "--min-images", "0")
	for _, s := range []string{"| a     | +0.5000 |    +0.2500 |", "- a (3 mistakes on 8 images): most over-represented among its mistakes: pose (+50%), background (+25%); most under-represented: color (-100%), texture (-100%)."} {
		if !strings.Contains(md, s) {
			t.Errorf("markdown lacks %q:\n%s", s, md)
		}
	}
	// By default (30 images) every factor of the 8-image fixture is
	// flagged and none is ranked.
	md = runToFile(t, prevalenceRun, "--annotations", ann, "--predictions", a, "--format", "markdown")
	for _, s := range []string{"| a     | +0.5000* |", "most over-represented among its mistakes: none; most under-represented: none (factors with at least 30 images)."} {
		if !strings.Contains(md, s) {
			t.Errorf("markdown with the default --min-images lacks %q:\n%s", s, md)
		}
	}
	if err := invoke(context.Background(), "prevalence", []string{"--annotations", ann, "--predictions", a, "--error-type", "top5"}); err == nil {
		t.Error("bad error type accepted")
	}
}

// Expected numbers: the reference's Prevalence replicated with pandas 1.5.3
// on the published ViT predictions (val top-factor annotations).
func TestPrevalenceCommandOnRealPredictions(t *testing.T) {
	ann := shareddata.Require(t, "annotations")
	vit := filepath.Join(shareddata.Require(t, "predictions", "base"), "ViT.csv")
	recs := csvRecords(t, runToFile(t, prevalenceRun, "--annotations", ann, "--predictions", vit, "--by-metaclass"), "metaclass", "factor")
	checkField(t, recs["bird/pose"], "shift", -0.4134723242950528, 1e-10)
	checkField(t, recs["bird/texture"], "shift", -1, 1e-12)
	checkField(t, recs["bird/pose"], "accuracy", 0.9252811026478056, 1e-12)
	if recs["bird/pose"]["images"] != "2757" {
		t.Errorf("bird images %s, want 2757", recs["bird/pose"]["images"])
	}
	all := csvRecords(t, runToFile(t, prevalenceRun, "--annotations", ann, "--predictions", vit), "factor")
	want := []struct {
		factor              string
		share, mistake, sft float64
	}{
		{"pose", 0.3267111997917932, 0.2419746173945502, -0.25936234341291026},
		{"texture", 0.006116075301466123, 0.012504665920119448, 1.0445572207264804},
		{"brighter", 0.0009542812527110263, 0.0007465472191116088, -0.21768638230004414},
	}
	for _, w := range want {
		checkField(t, all[w.factor], "share", w.share, 1e-10)
		checkField(t, all[w.factor], "mistake_share", w.mistake, 1e-10)
		checkField(t, all[w.factor], "shift", w.sft, 1e-10)
	}
	if all["pose"]["mistakes"] != "10716" {
		t.Errorf("ViT mistakes %s, want 10716", all["pose"]["mistakes"])
	}
}
