package main

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/internal/shareddata"
)

func TestReportAndPlotFlagErrors(t *testing.T) {
	ann := writeAnnotationFixture(t)
	preds := t.TempDir()
	writePredictionFixture(t, preds, "a", fixtureA)
	writePredictionFixture(t, preds, "b", fixtureB)
	tests := []struct {
		name string
		cmd  string
		args []string
		want string
	}{
		{"report without input", "report", nil, "--predictions PATH or --sweep DIR is required"},
		{"report extra argument", "report", []string{"x"}, "unexpected argument"},
		{"report examples", "report", []string{"--examples", "0", "--sweep", "d"}, "--examples"},
		{"report bad error type", "report", []string{"--sweep", "d", "--error-type", "top5"}, "unknown error type"},
		{"report missing sweep", "report", []string{"--sweep", "/nonexistent/sweep"}, "spillover.csv"},
		{"plot without kind", "plot", nil, "KIND is required"},
		{"plot without output", "plot", []string{"accuracy", "--sweep", "d"}, "-o FILE.svg or FILE.png is required"},
		{"plot bad extension", "plot", []string{"accuracy", "--sweep", "d", "-o", "x.gif"}, "x.gif: a chart is written as a .svg or .png file"},
		{"plot unknown kind", "plot", []string{"pie", "--sweep", "d", "-o", "x.svg"}, "unknown chart"},
		{"plot heatmap of which model", "plot", []string{"heatmap", "--annotations", ann, "--predictions", preds, "--quiet", "-o", "x.svg"},
			"--model MODEL is required: report: the heatmap is drawn for one model: one of a, b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := invoke(context.Background(), tt.cmd, tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestReportAndPlotOnRealData(t *testing.T) {
	ann := shareddata.Require(t, "annotations")
	preds := shareddata.Require(t, "predictions", "base", "ResNet50.csv")
	dir := t.TempDir()
	out := filepath.Join(dir, "report.html")
	errorsFile := filepath.Join(dir, "resnet-errors.csv")
	if err := os.WriteFile(errorsFile, []byte("file_name,stage,reason\nbroken.JPEG,decode,unexpected EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := invoke(context.Background(), "report", []string{"--quiet", "--predictions", preds, "--annotations", ann, "--errors", "ViT=" + errorsFile, "-o", out}); err == nil || !strings.Contains(err.Error(), `is for model "ViT", which is not among the models given`) {
		t.Errorf("--errors for a model not given: err = %v", err)
	}
	if err := invoke(context.Background(), "report", []string{"--quiet", "--predictions", preds, "--annotations", ann, "--errors", "ResNet50=" + errorsFile, "-o", out}); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		// top-1 over all 50,000 labelled images, not only the annotated ones
		`<span class="label">top-1</span><span class="value">76.13%</span><span class="ci">[75.75%, 76.50%]</span><span class="of">of 50,000 labelled images</span>`,
		`id="error-ratio"`, "ResNet50: 46110 of 46110 annotated images",
		`<h3 id="failed-0">ResNet50: 1 failed</h3>`, "<td>broken.JPEG<td>decode<td class=\"wrap\">unexpected EOF",
	} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	svg := filepath.Join(dir, "er.svg")
	if err := invoke(context.Background(), "plot", []string{"error-ratio", "--quiet", "--predictions", preds, "--annotations", ann, "-o", svg}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(svg); err != nil || !strings.Contains(string(b), "<svg") {
		t.Errorf("plot SVG: %v", err)
	}
	pngPath := filepath.Join(dir, "heat.png")
	if err := invoke(context.Background(), "plot", []string{"heatmap", "--quiet", "--predictions", preds, "--annotations", ann, "-o", pngPath}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("plot PNG: %v", err)
	}
}
