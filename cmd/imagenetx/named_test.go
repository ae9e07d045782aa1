package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Two audits both write predictions.csv: every command that reads
// predictions takes them side by side as NAME=PATH, with no renaming.
func TestReadersTakeNamedPredictions(t *testing.T) {
	ann := writeAnnotationFixture(t)
	dir := t.TempDir()
	var paths []string
	for i, preds := range [][]fixturePrediction{fixtureA, fixtureB} {
		audit := filepath.Join(dir, []string{"audit1", "audit2"}[i])
		if err := os.Mkdir(audit, 0o755); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, writePredictionFixture(t, audit, "predictions", preds))
	}
	named := []string{"--predictions", "first=" + paths[0], "--predictions", "second=" + paths[1]}
	got := runToFile(t, evalRun, append([]string{"--annotations", ann}, named...)...)
	// the pinned table of TestEvalCommandWithoutCIIsUnchanged, models named
	want := "model,pose,background,pattern,color,smaller,shape,partial_view,subcategory,texture,larger,darker,object_blocking,person_blocking,style,brighter,multiple_objects,worst_factor,average,worst_100_classes\n" +
		"first,0.4,0.5,,1.0,,,,,1.0,,,,,,,,0.4,0.625,0.625\n" +
		"second,0.8,0.5,,0.0,,,,,0.0,,,,,,,,0.0,0.5,0.5\n"
	if got != want {
		t.Errorf("eval with names:\n%s\nwant\n%s", got, want)
	}
	for _, name := range []string{"compare", "calibration", "prevalence"} {
		out := filepath.Join(t.TempDir(), "out")
		if err := invoke(context.Background(), name, append([]string{"--annotations", ann, "--quiet", "-o", out}, named...)); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if b, _ := os.ReadFile(out); name != "compare" && !(strings.Contains(string(b), "first") && strings.Contains(string(b), "second")) {
			t.Errorf("%s output lacks the names:\n%s", name, b)
		}
	}
	html := filepath.Join(t.TempDir(), "report.html")
	if err := invoke(context.Background(), "report", append([]string{"--annotations", ann, "--quiet", "-o", html}, named...)); err != nil {
		t.Errorf("report: %v", err)
	} else if b, _ := os.ReadFile(html); !strings.Contains(string(b), "first") || !strings.Contains(string(b), "second") {
		t.Error("report lacks the names")
	}
	// without names the two files clash, as before
	if err := invoke(context.Background(), "eval", []string{"--annotations", ann, "--quiet", "--predictions", paths[0], "--predictions", paths[1]}); err == nil ||
		!strings.Contains(err.Error(), `model "predictions" given twice`) {
		t.Errorf("unnamed: %v", err)
	}
}
