package preprocess_test

import (
	"bytes"
	"errors"
	"image/gif"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	"github.com/imagenetx/imagenetx/preprocess"
	"github.com/imagenetx/imagenetx/preprocess/internal/jpegenc"
)

// fuzzMaxPixels keeps each fuzz input's memory small; the limit itself is
// part of what is fuzzed.
const fuzzMaxPixels = 1 << 20

// FuzzDecode feeds arbitrary bytes to the decoder (libjpeg-turbo through
// cgo, Go's PNG/GIF/BMP/TIFF/WebP decoders) and the eval pipeline. It must
// never panic or crash the process, must stay under the pixel limit, and
// every failure must be a *DecodeError with a stage and a known reason.
func FuzzDecode(f *testing.F) {
	for _, o := range []jpegenc.Options{{}, {Progressive: true}, {Arithmetic: true}, {RestartRows: 1}, {Progressive: true, Arithmetic: true}} {
		f.Add(mustJPEG(f, 19, 11, 3, o))
	}
	f.Add(mustJPEG(f, 9, 7, 4, jpegenc.Options{Space: jpegenc.CMYK}))
	f.Add(mustJPEG(f, 9, 7, 4, jpegenc.Options{Space: jpegenc.YCCK, Progressive: true}))
	f.Add(mustJPEG(f, 9, 7, 1, jpegenc.Options{Space: jpegenc.Gray}))
	f.Add(pngOf(f, nrgba(5, 3)))
	f.Add(pngOf(f, gray16(4, 4)))
	f.Add(pngOf(f, palette(6, 2, true)))
	f.Add(rawPNG(f, 5, 4, 4, 16, pattern(20, 4, 1)))
	f.Add(encodeWith(f, func(b *bytes.Buffer) error { return gif.Encode(b, palette(6, 2, false), nil) }))
	f.Add(encodeWith(f, func(b *bytes.Buffer) error { return bmp.Encode(b, nrgbaOpaque(3, 2)) }))
	f.Add(encodeWith(f, func(b *bytes.Buffer) error { return tiff.Encode(b, nrgbaOpaque(3, 2), nil) }))
	f.Add([]byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"))
	cfg := preprocess.DefaultConfig()
	cfg.ResizeSize, cfg.CropSize = 24, 20
	pipe, err := preprocess.NewPipeline(cfg, "")
	if err != nil {
		f.Fatal(err)
	}
	tensor := make([]float32, pipe.TensorLen())
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, strict := range []bool{true, false} {
			opts := preprocess.DecodeOptions{MaxPixels: fuzzMaxPixels, Strict: strict}
			img, err := opts.Decode(data)
			if err != nil {
				checkFuzzError(t, err)
				if strict && errors.Is(err, preprocess.ErrCorrupt) {
					continue // the default, Pillow's policy, may decode it
				}
				return
			}
			if err := img.Validate(); err != nil || int64(img.W)*int64(img.H) > fuzzMaxPixels {
				t.Fatalf("decoded %dx%d: %v", img.W, img.H, err)
			}
			if err := pipe.Tensor(img, "fuzz.JPEG", tensor, preprocess.NCHW); err != nil {
				t.Fatalf("pipeline on a decoded %dx%d image: %v", img.W, img.H, err)
			}
			return
		}
	})
}

// checkFuzzError requires a decode failure to be classified.
func checkFuzzError(t *testing.T, err error) {
	var de *preprocess.DecodeError
	if !errors.As(err, &de) || (de.Stage != preprocess.StageDecode && de.Stage != preprocess.StageLimit) {
		t.Fatalf("unclassified error %v", err)
	}
	for _, reason := range []error{preprocess.ErrUnknownFormat, preprocess.ErrTruncated, preprocess.ErrCorrupt, preprocess.ErrUnsupported, preprocess.ErrTextTooLarge,
		preprocess.ErrTooManyPixels, preprocess.ErrTooManyScans} {
		if errors.Is(err, reason) {
			return
		}
	}
	t.Fatalf("error without a known reason: %v", err)
}
