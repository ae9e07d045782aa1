package engine

import (
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/imagenetx/imagenetx/preprocess"
)

// writeJPEGs makes n noisy JPEGs (smooth enough to compress) of varying
// size, larger than the test crops, so that partial decoding leaves pixels
// out.
func writeJPEGs(t *testing.T, n int) []Item {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(11, uint64(n)))
	for i := 0; i < n; i++ {
		w, h := 48+rng.IntN(40), 48+rng.IntN(40)
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				o := img.PixOffset(x, y)
				img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = uint8(x*5+rng.IntN(30)), uint8(y*4+rng.IntN(30)), uint8(rng.IntN(256)), 255
			}
		}
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("img_%03d.jpg", i)))
		if err != nil {
			t.Fatal(err)
		}
		if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 90}); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	items, err := ListImages(dir)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// testInputs are inputs of three preprocessing configurations (one in two
// layouts, one with a variant), whose crops read different parts of an
// image.
func testInputs(t *testing.T) []Input {
	t.Helper()
	other := preprocess.Config{ResizeSize: 40, CropSize: 12, Interpolation: preprocess.Bicubic, Mean: [3]float32{0.5, 0.5, 0.5}, Std: [3]float32{0.25, 0.25, 0.25}}
	pipe := func(cfg preprocess.Config, variant string) *preprocess.Pipeline {
		p, err := preprocess.NewPipeline(cfg, variant)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	return []Input{
		{pipe(tinyConfig, ""), preprocess.NCHW},
		{pipe(other, ""), preprocess.NCHW},
		{pipe(tinyConfig, ""), preprocess.NHWC},
		{pipe(tinyConfig, "colorjitter:brightness=0.5"), preprocess.NCHW},
	}
}

// TestSharedPreparerMatchesPlainPreparers: every input's tensor is the one
// the input's own ImagePreparer fills, on JPEGs (partial decoding) and
// PNGs, decoded exactly and fast, and failures fail the image.
func TestSharedPreparerMatchesPlainPreparers(t *testing.T) {
	items := append(writeJPEGs(t, 5), writeImages(t, 3, 1)...)
	inputs := testInputs(t)
	for _, decode := range []preprocess.DecodeOptions{{}, {Fast: true}} {
		t.Run(fmt.Sprintf("fast=%v", decode.Fast), func(t *testing.T) {
			sp := &SharedPreparer{Inputs: inputs, Decode: decode}
			if g := sp.groups(); decode.Fast && len(g) != 2 || !decode.Fast && (len(g) != 1 || len(g[0].crops) != 2) {
				t.Fatalf("%d decode groups (first with %d crops)", len(g), len(g[0].crops))
			}
			lens := sp.TensorLens()
			offsets, total := prefixSums(lens)
			prepare := sp.NewWorker()
			got := make([]float32, total)
			for _, it := range items {
				err := prepare(it, got)
				for i, in := range inputs {
					want := make([]float32, lens[i])
					werr := (&ImagePreparer{Pipeline: in.Pipeline, Layout: in.Layout, Decode: decode}).NewWorker()(it, want)
					if (err == nil) != (werr == nil) {
						t.Fatalf("%s input %d: shared error %v, own error %v", it.Name, i, err, werr)
					}
					if err == nil && !slices.Equal(got[offsets[i]:offsets[i]+lens[i]], want) {
						t.Fatalf("%s input %d: tensor differs from its own preparer's", it.Name, i)
					}
				}
			}
		})
	}
	if err := (&SharedPreparer{Inputs: inputs}).NewWorker()(items[0], make([]float32, 3)); err == nil {
		t.Error("a short tensor buffer was accepted")
	}
}

// fedModel is a mateModel for one input of a shared pass, with its own
// input length, that can output probabilities or fail on one image.
type fedModel struct {
	mateModel
	softmax bool
	nanAt   float32 // a NaN score for the image whose first value is this (0: never)
}

func (m *fedModel) Run(in []float32, n int, out []float32) error {
	if err := m.mateModel.Run(in, n, out); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		row := out[i*fakeClasses : (i+1)*fakeClasses]
		if m.softmax {
			for c := range row {
				row[c] /= 5
			}
		}
		if m.nanAt != 0 && in[i*m.inputLen] == m.nanAt {
			row[0] = float32(math.NaN())
		}
	}
	return nil
}

