package preprocess_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/preprocess"
	"github.com/imagenetx/imagenetx/preprocess/internal/jpegenc"
)

// namedJPEG is one file of the partial-decoding corpus.
type namedJPEG struct {
	name string
	data []byte
}

// partialCorpus is what partial decoding meets: real val images (every
// val_orig file, every 40th val_227 file) and generated files of every
// chroma sampling, odd sizes and restart markers, plus the kinds that are
// always decoded whole (progressive, arithmetic-coded, CMYK).
func partialCorpus(t *testing.T) []namedJPEG {
	var files []namedJPEG
	for _, sub := range []struct {
		dir  string
		step int
	}{{"val_orig", 1}, {"val_227", 40}} {
		dir := shareddata.Require(t, "images", sub.dir)
		names, err := filepath.Glob(filepath.Join(dir, "*"))
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(names)
		for i := 0; i < len(names); i += sub.step {
			data, err := os.ReadFile(names[i])
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, namedJPEG{sub.dir + "/" + filepath.Base(names[i]), data})
		}
	}
	for _, s := range [][2]int{{1, 1}, {2, 1}, {1, 2}, {2, 2}} {
		for _, size := range [][2]int{{333, 251}, {197, 402}} {
			for _, restart := range []int{0, 3} {
				o := jpegenc.Options{Sampling: s, RestartRows: restart}
				files = append(files, namedJPEG{fmt.Sprintf("ycc %dx%d %v restart %d", size[0], size[1], s, restart),
					mustJPEG(t, size[0], size[1], 3, o)})
			}
		}
	}
	files = append(files,
		namedJPEG{"gray", mustJPEG(t, 301, 233, 1, jpegenc.Options{})},
		namedJPEG{"progressive", mustJPEG(t, 301, 233, 3, jpegenc.Options{Progressive: true})},
		namedJPEG{"arithmetic", mustJPEG(t, 301, 233, 3, jpegenc.Options{Arithmetic: true})},
		namedJPEG{"cmyk", mustJPEG(t, 301, 233, 4, jpegenc.Options{})},
	)
	return files
}

// partialConfigs are pipelines whose crops read different parts of an
// image: the usual eval transforms, a small crop (large skips on every
// side), a crop nearly as large as the resize, and one that pads.
func partialConfigs() []preprocess.Config {
	cfg := func(resize, crop int, f preprocess.Interpolation) preprocess.Config {
		c := preprocess.DefaultConfig()
		c.ResizeSize, c.CropSize, c.Interpolation = resize, crop, f
		return c
	}
	return []preprocess.Config{
		cfg(256, 224, preprocess.Bilinear), cfg(256, 224, preprocess.Bicubic), cfg(232, 224, preprocess.Bilinear),
		cfg(160, 48, preprocess.Bilinear), cfg(300, 299, preprocess.Bicubic), cfg(64, 80, preprocess.Bilinear),
	}
}

// garbage is a w×h image whose every byte is 0xA5, so that a pixel the
// decoder should have written but did not shows.
func garbage(w, h int) *preprocess.RGB8 {
	m := &preprocess.RGB8{Pix: bytes.Repeat([]byte{0xA5}, 3*w*h), Stride: 3 * w, W: w, H: h}
	return m
}

// TestPartialDecodeMatchesWhole checks that decoding only a region gives
// the whole decode's pixels inside it, in exact and fast mode, for the
// regions the pipelines read and for random ones (edges and corners
// included).
func TestPartialDecodeMatchesWhole(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, f := range partialCorpus(t) {
		for _, o := range []preprocess.DecodeOptions{{}, {Fast: true}} {
			minSide := 0
			if o.Fast {
				minSide = 160 // scales val_orig by 4/8 to 7/8
			}
			whole, err := preprocess.DecodeRegion(o, nil, f.data, minSide, image.Rectangle{})
			if err != nil {
				t.Fatalf("%s: %v", f.name, err)
			}
			regions := map[image.Rectangle]bool{} // distinct ones only
			for _, c := range partialConfigs() {
				p, err := preprocess.NewPipeline(c, "")
				if err != nil {
					t.Fatal(err)
				}
				regions[preprocess.PipelineSource(p, whole)] = true
			}
			for range 2 {
				x0, y0 := rng.IntN(whole.W), rng.IntN(whole.H)
				regions[image.Rect(x0, y0, x0+1+rng.IntN(whole.W-x0), y0+1+rng.IntN(whole.H-y0))] = true
			}
			for r := range regions {
				got, err := preprocess.DecodeRegion(o, garbage(whole.W, whole.H), f.data, minSide, r)
				if err != nil {
					t.Fatalf("%s fast=%v region %v: %v", f.name, o.Fast, r, err)
				}
				if got.W != whole.W || got.H != whole.H {
					t.Fatalf("%s fast=%v region %v: %dx%d, whole %dx%d", f.name, o.Fast, r, got.W, got.H, whole.W, whole.H)
				}
				for y := r.Min.Y; y < r.Max.Y; y++ {
					a, b := got.Row(y)[3*r.Min.X:3*r.Max.X], whole.Row(y)[3*r.Min.X:3*r.Max.X]
					if !bytes.Equal(a, b) {
						t.Fatalf("%s fast=%v region %v: row %d differs from the whole decode", f.name, o.Fast, r, y)
					}
				}
			}
		}
	}
}

