package report

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/eval/sweep"
)

// fixtureModels are the models of the generated fixture.
var fixtureModels = []string{"alpha", "beta"}

// fixture is a generated annotation folder, predictions and images.
type fixture struct {
	annotations, images string
	predictions         []string
	// imageCount is the number of annotated images; thumbs the number of
	// them written as JPEGs (one more file is corrupt).
	imageCount, thumbs int
}

// fixtureShape says what a generated fixture holds: how many annotated
// images, each image's one factor and class, and when model m errs.
type fixtureShape struct {
	images int
	factor func(i int) int
	wrong  func(i, m, factor int) bool
	// jpegs is the number of images written as JPEGs (the first ones).
	jpegs int
}

// defaultShape is 480 images, each with one factor (every factor gets 30
// images), two models whose mistakes depend on the factor, and JPEGs for
// the first 40 images.
var defaultShape = fixtureShape{
	images: 480,
	factor: func(i int) int { return i % eval.NumFactors },
	// Model m errs on image i when (i/16) % (2+factor%4+m) == 0: more
	// often on some factors than others.
	wrong: func(i, m, factor int) bool { return (i/eval.NumFactors)%(2+factor%4+m) == 0 },
	jpegs: 40,
}

// makeFixture writes the default fixture: 480 annotated images over
// classes 0–5 (0, 1: dog; 2: bird; 3: device; 4, 5: other), and a corrupt
// JPEG after the good ones.
func makeFixture(t testing.TB) fixture { return makeShapedFixture(t, defaultShape) }

// makeShapedFixture writes annotations, predictions and JPEGs of a shape.
func makeShapedFixture(t testing.TB, shape fixtureShape) fixture {
	t.Helper()
	dir := t.TempDir()
	fx := fixture{annotations: filepath.Join(dir, "ann"), images: filepath.Join(dir, "img"), imageCount: shape.images, thumbs: shape.jpegs}
	for _, d := range []string{fx.annotations, fx.images} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var meta, labels strings.Builder
	meta.WriteString("wnid,name,metaclass\n")
	for c := range eval.NumClasses {
		name := []string{"dog", "dog", "bird", "device"}[min(c, 3)]
		if c > 3 {
			name = "tool"
		}
		fmt.Fprintf(&meta, "n%08d,%s,%d\n", c, name, c%100)
		fmt.Fprintf(&labels, "n%08d,class name %d\n", c, c)
	}
	writeFile(t, filepath.Join(fx.annotations, load.MetaclassFile), meta.String())
	writeFile(t, filepath.Join(fx.annotations, load.ClassNamesFile), labels.String())
	writeFile(t, filepath.Join(fx.annotations, load.PrototypeFile), "file_name\n")
	var ann strings.Builder
	preds := make([]strings.Builder, len(fixtureModels))
	for m := range preds {
		preds[m].WriteString("file_name,predicted_class,predicted_probability\n")
	}
	for i := range fx.imageCount {
		file := fmt.Sprintf("ILSVRC2012_val_%08d.JPEG", i+1)
		class, factor := i%6, shape.factor(i)
		obj := map[string]any{"file_name": file, "class": class, "justification": fmt.Sprintf("why <%d>", i), "one_word": "word"}
		for f, name := range eval.Factors {
			obj[name] = map[bool]int{true: 1, false: 0}[f == factor]
		}
		b, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		ann.Write(b)
		ann.WriteByte('\n')
		for m := range preds {
			pred := class
			if shape.wrong(i, m, factor) {
				pred = (class + 1 + m) % 6
			}
			fmt.Fprintf(&preds[m], "%s,%d,%.3f\n", file, pred, 0.5+float64((i*7+m)%50)/100)
		}
		if i < fx.thumbs {
			writeJPEG(t, filepath.Join(fx.images, file), i)
		}
	}
	writeFile(t, filepath.Join(fx.annotations, load.AnnotationFile(eval.Val, eval.TopFactor)), ann.String())
	writeFile(t, filepath.Join(fx.images, fmt.Sprintf("ILSVRC2012_val_%08d.JPEG", fx.thumbs+1)), "not a jpeg")
	for m, name := range fixtureModels {
		p := filepath.Join(dir, name+".csv")
		writeFile(t, p, preds[m].String())
		fx.predictions = append(fx.predictions, p)
	}
	return fx
}

// input loads the fixture as a report input.
func (fx fixture) input(t testing.TB) Input {
	t.Helper()
	ds, err := load.Annotations(fx.annotations, eval.DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	acc := eval.NewAccumulator(ds)
	var sources []load.Source
	for i, p := range fx.predictions {
		sources = append(sources, load.Source{Model: fixtureModels[i], Path: p})
	}
	if err := load.Predictions(context.Background(), acc, sources); err != nil {
		t.Fatal(err)
	}
	return Input{Title: "fixture <audit>", Accumulator: acc, ImagesDir: fx.images, Sweeps: []sweep.Curves{fixtureSweep()}, Models: fixtureRuns()}
}

// fixtureRuns are what the fixture's runs add to the predictions: top-1
// and top-5 over 500 labelled images, and two failed images of beta.
func fixtureRuns() []Model {
	return []Model{
		{Name: "beta", Score: Score{Labeled: 500, Top1: 390, TopK: 470, K: 5},
			Failed: []Failure{
				{File: "broken <1>.JPEG", Stage: "decode", Reason: "unexpected EOF"},
				{File: "broken 2.JPEG", Stage: "decode", Reason: "unexpected EOF"},
			}},
		{Name: "alpha", Score: Score{Labeled: 500, Top1: 410, TopK: 480, K: 5}},
	}
}

// fixtureSweep has 4 strengths and 3 factors, one significant with a fit.
func fixtureSweep() sweep.Curves {
	x := []float64{0, 0.25, 0.5, 1}
	return sweep.Curves{Title: "tiny × colorjitter", Strengths: x, Factors: []sweep.FactorCurve{
		{Name: "color", ErrorRatio: []float64{1.4, 1.2, 1.0, 0.9}, FitX: []float64{0, 0.5, 1}, FitY: []float64{1.38, 1.02, 0.91}, Verdict: sweep.SpilloverBetter, Evidence: "p = 0.001"},
		{Name: "pose", ErrorRatio: []float64{1.0, 1.05, 1.1, 1.2}},
		{Name: "texture", ErrorRatio: []float64{2.0, 2.0, nanValue, 2.1}},
	}}
}

var nanValue = func() float64 { var z float64; return z / z }()

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeJPEG writes a small gradient image whose colour depends on seed.
func writeJPEG(t testing.TB, path string, seed int) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 96, 64))
	for y := range 64 {
		for x := range 96 {
			img.Set(x, y, color.RGBA{uint8(seed * 37), uint8(x * 2), uint8(y * 3), 255})
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := jpeg.Encode(f, img, nil); err != nil {
		t.Fatal(err)
	}
}

// writeReport writes the fixture's report and returns its HTML.
func writeReport(t testing.TB, in Input) string {
	t.Helper()
	var sb strings.Builder
	if err := Write(context.Background(), &sb, in); err != nil {
		t.Fatal(err)
	}
	return sb.String()
}
