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

// FuzzDecode feeds arbitrary bytes, from JPEG seeds (and one of each
// other format, so that mutations can cross formats), to the decoder and
// the eval pipeline. The per-format targets below do the same from seeds
// of their own format, so that the fuzzer reaches deep into each reader.
func FuzzDecode(f *testing.F) {
	for _, s := range jpegSeeds(f) {
		f.Add(s)
	}
	// Large enough that the pipeline's crop leaves rows and columns out.
	f.Add(mustJPEG(f, 160, 120, 3, jpegenc.Options{RestartRows: 2}))
	f.Add(pngOf(f, nrgba(5, 3)))
	f.Add(encodeWith(f, func(b *bytes.Buffer) error { return gif.Encode(b, palette(6, 2, false), nil) }))
	f.Add(encodeWith(f, func(b *bytes.Buffer) error { return bmp.Encode(b, nrgbaOpaque(3, 2)) }))
	f.Add(encodeWith(f, func(b *bytes.Buffer) error { return tiff.Encode(b, nrgbaOpaque(3, 2), nil) }))
	f.Add(webpSeeds(f)[0])
	fuzzDecoder(f)
}

// FuzzDecodeBMP fuzzes the BMP reader (a port of Pillow's) from BMPs of
// every encoding it reads.
func FuzzDecodeBMP(f *testing.F) {
	for _, s := range bmpSeeds() {
		f.Add(s)
	}
	fuzzDecoder(f)
}

// FuzzDecodeGIF fuzzes the GIF reader (a port of Pillow's) from GIFs with
// transparency, local palettes, interlacing and odd screens.
func FuzzDecodeGIF(f *testing.F) {
	for _, s := range gifSeeds(f) {
		f.Add(s)
	}
	f.Add(gifBomb(3, 2))
	fuzzDecoder(f)
}

// FuzzDecodePNG fuzzes the PNG reader (a port of Pillow's, zlib through
// cgo) from PNGs of every colour type, with text chunks, APNG chunks and
// interlacing.
func FuzzDecodePNG(f *testing.F) {
	for _, s := range pngSeeds(f) {
		f.Add(s)
	}
	f.Add(pngOf(f, gray16(4, 4)))
	f.Add(pngOf(f, palette(6, 2, true)))
	fuzzDecoder(f)
}

// FuzzDecodeWebP fuzzes the libwebp path (cgo) from lossy, lossless,
// alpha and animated WebPs.
func FuzzDecodeWebP(f *testing.F) {
	for _, s := range webpSeeds(f) {
		f.Add(s)
	}
	fuzzDecoder(f)
}

// jpegSeeds are JPEGs written with libjpeg-turbo: baseline, progressive,
// arithmetic, with restart markers, CMYK, YCCK and grey.
func jpegSeeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, o := range []jpegenc.Options{{}, {Progressive: true}, {Arithmetic: true}, {RestartRows: 1}, {Progressive: true, Arithmetic: true}} {
		out = append(out, mustJPEG(t, 19, 11, 3, o))
	}
	return append(out,
		mustJPEG(t, 9, 7, 4, jpegenc.Options{Space: jpegenc.CMYK}),
		mustJPEG(t, 9, 7, 4, jpegenc.Options{Space: jpegenc.YCCK, Progressive: true}),
		mustJPEG(t, 9, 7, 1, jpegenc.Options{Space: jpegenc.Gray}))
}

// fuzzDecoder is the property every decoder target checks: no input panics
// or crashes the process, a decoded image stays under the pixel limit and
// goes through the pipeline, and every failure is a *DecodeError with a
// stage and a known reason. Each input is decoded strictly, then, when
// that refuses it as corrupt, with the default (Pillow's) policy.
func fuzzDecoder(f *testing.F) {
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
			checkPipelineDecode(t, pipe, opts, data, img, err)
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

// checkPipelineDecode requires the pipeline's decode (a JPEG's rows and
// columns outside the crop left out) to fail exactly as the whole decode
// did (whole, wantErr) or to give the same tensor, and its fast decode to
// fail only with a classified error.
func checkPipelineDecode(t *testing.T, pipe *preprocess.Pipeline, opts preprocess.DecodeOptions, data []byte, whole *preprocess.RGB8, wantErr error) {
	part, err := pipe.DecodeInto(opts, nil, data)
	if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
		t.Fatalf("pipeline decode error %v, whole decode error %v", err, wantErr)
	}
	if err == nil {
		want, got := make([]float32, pipe.TensorLen()), make([]float32, pipe.TensorLen())
		if err := pipe.Tensor(whole, "", want, preprocess.NCHW); err != nil {
			t.Fatal(err)
		}
		if err := pipe.Tensor(part, "", got, preprocess.NCHW); err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if want[i] != got[i] {
				t.Fatalf("pipeline decode's tensor differs from the whole decode's at %d", i)
			}
		}
	}
	opts.Fast = true
	if fast, err := pipe.DecodeInto(opts, nil, data); err != nil {
		checkFuzzError(t, err)
	} else if err := fast.Validate(); err != nil {
		t.Fatalf("fast decode: %v", err)
	}
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
