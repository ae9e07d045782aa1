package preprocess_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/imagenetx/imagenetx/preprocess"
)

func TestResizedSize(t *testing.T) {
	cases := []struct{ w, h, size, ww, wh int }{
		{500, 375, 256, 341, 256}, // int(256*500/375) = int(341.33)
		{375, 500, 256, 256, 341},
		{256, 256, 256, 256, 256},
		{2816, 2112, 232, 309, 232},
		{100, 30, 256, 853, 256}, // upscaling
	}
	for _, c := range cases {
		if w, h := preprocess.ResizedSize(c.w, c.h, c.size); w != c.ww || h != c.wh {
			t.Errorf("ResizedSize(%d,%d,%d) = %dx%d, want %dx%d", c.w, c.h, c.size, w, h, c.ww, c.wh)
		}
	}
}

func TestCenterOffset(t *testing.T) {
	cases := []struct{ side, crop, want int }{
		{256, 224, 16},
		{257, 224, 16}, // round(16.5) = 16: Python rounds half to even
		{259, 224, 18}, // round(17.5) = 18
		{224, 224, 0},
		{200, 224, -12}, // padded: (224-200)//2 on the left/top
		{201, 224, -11},
	}
	for _, c := range cases {
		if got := preprocess.CenterOffset(c.side, c.crop); got != c.want {
			t.Errorf("CenterOffset(%d,%d) = %d, want %d", c.side, c.crop, got, c.want)
		}
	}
}

func TestConfig(t *testing.T) {
	cfg := preprocess.DefaultConfig()
	if err := cfg.Validate(); err != nil || cfg.Resize() != 256 || cfg.CropSize != 224 {
		t.Fatalf("default config %+v: %v", cfg, err)
	}
	cfg.ResizeSize, cfg.CropPct = 0, 0.875
	if cfg.Resize() != 256 {
		t.Errorf("224 / 0.875 resolved to %d, want 256", cfg.Resize())
	}
	cfg.CropPct = 0.95
	if cfg.Resize() != 235 { // floor(235.79)
		t.Errorf("224 / 0.95 resolved to %d, want 235", cfg.Resize())
	}
	bad := []func(c *preprocess.Config){
		func(c *preprocess.Config) { c.CropSize = 0 },
		func(c *preprocess.Config) { c.ResizeSize = -1 },
		func(c *preprocess.Config) { c.ResizeSize, c.CropPct = 0, 0 },
		func(c *preprocess.Config) { c.Std[2] = 0 },
		func(c *preprocess.Config) { c.Mean[0] = float32(math.NaN()) },
		func(c *preprocess.Config) { c.Interpolation = 7 },
	}
	for i, mutate := range bad {
		c := preprocess.DefaultConfig()
		mutate(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("bad config %d (%+v) validated", i, c)
		}
	}
}

func TestParseInterpolation(t *testing.T) {
	for _, s := range []string{"bilinear", "bicubic"} {
		i, err := preprocess.ParseInterpolation(s)
		if err != nil || i.String() != s {
			t.Errorf("%s: %v %v", s, i, err)
		}
	}
	if _, err := preprocess.ParseInterpolation("nearest"); err == nil {
		t.Error("nearest accepted")
	}
}

func TestToTensor(t *testing.T) {
	img := &preprocess.RGB8{Pix: []uint8{0, 128, 255, 10, 20, 30}, Stride: 6, W: 2, H: 1}
	mean, std := preprocess.ImageNetMean, preprocess.ImageNetStd
	want := func(v uint8, c int) float32 { return (float32(v)/255 - mean[c]) / std[c] }
	nchw := make([]float32, 6)
	if err := preprocess.ToTensor(img, mean, std, nchw, preprocess.NCHW); err != nil {
		t.Fatal(err)
	}
	nhwc := make([]float32, 6)
	if err := preprocess.ToTensor(img, mean, std, nhwc, preprocess.NHWC); err != nil {
		t.Fatal(err)
	}
	for x := 0; x < 2; x++ {
		for c := 0; c < 3; c++ {
			w := want(img.Pix[3*x+c], c)
			if nchw[c*2+x] != w || nhwc[3*x+c] != w {
				t.Errorf("pixel %d channel %d: NCHW %v NHWC %v, want %v", x, c, nchw[c*2+x], nhwc[3*x+c], w)
			}
		}
	}
	if err := preprocess.ToTensor(img, mean, std, make([]float32, 5), preprocess.NCHW); err == nil {
		t.Error("short dst accepted")
	}
}

// gradient makes a deterministic test image.
func gradient(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.SetNRGBA(x, y, color.NRGBA{uint8(x * 7), uint8(y * 5), uint8(x*y + 3), uint8(x + y)})
		}
	}
	return m
}

