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

func calibrationRun(ctx context.Context, args []string, stderr *bytes.Buffer) error {
	return invokeTo(ctx, "calibration", args, io.Discard, stderr)
}

// Expected numbers: the reference's estimated_calibration_error (numpy
// 1.24) on the fixture.
func TestCalibrationCommandOnFixture(t *testing.T) {
	ann := writeAnnotationFixture(t)
	dir := t.TempDir()
	writePredictionFixture(t, dir, "a", fixtureA)
	writePredictionFixture(t, dir, "b", fixtureB)
	cases := []struct {
		name  string
		flags []string
		key   string
		want  map[string]float64
	}{
		{"a", nil, "a", map[string]float64{"pose": 0.28, "background": 0.3, "color": 0.175, "texture": 0.05, "worst_factor": 0.3, "average": 0.2375}},
		{"b", nil, "b", map[string]float64{"pose": 0.18, "background": 0.4, "color": 0.5, "texture": 0.4, "worst_factor": 0.5, "average": 0.28125}},
		{"two bins", []string{"--bins", "2"}, "b", map[string]float64{"average": 0.24375}},
		{"dog", []string{"--by-metaclass"}, "a/dog", map[string]float64{"average": 0.15}},
		{"dog b", []string{"--by-metaclass"}, "b/dog", map[string]float64{"average": 0.2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := runToFile(t, calibrationRun, append([]string{"--annotations", ann, "--predictions", dir}, c.flags...)...)
			key := []string{"model"}
			if strings.Contains(c.key, "/") {
				key = append(key, "metaclass")
			}
			recs := csvRecords(t, out, key...)
			for col, v := range c.want {
				checkField(t, recs[c.key], col, v, 1e-12)
			}
			if r := recs[c.key]; r["pattern"] != "" {
				t.Errorf("pattern (no image) = %q, want empty", r["pattern"])
			}
		})
	}
	// The metaclass rows run metaclass by metaclass, the models within each;
	// metaclasses without images (all but dog, bird, other) are left out.
	out := runToFile(t, calibrationRun, "--annotations", ann, "--predictions", dir, "--by-metaclass")
	var order []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		order = append(order, strings.Join(strings.Split(l, ",")[:2], "/"))
	}
	if got := strings.Join(order, " "); got != "a/dog b/dog a/bird b/bird a/other b/other" {
		t.Errorf("row order %s", got)
	}
	if err := invoke(context.Background(), "calibration", []string{"--annotations", ann, "--predictions", dir, "--bins", "0"}); err == nil {
		t.Error("--bins 0 accepted")
	}
	if err := invoke(context.Background(), "calibration", []string{"--annotations", ann}); err == nil {
		t.Error("no predictions accepted")
	}
}

// Expected numbers: the reference's compute_factor_calibration_errors
// replicated with pandas 1.5.3 / numpy 1.24 on the published predictions
// (val top-factor annotations, prototypes excluded).
func TestCalibrationCommandOnRealPredictions(t *testing.T) {
	ann := shareddata.Require(t, "annotations")
	base := shareddata.Require(t, "predictions", "base")
	dino, vit := filepath.Join(base, "DINO.csv"), filepath.Join(base, "ViT.csv")
	out := runToFile(t, calibrationRun, "--annotations", ann, "--predictions", dino, "--predictions", vit)
	if header := strings.SplitN(out, "\n", 2)[0]; header != "model,"+strings.Join(eval.Factors[:], ",")+",worst_factor,average" {
		t.Errorf("header %q", header)
	}
	recs := csvRecords(t, out, "model")
	want := map[string]map[string]float64{
		"DINO": {"pose": 0.012668512718752755, "texture": 0.15856173634574466, "style": 0.15966858473023252,
			"worst_factor": 0.1906068521833333, "object_blocking": 0.1906068521833333, "average": 0.03132378608911621},
		"ViT": {"pose": 0.02309340754342086, "texture": 0.13608371455744678, "style": 0.21233978885116273,
			"worst_factor": 0.21233978885116273, "average": 0.0162728804828327},
	}
	for model, cols := range want {
		for col, v := range cols {
			checkField(t, recs[model], col, v, 1e-10)
		}
	}
	meta := csvRecords(t, runToFile(t, calibrationRun, "--annotations", ann, "--predictions", vit, "--by-metaclass"), "model", "metaclass")
	if len(meta) != eval.NumMetaclasses {
		t.Errorf("%d metaclass rows, want %d", len(meta), eval.NumMetaclasses)
	}
	checkField(t, meta["ViT/bird"], "average", 0.021023187213312255, 1e-10)
	checkField(t, meta["ViT/bird"], "pose", 0.025088408184939764, 1e-10)
}
