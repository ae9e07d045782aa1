package preprocess_test

import (
	"bytes"
	"errors"
	"image"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	"github.com/imagenetx/imagenetx/preprocess"
	"github.com/imagenetx/imagenetx/preprocess/internal/jpegenc"
)

// pillowWant is what Pillow 9.4's Image.open(f).convert('RGB') does with a
// corpus file, checked by TestBadInputsMatchPillow.
type pillowWant int

const (
	pillowSame     pillowWant = iota // both decode to the same pixels, or both fail
	pillowDecodes                    // Pillow decodes what we refuse on purpose (see note)
	pillowNotAsked                   // not given to Pillow (it would block, or needs no check)
)

// badCase is one file of the corpus: how to make it and what must happen.
type badCase struct {
	name string
	// make writes the file (or directory, link, FIFO) into dir and returns its path.
	make func(t *testing.T, dir string) string
	opts preprocess.DecodeOptions
	// stage and reason are the expected failure; stage "" means it decodes.
	stage  preprocess.Stage
	reason error
	w, h   int // decoded size, when it decodes
	pillow pillowWant
	note   string // why the outcome is what it is
}

// file makes a maker writing data under name.
func file(name string, data []byte) func(*testing.T, string) string {
	return func(t *testing.T, dir string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
}

func encodeWith(t testing.TB, enc func(*bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := enc(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngOf(t testing.TB, m image.Image) []byte {
	return encodeWith(t, func(b *bytes.Buffer) error { return png.Encode(b, m) })
}

// badCases builds the corpus. JPEG fixtures are 64×48 unless said otherwise.
func badCases(t *testing.T) []badCase {
	base := mustJPEG(t, 64, 48, 3, jpegenc.Options{})
	prog := mustJPEG(t, 64, 48, 3, jpegenc.Options{Progressive: true})
	restart := mustJPEG(t, 64, 48, 3, jpegenc.Options{RestartRows: 1})
	s0, s1 := scanData(t, base)
	r0, _ := scanData(t, restart)
	cut := func(n int) []byte { return bytes.Clone(base[:n]) }
	corrupt := func(src []byte, at int, with []byte) []byte {
		out := bytes.Clone(src)
		copy(out[at:], with)
		return out
	}
	rstAt := bytes.Index(restart[r0:], []byte{0xFF, 0xD1}) // the second restart marker
	if rstAt < 0 {
		t.Fatal("no RST1 in the restart fixture")
	}
	rstAt += r0
	gray := image.NewGray(image.Rect(0, 0, 33, 17))
	copy(gray.Pix, pattern(33, 17, 1))
	rgba64 := image.NewNRGBA64(image.Rect(0, 0, 9, 5))
	for i := range rgba64.Pix {
		rgba64.Pix[i] = uint8(i * 37)
	}
	tall := image.NewGray(image.Rect(0, 0, 1, 100000))
	for i := range tall.Pix {
		tall.Pix[i] = uint8(i / 391)
	}
	wide := image.NewGray(image.Rect(0, 0, 100000, 1))
	copy(wide.Pix, tall.Pix)
	one := pngOf(t, nrgba(1, 1))
	bombJPEG := withJPEGSize(t, base, 60000, 60000)
	bombPNG := withPNGSize(one, 60000, 60000)
	return []badCase{
		{name: "zero-byte", make: file("empty.JPEG", nil), stage: preprocess.StageDecode, reason: preprocess.ErrUnknownFormat},
		{name: "jpeg-cut-after-soi", make: file("cut2.JPEG", cut(2)), stage: preprocess.StageDecode, reason: preprocess.ErrUnknownFormat,
			note: "two bytes are no JPEG signature (FF D8 FF), as in PIL"},
		{name: "jpeg-cut-in-header", make: file("cut20.JPEG", cut(20)), stage: preprocess.StageDecode, reason: preprocess.ErrTruncated},
		{name: "jpeg-cut-at-scan-start", make: file("cutsos.JPEG", cut(s0)), stage: preprocess.StageDecode, reason: preprocess.ErrTruncated},
		{name: "jpeg-cut-mid-scan", make: file("cutmid.JPEG", cut((s0+s1)/2)), stage: preprocess.StageDecode, reason: preprocess.ErrTruncated},
		{name: "jpeg-cut-8-bytes-before-end", make: file("cut8.JPEG", cut(len(base)-8)), stage: preprocess.StageDecode, reason: preprocess.ErrTruncated},
		{name: "jpeg-no-eoi", make: file("noeoi.JPEG", cut(len(base)-2)), stage: preprocess.StageDecode, reason: preprocess.ErrTruncated,
			note: "only the end marker is missing, but libjpeg reads ahead for it, and so does Pillow, which fails the same way"},
		{name: "jpeg-progressive-cut", make: file("progcut.JPEG", bytes.Clone(prog[:len(prog)*2/3])), stage: preprocess.StageDecode, reason: preprocess.ErrTruncated},
		{name: "jpeg-entropy-marker", make: file("marker.JPEG", corrupt(base, (s0+s1)/2, []byte{0xFF, 0xD9})), w: 64, h: 48,
			note: "scan ends early (premature end of data segment): Pillow fills the rest grey, and so do we by default"},
		{name: "jpeg-entropy-marker-strict", make: file("marker2.JPEG", corrupt(base, (s0+s1)/2, []byte{0xFF, 0xD9})),
			opts: preprocess.DecodeOptions{Strict: true}, stage: preprocess.StageDecode, reason: preprocess.ErrCorrupt, pillow: pillowDecodes,
			note: "Strict refuses what Pillow fills in"},
		{name: "jpeg-bad-restart-marker", make: file("rst.JPEG", corrupt(restart, rstAt, []byte{0xFF, 0xD5})), w: 64, h: 48,
			note: "found RST5 instead of RST1: blocks lost to resync, filled in as Pillow does"},
		{name: "jpeg-bad-restart-marker-strict", make: file("rst2.JPEG", corrupt(restart, rstAt, []byte{0xFF, 0xD5})),
			opts: preprocess.DecodeOptions{Strict: true}, stage: preprocess.StageDecode, reason: preprocess.ErrCorrupt, pillow: pillowDecodes,
			note: "Strict refuses what Pillow fills in"},
		{name: "jpeg-entropy-noise", make: file("noise.JPEG", corrupt(base, s0+40, bytes.Repeat([]byte{0x5A}, 64))), w: 64, h: 48,
			note: "damaged but still well-formed Huffman data: no decoder can tell, Pillow and we decode the same wrong pixels"},
		{name: "png-named-jpeg", make: file("png.JPEG", pngOf(t, nrgba(13, 7))), w: 13, h: 7},
		{name: "text-named-jpeg", make: file("text.JPEG", []byte("this is not an image\n")), stage: preprocess.StageDecode, reason: preprocess.ErrUnknownFormat},
		{name: "jpeg-cmyk", make: file("cmyk.JPEG", mustJPEG(t, 40, 24, 4, jpegenc.Options{Space: jpegenc.CMYK})), w: 40, h: 24},
		{name: "jpeg-ycck", make: file("ycck.JPEG", mustJPEG(t, 40, 24, 4, jpegenc.Options{Space: jpegenc.YCCK})), w: 40, h: 24},
		{name: "jpeg-grayscale", make: file("gray.JPEG", mustJPEG(t, 40, 24, 1, jpegenc.Options{Space: jpegenc.Gray})), w: 40, h: 24},
		{name: "jpeg-rgb-colorspace", make: file("rgb.JPEG", mustJPEG(t, 40, 24, 3, jpegenc.Options{Space: jpegenc.RGB})), w: 40, h: 24},
		{name: "jpeg-progressive", make: file("prog.JPEG", prog), w: 64, h: 48},
		{name: "jpeg-arithmetic", make: file("arith.JPEG", mustJPEG(t, 64, 48, 3, jpegenc.Options{Arithmetic: true})), w: 64, h: 48},
		{name: "jpeg-progressive-arithmetic", make: file("progarith.JPEG", mustJPEG(t, 64, 48, 3, jpegenc.Options{Arithmetic: true, Progressive: true})), w: 64, h: 48},
		{name: "jpeg-restart-markers", make: file("restart.JPEG", restart), w: 64, h: 48},
		{name: "jpeg-600-scans", make: file("scans.JPEG", repeatFirstScan(t, prog, 600)),
			stage: preprocess.StageLimit, reason: preprocess.ErrTooManyScans, pillow: pillowDecodes,
			note: "over TurboJPEG's 500-scan limit (a CPU-exhaustion pattern)"},
		{name: "png-gray8", make: file("g8.png", pngOf(t, gray)), w: 33, h: 17},
		{name: "png-gray1", make: file("g1.png", rawPNG(t, 16, 3, 0, 1, pattern(2, 3, 1))), w: 16, h: 3},
		{name: "png-gray16", make: file("g16.png", pngOf(t, gray16(11, 6))), w: 11, h: 6},
		{name: "png-gray-alpha8", make: file("ga8.png", rawPNG(t, 5, 4, 4, 8, pattern(10, 4, 1))), w: 5, h: 4},
		{name: "png-gray-alpha16", make: file("ga16.png", rawPNG(t, 5, 4, 4, 16, pattern(20, 4, 1))), w: 5, h: 4},
		{name: "png-gray-trns", make: file("gtrns.png", rawPNG(t, 8, 2, 0, 8, pattern(8, 2, 1), pngChunk{"tRNS", []byte{0, 5}})), w: 8, h: 2},
		{name: "png-rgb16", make: file("rgb16.png", rawPNG(t, 4, 3, 2, 16, pattern(24, 3, 1))), w: 4, h: 3},
		{name: "png-rgba16", make: file("rgba16.png", pngOf(t, rgba64)), w: 9, h: 5},
		{name: "png-rgba", make: file("rgba.png", pngOf(t, nrgba(21, 9))), w: 21, h: 9},
		{name: "png-palette", make: file("pal.png", pngOf(t, palette(15, 6, false))), w: 15, h: 6},
		{name: "png-palette-alpha", make: file("pala.png", pngOf(t, palette(15, 6, true))), w: 15, h: 6},
		{name: "png-truncated", make: file("cut.png", pngOf(t, nrgba(40, 40))[:200]), stage: preprocess.StageDecode, reason: preprocess.ErrTruncated},
		{name: "gif-palette", make: file("pal.gif", encodeWith(t, func(b *bytes.Buffer) error { return gif.Encode(b, palette(15, 6, false), nil) })), w: 15, h: 6},
		{name: "bmp-rgb", make: file("rgb.bmp", encodeWith(t, func(b *bytes.Buffer) error { return bmp.Encode(b, nrgbaOpaque(7, 5)) })), w: 7, h: 5},
		{name: "tiff-rgb", make: file("rgb.tiff", encodeWith(t, func(b *bytes.Buffer) error { return tiff.Encode(b, nrgbaOpaque(7, 5), nil) })), w: 7, h: 5},
		{name: "png-ztxt-bomb", make: file("ztxt.png", rawPNG(t, 2, 2, 0, 8, pattern(2, 2, 1), pngChunk{"zTXt", zTXt(t, 2<<20)})),
			stage: preprocess.StageLimit, reason: preprocess.ErrTextTooLarge,
			note: "a 2 MiB text chunk in 2 KiB: over Pillow's 1 MiB per chunk (Decompressed Data Too Large)"},
		{name: "png-text-memory", make: file("text.png", rawPNG(t, 2, 2, 0, 8, pattern(2, 2, 1), textChunks(t, 65)...)),
			stage: preprocess.StageLimit, reason: preprocess.ErrTextTooLarge,
			note: "65 text chunks of 1 MiB each: over Pillow's 64 MiB of text"},
		{name: "png-index-past-palette", make: file("pidx.png", rawPNG(t, 4, 1, 3, 8, []byte{0, 1, 7, 200}, pngChunk{"PLTE", colours(2)})), w: 4, h: 1,
			note: "indices past the palette read Pillow's grey ramp"},
		{name: "png-palette-without-plte", make: file("noplte.png", rawPNG(t, 3, 1, 3, 8, []byte{0, 9, 250})), w: 3, h: 1,
			note: "no PLTE: Pillow's grey ramp"},
		{name: "png-transparent-index-without-plte", make: file("noplte-trns.png", rawPNG(t, 3, 1, 3, 8, []byte{0, 9, 250}, pngChunk{"tRNS", []byte{255, 0}})),
			stage: preprocess.StageDecode, reason: preprocess.ErrCorrupt, note: "Pillow's convert('RGB') raises a TypeError on it"},
		{name: "bmp-rle8", make: file("rle8.bmp", bmpSeeds()[2]), w: 6, h: 4},
		{name: "bmp-rle4-top-down", make: file("rle4.bmp", bmpSeeds()[3]), w: 8, h: 3},
		{name: "bmp-16-bit-565", make: file("565.bmp", bmpSeeds()[6]), w: 3, h: 2},
		{name: "bmp-jpeg-compression", make: file("jpegc.bmp", makeBMP(bmpSpec{header: 40, w: 2, h: 2, bits: 24, compression: 4, pixels: []byte("\xff\xd8")})),
			stage: preprocess.StageDecode, reason: preprocess.ErrUnsupported, note: "Pillow 9.4 reads no JPEG- or PNG-compressed BMP"},
		{name: "gif-transparent-small-frame", make: file("trns.gif", gifSeeds(t)[0]), w: 7, h: 5,
			note: "the screen around the frame is the transparent index, whose colour convert('RGB') keeps"},
		{name: "gif-frame-past-screen", make: file("grow.gif", gifSeeds(t)[1]), w: 5, h: 4, note: "the image grows to hold the frame"},
		{name: "gif-lzw-ends-early", make: file("short.gif", gifCut(t)),
			stage: preprocess.StageDecode, reason: preprocess.ErrTruncated, note: "the LZW end code before the last pixel: Pillow reads on and finds the file's end"},
		{name: "webp-lossy", make: file("lossy.webp", webpSeeds(t)[0]), w: 6, h: 5},
		{name: "webp-animated", make: file("anim.webp", webpSeeds(t)[3]), w: 6, h: 5, note: "frame 0, as Pillow shows it"},
		{name: "webp-truncated", make: file("cut.webp", webpSeeds(t)[0][:60]), stage: preprocess.StageDecode, reason: preprocess.ErrCorrupt},
		{name: "jpeg-1x1", make: file("1x1.JPEG", mustJPEG(t, 1, 1, 3, jpegenc.Options{})), w: 1, h: 1},
		{name: "png-1x1", make: file("1x1.png", one), w: 1, h: 1},
		{name: "jpeg-1x65500", make: file("tall.JPEG", mustJPEG(t, 1, 65500, 1, jpegenc.Options{Space: jpegenc.Gray})), w: 1, h: 65500,
			note: "JPEG's largest side"},
		{name: "png-1x100000", make: file("tall.png", pngOf(t, tall)), w: 1, h: 100000},
		{name: "png-100000x1", make: file("wide.png", pngOf(t, wide)), w: 100000, h: 1},
		{name: "jpeg-bomb-60000x60000", make: file("bomb.JPEG", bombJPEG), stage: preprocess.StageLimit, reason: preprocess.ErrTooManyPixels},
		{name: "png-bomb-60000x60000", make: file("bomb.png", bombPNG), stage: preprocess.StageLimit, reason: preprocess.ErrTooManyPixels},
		{name: "bmp-bomb-60000x60000", make: file("bomb.bmp", bmpHeader(60000, 60000)), stage: preprocess.StageLimit, reason: preprocess.ErrTooManyPixels},
		{name: "gif-bomb-60000x60000", make: file("bomb.gif", gifBomb(60000, 60000)), stage: preprocess.StageLimit, reason: preprocess.ErrTooManyPixels},
		{name: "jpeg-over-configured-limit", make: file("limit.JPEG", base), opts: preprocess.DecodeOptions{MaxPixels: 64*48 - 1},
			stage: preprocess.StageLimit, reason: preprocess.ErrTooManyPixels, pillow: pillowNotAsked},
		{name: "jpeg-at-configured-limit", make: file("limit2.JPEG", base), opts: preprocess.DecodeOptions{MaxPixels: 64 * 48}, w: 64, h: 48},
		{name: "file-over-byte-limit", make: file("big.JPEG", base), opts: preprocess.DecodeOptions{MaxFileBytes: 100},
			stage: preprocess.StageLimit, reason: preprocess.ErrFileTooLarge, pillow: pillowNotAsked},
		unreadableCase(base),
		{name: "directory-named-jpeg", make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "dir.JPEG")
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
			return p
		}, stage: preprocess.StageOpen, reason: preprocess.ErrNotRegular},
		{name: "symlink-loop", make: func(t *testing.T, dir string) string {
			a, b := filepath.Join(dir, "loop1.JPEG"), filepath.Join(dir, "loop2.JPEG")
			if err := errors.Join(os.Symlink(b, a), os.Symlink(a, b)); err != nil {
				t.Fatal(err)
			}
			return a
		}, stage: preprocess.StageOpen, reason: syscall.ELOOP},
		{name: "dangling-symlink", make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "dangling.JPEG")
			if err := os.Symlink(filepath.Join(dir, "missing"), p); err != nil {
				t.Fatal(err)
			}
			return p
		}, stage: preprocess.StageOpen, reason: os.ErrNotExist},
		{name: "fifo-named-jpeg", make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "fifo.JPEG")
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}, stage: preprocess.StageOpen, reason: preprocess.ErrNotRegular, pillow: pillowNotAsked,
			note: "opened without blocking (Pillow would wait for a writer forever)"},
		{name: "non-utf8-name", make: file("\xff\xfe\x80.JPEG", base), w: 64, h: 48},
		{name: "non-utf8-name-corrupt", make: file("\xff\xfe\x81.JPEG", cut(len(base)/2)), stage: preprocess.StageDecode, reason: preprocess.ErrTruncated},
	}
}