func encodePNG(t *testing.T, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDecodePNGLikePIL(t *testing.T) {
	// RGBA: PIL's convert('RGB') drops alpha without compositing.
	src := gradient(9, 7)
	got, err := preprocess.Decode(encodePNG(t, src))
	if err != nil {
		t.Fatal(err)
	}
	for y := 0; y < 7; y++ {
		for x := 0; x < 9; x++ {
			c := src.NRGBAAt(x, y)
			p := got.Pix[y*got.Stride+3*x:]
			if p[0] != c.R || p[1] != c.G || p[2] != c.B {
				t.Fatalf("(%d,%d) = %v, want %v", x, y, p[:3], c)
			}
		}
	}
	// 16-bit grayscale: PIL opens it as mode I, and I -> RGB clips at 255.
	g := image.NewGray16(image.Rect(0, 0, 3, 1))
	g.SetGray16(0, 0, color.Gray16{Y: 7})
	g.SetGray16(1, 0, color.Gray16{Y: 255})
	g.SetGray16(2, 0, color.Gray16{Y: 40000})
	got, err = preprocess.Decode(encodePNG(t, g))
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint8{7, 7, 7, 255, 255, 255, 255, 255, 255}; !bytes.Equal(got.Pix, want) {
		t.Errorf("16-bit gray decoded to %v, want %v", got.Pix, want)
	}
	// Palette: looked up, transparency ignored.
	pal := image.NewPaletted(image.Rect(0, 0, 2, 1), color.Palette{color.NRGBA{10, 20, 30, 0}, color.NRGBA{200, 100, 50, 255}})
	pal.SetColorIndex(1, 0, 1)
	got, err = preprocess.Decode(encodePNG(t, pal))
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint8{10, 20, 30, 200, 100, 50}; !bytes.Equal(got.Pix, want) {
		t.Errorf("palette decoded to %v, want %v", got.Pix, want)
	}
}

func TestDecodeJPEG(t *testing.T) {
	var buf bytes.Buffer
	gray := image.NewGray(image.Rect(0, 0, 16, 8))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i * 2)
	}
	if err := jpeg.Encode(&buf, gray, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	got, err := preprocess.Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got.W != 16 || got.H != 8 {
		t.Fatalf("decoded %dx%d, want 16x8", got.W, got.H)
	}
	for i := 0; i < len(got.Pix); i += 3 {
		if got.Pix[i] != got.Pix[i+1] || got.Pix[i] != got.Pix[i+2] {
			t.Fatalf("grayscale JPEG pixel %d not replicated: %v", i/3, got.Pix[i:i+3])
		}
		if d := int(got.Pix[i]) - int(gray.Pix[i/3]); d > 4 || d < -4 {
			t.Fatalf("pixel %d = %d, encoded %d", i/3, got.Pix[i], gray.Pix[i/3])
		}
	}
	var big bytes.Buffer
	if err := jpeg.Encode(&big, gradient(64, 64), &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	if _, err := preprocess.Decode(big.Bytes()[:big.Len()*3/4]); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated JPEG: %v, want a truncation error", err)
	}
	if _, err := preprocess.Decode([]byte("\xff\xd8\xffgarbage")); err == nil {
		t.Error("corrupt JPEG decoded")
	}
	if _, err := preprocess.Decode([]byte("not an image")); err == nil {
		t.Error("unknown format decoded")
	}
	if _, err := preprocess.DecodeFile("/nonexistent/x.jpg"); err == nil || !strings.Contains(err.Error(), "/nonexistent/x.jpg") {
		t.Errorf("missing file error %v does not name the path", err)
	}
}

func TestPipelinePadsSmallImages(t *testing.T) {
	cfg := preprocess.DefaultConfig()
	cfg.ResizeSize, cfg.CropSize = 8, 12
	p, err := preprocess.NewPipeline(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	img, err := preprocess.Decode(encodePNG(t, gradient(16, 8)))
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Crop(img) // resized to 16x8, crop 12: columns 2..13, rows padded 2 above/below
	if err != nil {
		t.Fatal(err)
	}
	full, err := p.Crop(img)
	if err != nil || out.W != 12 || out.H != 12 {
		t.Fatalf("crop %dx%d: %v", out.W, out.H, err)
	}
	for _, y := range []int{0, 1, 10, 11} {
		for _, v := range out.Row(y) {
			if v != 0 {
				t.Fatalf("padding row %d not zero: %v", y, out.Row(y))
			}
		}
	}
	if !bytes.Equal(out.Row(2), img.Row(0)[6:42]) || !bytes.Equal(full.Pix, out.Pix) {
		t.Errorf("crop row 2 = %v, want image row 0 columns 2..13 %v", out.Row(2), img.Row(0)[6:42])
	}
}

func TestPipelineConcurrent(t *testing.T) {
	p, err := preprocess.NewPipeline(preprocess.DefaultConfig(), "colorjitter:brightness=0.4,hue=0.1+crop:scale=0.5")
	if err != nil {
		t.Fatal(err)
	}
	img, err := preprocess.Decode(encodePNG(t, gradient(300, 260)))
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float32, p.TensorLen())
	if err := p.Tensor(img, "a.JPEG", want, preprocess.NCHW); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got := make([]float32, p.TensorLen())
			for i := 0; i < 5; i++ {
				if err := p.Tensor(img, "a.JPEG", got, preprocess.NCHW); err != nil {
					t.Error(err)
					return
				}
				for j := range got {
					if got[j] != want[j] {
						t.Errorf("goroutine result differs at %d", j)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}