// TestMultiModelEqualsSeparateRuns: a pass that feeds models of different
// batches (one fixed), inputs and output kinds gives each model the
// predictions, failures and batch sizes of its own run, whose scores
// depend on batch-mates.
func TestMultiModelEqualsSeparateRuns(t *testing.T) {
	items := append(writeJPEGs(t, 9), writeImages(t, 14, 4, 11)...)
	inputs := testInputs(t)
	lens := (&SharedPreparer{Inputs: inputs}).TensorLens()
	type model struct {
		input, batch int
		pad, softmax bool
	}
	models := []model{{0, 4, false, false}, {1, 1, true, true}, {3, 3, false, false}, {2, 6, true, false}}
	for _, tc := range []struct{ workers, runners int }{{3, 1}, {2, 2}} {
		t.Run(fmt.Sprintf("runners%d", tc.runners), func(t *testing.T) {
			var feeds []Feed
			var fed []*fedModel
			for _, m := range models {
				fm := &fedModel{mateModel: mateModel{inputLen: lens[m.input]}, softmax: m.softmax}
				fed = append(fed, fm)
				feeds = append(feeds, Feed{Inferer: fm, Input: m.input, Batch: m.batch, Pad: m.pad,
					Head: Head{Classes: fakeClasses, Scorer: Scorer{Kind: OutputAuto, TopK: 2}}})
			}
			cfg, inf, err := MultiModel(lens, feeds, tc.workers, tc.runners)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Batch != 12 || len(cfg.Heads) != len(models) {
				t.Fatalf("pass batch %d, %d heads; want 12 (lcm of 4, 1, 3, 6) and %d", cfg.Batch, len(cfg.Heads), len(models))
			}
			var kinds []OutputKind
			var mu sync.Mutex
			for h := range cfg.Heads {
				cfg.Heads[h].KindDecided = func(k OutputKind) error {
					mu.Lock()
					defer mu.Unlock()
					kinds = append(kinds, k)
					return nil
				}
			}
			sinks := make([]*collect, len(models))
			views := make(ViewSinks, len(models))
			for i := range sinks {
				sinks[i] = &collect{}
				views[i] = sinks[i]
			}
			st, err := Run(context.Background(), items, 0, &SharedPreparer{Inputs: inputs}, inf, views, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if want := []OutputKind{OutputLogits, OutputProbabilities, OutputLogits, OutputLogits}; !reflect.DeepEqual(st.HeadKinds, want) || len(kinds) != 4 {
				t.Fatalf("head kinds %v (told %v), want %v", st.HeadKinds, kinds, want)
			}
			for i, m := range models {
				own := &fedModel{mateModel: mateModel{inputLen: lens[m.input]}, softmax: m.softmax}
				base := Config{Batch: m.batch, PadBatch: m.pad, Workers: 2, InputLen: lens[m.input], Classes: fakeClasses, Scorer: Scorer{Kind: OutputAuto, TopK: 2}}
				in := inputs[m.input]
				var plain collect
				if _, err := Run(context.Background(), items, 0, &ImagePreparer{Pipeline: in.Pipeline, Layout: in.Layout}, own, &plain, base); err != nil {
					t.Fatal(err)
				}
				if len(plain.results) != len(sinks[i].results) {
					t.Fatalf("model %d: %d results, own run %d", i, len(sinks[i].results), len(plain.results))
				}
				for j, p := range plain.results {
					g := sinks[i].results[j]
					if (g.Err == nil) != (p.Err == nil) || g.Item != p.Item || !reflect.DeepEqual(g.Pred, p.Pred) {
						t.Fatalf("model %d, %s: %+v, own run %+v", i, p.Item.Name, g, p)
					}
				}
				sizes := slices.Clone(fed[i].sizes)
				slices.Sort(sizes)
				want := slices.Clone(own.sizes)
				slices.Sort(want)
				if !slices.Equal(sizes, want) {
					t.Fatalf("model %d: calls of %v images, own run %v", i, sizes, want)
				}
			}
		})
	}
}

// TestMultiModelHeadFailsAlone: scores one model cannot score fail the
// image for that model only.
func TestMultiModelHeadFailsAlone(t *testing.T) {
	items := writeImages(t, 5)
	inputs := testInputs(t)[:1]
	lens := (&SharedPreparer{Inputs: inputs}).TensorLens()
	// The first value of image 2's tensor, as the preparer makes it.
	first := make([]float32, lens[0])
	if err := (&ImagePreparer{Pipeline: inputs[0].Pipeline, Layout: inputs[0].Layout}).NewWorker()(items[2], first); err != nil {
		t.Fatal(err)
	}
	ok := &fedModel{mateModel: mateModel{inputLen: lens[0]}}
	bad := &fedModel{mateModel: mateModel{inputLen: lens[0]}, nanAt: first[0]}
	head := Head{Classes: fakeClasses, Scorer: Scorer{Kind: OutputLogits}}
	cfg, inf, err := MultiModel(lens, []Feed{{Inferer: ok, Batch: 2, Head: head}, {Inferer: bad, Batch: 2, Head: head}}, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	a, b := &collect{}, &collect{}
	if _, err := Run(context.Background(), items, 0, &SharedPreparer{Inputs: inputs}, inf, ViewSinks{a, b}, cfg); err != nil {
		t.Fatal(err)
	}
	for i := range items {
		if a.results[i].Err != nil || (b.results[i].Err != nil) != (i == 2) {
			t.Fatalf("image %d: errors %v and %v; want only the second model's on image 2", i, a.results[i].Err, b.results[i].Err)
		}
	}
}

func TestMultiModelErrors(t *testing.T) {
	head := Head{Classes: fakeClasses, Scorer: Scorer{Kind: OutputLogits}}
	for _, tc := range []struct {
		name  string
		feeds []Feed
	}{
		{"none", nil},
		{"input out of range", []Feed{{Inferer: &fakeModel{}, Input: 1, Batch: 1, Head: head}}},
		{"zero batch", []Feed{{Inferer: &fakeModel{}, Batch: 0, Head: head}}},
		{"pass batch too large", []Feed{{Inferer: &fakeModel{}, Batch: 4093, Head: head}, {Inferer: &fakeModel{}, Batch: 4091, Head: head}}},
	} {
		if _, _, err := MultiModel([]int{fakeLen}, tc.feeds, 1, 1); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	cfg, _, err := MultiModel([]int{fakeLen}, []Feed{{Inferer: &fakeModel{}, Batch: 1, Head: head}}, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Classes++ // the heads no longer add up
	if _, err := Run(context.Background(), fakeItems(2), 0, fakePrep{}, &fakeModel{}, &collect{}, cfg); err == nil {
		t.Error("heads that do not add up to the classes were accepted")
	}
}