// unreadableCase is a file with mode 000. Root ignores file modes, so as
// root (as in CI containers) it decodes; the open-failure path it would take
// otherwise is the one the directory, loop and dangling-link cases take.
func unreadableCase(data []byte) badCase {
	c := badCase{name: "unreadable-mode-000", make: func(t *testing.T, dir string) string {
		p := file("unreadable.JPEG", data)(t, dir)
		if err := os.Chmod(p, 0); err != nil {
			t.Fatal(err)
		}
		return p
	}, pillow: pillowNotAsked}
	if os.Geteuid() == 0 {
		c.w, c.h, c.note = 64, 48, "running as root: modes do not apply, the file is read"
	} else {
		c.stage, c.reason = preprocess.StageOpen, os.ErrPermission
	}
	return c
}

func nrgbaOpaque(w, h int) *image.NRGBA {
	m := nrgba(w, h)
	for i := 3; i < len(m.Pix); i += 4 {
		m.Pix[i] = 255
	}
	return m
}

// TestBadInputs decodes every corpus file and checks the outcome: the right
// size, or a *DecodeError naming the file, the stage and the reason. Every
// decoded image then goes through the default eval pipeline.
func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	pipe, err := preprocess.NewPipeline(preprocess.DefaultConfig(), "")
	if err != nil {
		t.Fatal(err)
	}
	tensor := make([]float32, pipe.TensorLen())
	for _, c := range badCases(t) {
		t.Run(c.name, func(t *testing.T) {
			path := c.make(t, dir)
			img, err := c.opts.DecodeFile(path)
			if c.stage == "" {
				if err != nil {
					t.Fatalf("want a %dx%d image, got %v", c.w, c.h, err)
				}
				if img.W != c.w || img.H != c.h {
					t.Fatalf("decoded %dx%d, want %dx%d", img.W, img.H, c.w, c.h)
				}
				if err := pipe.Tensor(img, filepath.Base(path), tensor, preprocess.NCHW); err != nil {
					t.Fatalf("pipeline: %v", err)
				}
				return
			}
			checkDecodeError(t, err, path, c.stage, c.reason)
		})
	}
}