// TestPipelineDecodeMatchesDecode checks the public path end to end, with
// the image buffer reused from file to file as the engine's workers do: the
// tensor of Pipeline.DecodeInto's image equals the tensor of the whole
// image, for the default eval transform and a small crop.
func TestPipelineDecodeMatchesDecode(t *testing.T) {
	files := partialCorpus(t)
	all := partialConfigs()
	for _, c := range []preprocess.Config{all[0], all[3]} {
		p, err := preprocess.NewPipeline(c, "")
		if err != nil {
			t.Fatal(err)
		}
		want, got := make([]float32, p.TensorLen()), make([]float32, p.TensorLen())
		var img *preprocess.RGB8
		for _, f := range files {
			whole, err := preprocess.Decode(f.data)
			if err != nil {
				t.Fatalf("%s: %v", f.name, err)
			}
			if err := p.Tensor(whole, f.name, want, preprocess.NCHW); err != nil {
				t.Fatal(err)
			}
			if img, err = p.DecodeInto(preprocess.DecodeOptions{}, img, f.data); err != nil {
				t.Fatalf("%s: %v", f.name, err)
			}
			if err := p.Tensor(img, f.name, got, preprocess.NCHW); err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if want[i] != got[i] {
					t.Fatalf("%s, resize %d crop %d %v: tensor value %d is %v, whole decode gives %v",
						f.name, c.ResizeSize, c.CropSize, c.Interpolation, i, got[i], want[i])
				}
			}
		}
	}
}

// TestPartialDecodeFailsAsWhole damages a JPEG in the rows a small center
// crop never reads (the top and bottom) and checks that decoding for the
// crop fails exactly as the whole decode does: skipped rows are still read.
func TestPartialDecodeFailsAsWhole(t *testing.T) {
	c := preprocess.DefaultConfig()
	c.ResizeSize, c.CropSize = 400, 32 // reads a few rows in the middle
	p, err := preprocess.NewPipeline(c, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, restart := range []int{0, 1} {
		base := mustJPEG(t, 480, 400, 3, jpegenc.Options{RestartRows: restart})
		s0, s1 := scanData(t, base)
		var cases []namedJPEG
		for _, frac := range []float64{0.05, 0.95, 0.99} {
			at := s0 + int(frac*float64(s1-s0))
			cases = append(cases, namedJPEG{fmt.Sprintf("cut at %.0f%%", 100*frac), bytes.Clone(base[:at])})
			bad := bytes.Clone(base)
			copy(bad[at:], []byte{0xFF, 0xD0 + 5, 0x00, 0x13, 0x37})
			cases = append(cases, namedJPEG{fmt.Sprintf("marker at %.0f%%", 100*frac), bad})
		}
		for _, f := range cases {
			for _, o := range []preprocess.DecodeOptions{{}, {Strict: true}, {Fast: true}} {
				_, wantErr := o.Decode(f.data)
				_, err := p.DecodeInto(o, nil, f.data)
				if (err == nil) != (wantErr == nil) {
					t.Fatalf("restart %d, %s, %+v: partial decode error %v, whole decode error %v", restart, f.name, o, err, wantErr)
				}
				if err == nil {
					continue
				}
				var de, we *preprocess.DecodeError
				if !errors.As(err, &de) || !errors.As(wantErr, &we) || de.Stage != we.Stage || de.Err.Error() != we.Err.Error() {
					t.Errorf("restart %d, %s, %+v: partial decode error %v, whole decode error %v", restart, f.name, o, err, wantErr)
				}
			}
		}
	}
}

// TestFastDecodeScales checks DecodeOptions.Fast through a pipeline: the
// JPEG is DCT-scaled by the smallest n/8 that keeps its shorter side at or
// above the resize target, and the crop stays close to the exact one.
func TestFastDecodeScales(t *testing.T) {
	for _, c := range []struct {
		w, h, resize int
		wantW, wantH int
		num          int // the scale, n/8
	}{
		{500, 375, 256, 375, 282, 6}, // 281.25 rows, rounded up by libjpeg
		{375, 500, 256, 282, 375, 6},
		{640, 512, 256, 320, 256, 4},   // exactly
		{500, 333, 256, 438, 292, 7},   //
		{300, 255, 256, 300, 255, 8},   // already under the target: full size
		{2048, 2048, 224, 256, 256, 1}, //
	} {
		cfg := preprocess.DefaultConfig()
		cfg.ResizeSize = c.resize
		p, err := preprocess.NewPipeline(cfg, "")
		if err != nil {
			t.Fatal(err)
		}
		data, err := jpegenc.Encode(smooth(c.w, c.h), c.w, c.h, 3, jpegenc.Options{})
		if err != nil {
			t.Fatal(err)
		}
		fast, err := p.DecodeInto(preprocess.DecodeOptions{Fast: true}, nil, data)
		if err != nil {
			t.Fatal(err)
		}
		if fast.W != c.wantW || fast.H != c.wantH {
			t.Errorf("%dx%d to %d: fast decode is %dx%d, want %dx%d", c.w, c.h, c.resize, fast.W, fast.H, c.wantW, c.wantH)
		}
		exact, err := p.DecodeInto(preprocess.DecodeOptions{}, nil, data)
		if err != nil {
			t.Fatal(err)
		}
		if exact.W != c.w || exact.H != c.h {
			t.Errorf("%dx%d: exact decode is %dx%d", c.w, c.h, exact.W, exact.H)
		}
		wantReduced := preprocess.Reduction{}
		if c.num < 8 {
			wantReduced = preprocess.Reduction{FileW: c.w, FileH: c.h, Num: c.num}
		}
		if fast.Reduced != wantReduced || exact.Reduced != (preprocess.Reduction{}) {
			t.Errorf("%dx%d to %d: fast decode Reduced %+v, want %+v; exact %+v", c.w, c.h, c.resize, fast.Reduced, wantReduced, exact.Reduced)
		}
		a, err := p.Crop(fast)
		if err != nil {
			t.Fatal(err)
		}
		b, err := p.Crop(exact)
		if err != nil {
			t.Fatal(err)
		}
		sum := 0
		for i := range a.Pix {
			sum += absInt(int(a.Pix[i]) - int(b.Pix[i]))
		}
		mean := float64(sum) / float64(len(a.Pix))
		t.Logf("%dx%d to %d: fast crop differs from exact by %.2f levels on average", c.w, c.h, c.resize, mean)
		if wantReduced.Num == 0 && !bytes.Equal(a.Pix, b.Pix) {
			t.Errorf("%dx%d to %d: not reduced, yet the fast crop differs from the exact one", c.w, c.h, c.resize)
		}
		if mean > 2 {
			t.Errorf("%dx%d to %d: fast crop differs from exact by %.2f levels on average", c.w, c.h, c.resize, mean)
		}
	}
}

// smooth is w×h RGB pixels of slowly varying colour, as photographs mostly
// are (pattern's fine detail aliases when scaled).
func smooth(w, h int) []byte {
	p := make([]byte, 0, 3*w*h)
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			p = append(p, uint8(40+180*fx), uint8(40+180*fy), uint8(120+100*math.Sin(6*fx+4*fy)))
		}
	}
	return p
}

