package engine

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/imagenetx/imagenetx/predictions"
	"github.com/imagenetx/imagenetx/preprocess"
	"github.com/imagenetx/imagenetx/preprocess/variant"
)

// tinyConfig keeps the test images small: resize to 20, crop 16.
var tinyConfig = preprocess.Config{ResizeSize: 20, CropSize: 16, Interpolation: preprocess.Bilinear,
	Mean: preprocess.ImageNetMean, Std: preprocess.ImageNetStd}

// writeImages makes n noisy PNGs of varying size (and the names in bad as
// files that are not images) and returns them as sorted items.
func writeImages(t *testing.T, n int, bad ...int) []Item {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	for i := 0; i < n; i++ {
		path := filepath.Join(dir, fmt.Sprintf("img_%03d.png", i))
		if contains(bad, i) {
			if err := os.WriteFile(path, []byte("not a png"), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		img := image.NewRGBA(image.Rect(0, 0, 24+rng.IntN(20), 24+rng.IntN(20)))
		for p := range img.Pix {
			img.Pix[p] = uint8(rng.IntN(256))
		}
		for p := 3; p < len(img.Pix); p += 4 {
			img.Pix[p] = 255
		}
		writePNG(t, path, img)
	}
	items, err := ListImages(dir)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func contains(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// testFamily is the family swept in these tests, at these strengths.
const testFamily = "colorjitter"

var testStrengths = []float64{0, 0.25, 1}

// familyChains parses the family at each strength (nil at 0).
func familyChains(t *testing.T, family string, strengths []float64) []*variant.Chain {
	t.Helper()
	var out []*variant.Chain
	for _, s := range strengths {
		ch, err := variant.FamilyChain(family, s, 0)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ch)
	}
	return out
}

// plainPreparer is what `run --variant SPEC` uses: the variant inside the
// pipeline (seed 0).
func plainPreparer(t *testing.T, family string, s float64) *ImagePreparer {
	t.Helper()
	spec, err := variant.Family(family, s)
	if err != nil {
		t.Fatal(err)
	}
	pipe, err := preprocess.NewPipeline(tinyConfig, spec)
	if err != nil {
		t.Fatal(err)
	}
	return &ImagePreparer{Pipeline: pipe, Layout: preprocess.NCHW}
}

func variantPreparer(t *testing.T, family string, strengths []float64) *VariantPreparer {
	t.Helper()
	pipe, err := preprocess.NewPipeline(tinyConfig, "")
	if err != nil {
		t.Fatal(err)
	}
	return &VariantPreparer{Pipeline: pipe, Layout: preprocess.NCHW, Variants: familyChains(t, family, strengths)}
}

func TestVariantPreparerMatchesPlainPreparers(t *testing.T) {
	items := writeImages(t, 6)
	for _, family := range []string{"colorjitter", "blur", "rotate", "crop"} {
		t.Run(family, func(t *testing.T) {
			vp := variantPreparer(t, family, testStrengths)
			L := vp.Pipeline.TensorLen()
			prepare := vp.NewWorker()
			got := make([]float32, len(testStrengths)*L)
			want := make([]float32, L)
			for _, it := range items {
				if err := prepare(it, got); err != nil {
					t.Fatal(err)
				}
				for v, s := range testStrengths {
					if err := plainPreparer(t, family, s).NewWorker()(it, want); err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(got[v*L:(v+1)*L], want) {
						t.Fatalf("%s strength %v: tensor differs from the plain pipeline's", it.Name, s)
					}
				}
				if family == "colorjitter" && reflect.DeepEqual(got[:L], got[2*L:]) {
					t.Fatalf("%s: strength 1 left the image unchanged", it.Name)
				}
			}
		})
	}
}

func TestVariantPreparerErrors(t *testing.T) {
	items := writeImages(t, 2, 1)
	vp := variantPreparer(t, testFamily, testStrengths)
	L := vp.Pipeline.TensorLen()
	prepare := vp.NewWorker()
	var ie *ImageError
	for _, tc := range []struct {
		name  string
		item  Item
		dst   int
		stage string
	}{
		{"not an image", items[1], 3 * L, StageDecode},
		{"missing file", Item{Name: "gone.png", Path: filepath.Join(t.TempDir(), "gone.png")}, 3 * L, StageOpen},
		{"short buffer", items[0], 2 * L, ""},
	} {
		err := prepare(tc.item, make([]float32, tc.dst))
		switch {
		case err == nil:
			t.Errorf("%s: no error", tc.name)
		case tc.stage == "":
			if !strings.Contains(err.Error(), "want 3×") {
				t.Errorf("%s: %v", tc.name, err)
			}
		case !errors.As(err, &ie) || ie.Stage != tc.stage:
			t.Errorf("%s: %v, want stage %s", tc.name, err, tc.stage)
		}
	}
}

// mateModel is a fake classifier whose prediction for an image depends on
// the image's tensor and on the first image of its call, as dynamically
// quantised models' scores depend on their batch-mates. It records the
// batch sizes it saw.
type mateModel struct {
	inputLen int
	mu       sync.Mutex
	sizes    []int
}

func (m *mateModel) Run(in []float32, n int, out []float32) error {
	m.mu.Lock()
	m.sizes = append(m.sizes, n)
	m.mu.Unlock()
	first := hashFloats(in[:m.inputLen])
	for i := 0; i < n; i++ {
		row := out[i*fakeClasses : (i+1)*fakeClasses]
		clear(row)
		row[(hashFloats(in[i*m.inputLen:(i+1)*m.inputLen])+first)%fakeClasses] = 5
	}
	return nil
}

func hashFloats(v []float32) int {
	h := fnv.New32a()
	for _, x := range v {
		b := math.Float32bits(x)
		h.Write([]byte{byte(b), byte(b >> 8), byte(b >> 16), byte(b >> 24)})
	}
	return int(h.Sum32() % (1 << 30))
}

func TestViewInfererCallsOncePerView(t *testing.T) {
	const n, views, L = 5, 3, 8
	in := make([]float32, n*views*L)
	for i := range in {
		in[i] = float32(i % 11)
	}
	m := &mateModel{inputLen: L}
	vi := &ViewInferer{Inner: m, Views: views, InputLen: L, Classes: fakeClasses}
	out := make([]float32, n*views*fakeClasses)
	if err := vi.Run(in, n, out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.sizes, []int{n, n, n}) {
		t.Fatalf("inner calls of sizes %v, want one of %d per view", m.sizes, n)
	}
	for v := 0; v < views; v++ {
		gathered := make([]float32, 0, n*L)
		for i := 0; i < n; i++ {
			gathered = append(gathered, in[(i*views+v)*L:(i*views+v+1)*L]...)
		}
		want := make([]float32, n*fakeClasses)
		m.Run(gathered, n, want)
		for i := 0; i < n; i++ {
			if !reflect.DeepEqual(out[(i*views+v)*fakeClasses:(i*views+v+1)*fakeClasses], want[i*fakeClasses:(i+1)*fakeClasses]) {
				t.Fatalf("view %d image %d: scores differ from a plain call", v, i)
			}
		}
	}
	if err := vi.Run(in[:len(in)-1], n, out); err == nil {
		t.Fatal("short input accepted")
	}
}

func TestRunWithViewsEqualsSeparateRuns(t *testing.T) {
	items := writeImages(t, 23, 4, 17)
	for _, tc := range []struct {
		batch, workers, runners int
		pad                     bool
	}{{4, 3, 1, false}, {5, 2, 2, true}, {1, 1, 1, false}} {
		t.Run(fmt.Sprintf("batch%d_pad%v", tc.batch, tc.pad), func(t *testing.T) {
			L := tinyConfig.CropSize * tinyConfig.CropSize * 3
			base := Config{Batch: tc.batch, PadBatch: tc.pad, Workers: tc.workers, Runners: tc.runners,
				InputLen: L, Classes: fakeClasses, Scorer: Scorer{Kind: OutputLogits}}
			cfg, vi, err := WithViews(base, len(testStrengths), &mateModel{inputLen: L})
			if err != nil {
				t.Fatal(err)
			}
			var multi collect
			if _, err := Run(context.Background(), items, 0, variantPreparer(t, testFamily, testStrengths), vi, &multi, cfg); err != nil {
				t.Fatal(err)
			}
			for v, s := range testStrengths {
				var plain collect
				if _, err := Run(context.Background(), items, 0, plainPreparer(t, testFamily, s), &mateModel{inputLen: L}, &plain, base); err != nil {
					t.Fatal(err)
				}
				compareView(t, multi.results, plain.results, v)
			}
		})
	}
}

// compareView checks view v of a multi-view run against a plain run.
func compareView(t *testing.T, multi, plain []Result, v int) {
	t.Helper()
	if len(multi) != len(plain) {
		t.Fatalf("%d results against %d", len(multi), len(plain))
	}
	distinct := map[int]bool{}
	for i := range plain {
		m, p := multi[i], plain[i]
		if (m.Err == nil) != (p.Err == nil) || m.Item != p.Item {
			t.Fatalf("result %d: %+v against %+v", i, m, p)
		}
		if p.Err != nil {
			if m.Views != nil {
				t.Fatalf("%s failed but has views", m.Item.Name)
			}
			continue
		}
		if len(m.Views) != len(testStrengths) || !reflect.DeepEqual(m.Pred, m.Views[0]) {
			t.Fatalf("%s: views %+v, pred %+v", m.Item.Name, m.Views, m.Pred)
		}
		if !reflect.DeepEqual(m.Views[v], p.Pred) {
			t.Fatalf("%s view %d: %+v, plain run %+v", m.Item.Name, v, m.Views[v], p.Pred)
		}
		distinct[p.Pred.Class] = true
	}
	if len(distinct) < 5 {
		t.Fatalf("only %d distinct classes: the fake model does not tell images apart", len(distinct))
	}
}

// softmaxModel outputs a probability row per image.
type softmaxModel struct{}

func (softmaxModel) Run(in []float32, n int, out []float32) error {
	for i := 0; i < n; i++ {
		row := out[i*fakeClasses : (i+1)*fakeClasses]
		clear(row)
		row[i%fakeClasses] = 0.75
		row[(i+1)%fakeClasses] = 0.25
	}
	return nil
}

func TestRunWithViewsDetectsProbabilitiesPerView(t *testing.T) {
	items := writeImages(t, 4)
	L := tinyConfig.CropSize * tinyConfig.CropSize * 3
	base := Config{Batch: 2, InputLen: L, Classes: fakeClasses, Scorer: Scorer{Kind: OutputAuto}}
	cfg, vi, err := WithViews(base, len(testStrengths), softmaxModel{})
	if err != nil {
		t.Fatal(err)
	}
	var got collect
	st, err := Run(context.Background(), items, 0, variantPreparer(t, testFamily, testStrengths), vi, &got, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if st.OutputKind != OutputProbabilities {
		t.Fatalf("output kind %v, want probabilities (each view's row sums to 1)", st.OutputKind)
	}
	if p := got.results[0].Views[2].Prob; p != 0.75 {
		t.Fatalf("probability %v, want the model's 0.75", p)
	}
}

func TestViewsConfigErrors(t *testing.T) {
	if _, _, err := WithViews(fakeConfig(2, 1, 1), 0, &fakeModel{}); err == nil {
		t.Error("zero views accepted")
	}
	cfg, _, err := WithViews(fakeConfig(2, 1, 1), 2, &fakeModel{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := WithViews(cfg, 2, &fakeModel{}); err == nil {
		t.Error("views applied twice")
	}
	cfg.Views = 3 // 2000 classes do not split in 3
	if _, err := Run(context.Background(), fakeItems(2), 0, fakePrep{}, &fakeModel{}, &collect{}, cfg); err == nil || !strings.Contains(err.Error(), "views") {
		t.Errorf("uneven views: %v", err)
	}
}

func TestViewSinksSplitByView(t *testing.T) {
	sinks := []*collect{{}, {}}
	vs := ViewSinks{sinks[0], sinks[1]}
	ok := Result{Item: Item{Name: "a"}, Views: []predictions.Prediction{{FileName: "a", Class: 1}, {FileName: "a", Class: 2}}}
	bad := Result{Item: Item{Name: "b"}, Err: &ImageError{Stage: StageDecode, Err: errors.New("corrupt")}}
	for _, r := range []Result{ok, bad} {
		if err := vs.Put(r); err != nil {
			t.Fatal(err)
		}
	}
	for v, s := range sinks {
		if len(s.results) != 2 || s.results[0].Pred.Class != v+1 || s.results[0].Views != nil || s.results[1].Err == nil {
			t.Fatalf("sink %d got %+v", v, s.results)
		}
	}
	if err := vs.Put(Result{Item: Item{Name: "c"}, Views: ok.Views[:1]}); err == nil {
		t.Fatal("a result with too few views was accepted")
	}
	if err := (ViewSinks{&collect{failPut: 1}}).Put(bad); err == nil || vs.Flush() != nil {
		t.Fatal("sink errors are not passed on")
	}
}