// checkDecodeError asserts a *DecodeError with the path, stage and reason,
// whose message names the file and is printable.
func checkDecodeError(t *testing.T, err error, path string, stage preprocess.Stage, reason error) {
	t.Helper()
	var de *preprocess.DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("want a *DecodeError at stage %s, got %v", stage, err)
	}
	if de.Path != path || de.Stage != stage || !errors.Is(err, reason) {
		t.Fatalf("got path %q stage %s reason %v; want %q, %s, %v", de.Path, de.Stage, de.Err, path, stage, reason)
	}
	msg := err.Error()
	if !strings.Contains(msg, preprocess.PrintablePath(path)) || !strings.HasPrefix(msg, string(stage)+" ") || !utf8.ValidString(msg) {
		t.Errorf("message %q should start with the stage and name the file printably", msg)
	}
}

// TestDecompressionBombAllocatesNothing checks that a header declaring
// 60000×60000 pixels is refused before pixel memory is allocated.
func TestDecompressionBombAllocatesNothing(t *testing.T) {
	base := mustJPEG(t, 64, 48, 3, jpegenc.Options{})
	bombs := map[string][]byte{
		"jpeg": withJPEGSize(t, base, 60000, 60000),
		"png":  withPNGSize(pngOf(t, nrgba(1, 1)), 60000, 60000),
		"bmp":  bmpHeader(60000, 60000),
		"gif":  gifBomb(60000, 60000),
	}
	for name, data := range bombs {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := preprocess.Decode(data)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, preprocess.ErrTooManyPixels) {
			t.Errorf("%s bomb: %v, want ErrTooManyPixels", name, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("%s bomb: allocated %d bytes before refusing", name, n)
		}
	}
}