// TestFastDecodeGeometry checks DecodeOptions.Fast on every val_orig image
// (full-size photographs, most of them DCT-scaled by 6/8 or 7/8) and a
// sample of val_227 (too small to scale): a reduced image resized with the
// full picture's geometry lands within about a level of the exact crop on
// average, where resizing it as an image of its own size shifts the crop
// by up to half a pixel and differs about three times as much; an image
// that is not reduced gives the exact crop, byte for byte.
func TestFastDecodeGeometry(t *testing.T) {
	p, err := preprocess.NewPipeline(preprocess.DefaultConfig(), "")
	if err != nil {
		t.Fatal(err)
	}
	reduced, total := 0, 0.0
	for _, f := range partialCorpus(t) {
		if !strings.HasPrefix(f.name, "val_") {
			continue
		}
		exact, err := p.DecodeInto(preprocess.DecodeOptions{}, nil, f.data)
		if err != nil {
			t.Fatal(err)
		}
		fast, err := p.DecodeInto(preprocess.DecodeOptions{Fast: true}, nil, f.data)
		if err != nil {
			t.Fatal(err)
		}
		a, err := p.Crop(exact)
		if err != nil {
			t.Fatal(err)
		}
		b, err := p.Crop(fast)
		if err != nil {
			t.Fatal(err)
		}
		if fast.Reduced.Num == 0 {
			if !bytes.Equal(a.Pix, b.Pix) {
				t.Errorf("%s: not reduced, yet the fast crop differs from the exact one", f.name)
			}
			continue
		}
		reduced++
		sum := 0
		for i := range a.Pix {
			sum += absInt(int(a.Pix[i]) - int(b.Pix[i]))
		}
		mean := float64(sum) / float64(len(a.Pix))
		total += mean
		if mean > 5 {
			t.Errorf("%s reduced to %d/8: the fast crop differs from the exact one by %.2f levels on average", f.name, fast.Reduced.Num, mean)
		}
	}
	// Measured: 1.38 levels over the 64 reduced images (at most 3.9 on
	// one); resized with the reduced image's own geometry, 3.9.
	t.Logf("%d reduced images: the fast crop differs from the exact one by %.2f levels on average", reduced, total/float64(reduced))
	if avg := total / float64(max(reduced, 1)); avg > 2 {
		t.Errorf("the fast crops differ from the exact ones by %.2f levels on average over %d reduced images, want at most 2", avg, reduced)
	}
	if reduced < 50 {
		t.Errorf("only %d val images were reduced; the test needs val_orig's full-size ones", reduced)
	}
}
