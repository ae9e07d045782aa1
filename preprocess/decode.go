package preprocess

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"

	"golang.org/x/image/tiff"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// DefaultMaxPixels is twice PIL's Image.MAX_IMAGE_PIXELS: where PIL raises
// DecompressionBombError instead of decoding.
const DefaultMaxPixels = 2 * 89478485

// DecodeOptions are the decoder's safety limits and its policy on damaged
// data. The zero value is the default: Pillow 9.4's policy (what Pillow
// decodes is decoded, what it refuses is refused), its decompression-bomb
// limit, and DefaultMaxFileBytes.
type DecodeOptions struct {
	// MaxPixels refuses an image whose header declares more than this many
	// pixels (width × height), before any pixel memory is allocated;
	// 0 means DefaultMaxPixels.
	MaxPixels int64
	// MaxFileBytes refuses larger files in DecodeFile before reading them;
	// 0 means DefaultMaxFileBytes.
	MaxFileBytes int64
	// Strict refuses, with ErrCorrupt, images that Pillow decodes although
	// their data is damaged: JPEGs on which libjpeg warns that pixels were
	// lost or invented (bad Huffman or arithmetic codes, a segment ending
	// early, a missing restart marker), whose lost blocks Pillow fills in.
	// It is off by default, as Pillow ignores these warnings; turn it on so
	// that no result is computed from half-read pixels. Warnings that lose
	// no pixels (extraneous bytes before a marker, bad metadata) never
	// refuse a file, and truncated files fail either way, as in Pillow.
	Strict bool
}

// The decode policies Policy names.
const (
	// PolicyPillow is the default: Pillow 9.4's decisions.
	PolicyPillow = "pillow"
	// PolicyStrict is the default with DecodeOptions.Strict.
	PolicyStrict = "strict"
)

// Policy names which images o refuses beyond its limits, PolicyPillow or
// PolicyStrict, for records such as a run's run.json: runs made under
// different policies must not be mixed.
func (o DecodeOptions) Policy() string {
	if o.Strict {
		return PolicyStrict
	}
	return PolicyPillow
}

func (o DecodeOptions) maxPixels() int64 {
	if o.MaxPixels > 0 {
		return o.MaxPixels
	}
	return DefaultMaxPixels
}

// Decode decodes an image file's bytes to RGB, as PIL's
// Image.open(f).convert('RGB') does, with the default DecodeOptions.
//
// JPEGs go through libjpeg-turbo exactly as Pillow 9.4 decodes them
// (grayscale replicated, CMYK/YCCK read with Adobe's inverted polarity then
// converted with PIL's cmyk2rgb). WebP goes through libwebp as Pillow's
// _webp.c calls it (frame 0 of an animation). BMP is a port of Pillow's
// BMP reader. PNG, GIF and TIFF go through Go's decoders and are converted
// as PIL's convert('RGB') would: palette looked up, alpha dropped without
// compositing, 16-bit channels reduced to their high byte, 16-bit
// grayscale (PIL mode "I") clipped to 255; YCbCr TIFF colour conversion is
// Go's, so it can differ from PIL by rounding. Errors are *DecodeError
// values.
func Decode(data []byte) (*RGB8, error) { return DecodeOptions{}.Decode(data) }

// DecodeInto is Decode reusing dst's buffer when it is large enough.
func DecodeInto(dst *RGB8, data []byte) (*RGB8, error) {
	return DecodeOptions{}.DecodeInto(dst, data)
}

// DecodeFile reads and decodes one image file with the default options.
func DecodeFile(path string) (*RGB8, error) { return DecodeOptions{}.DecodeFile(path) }

// Decode is the package-level Decode under these options.
func (o DecodeOptions) Decode(data []byte) (*RGB8, error) { return o.DecodeInto(nil, data) }

// DecodeInto is Decode reusing dst's buffer when it is large enough. Errors
// are *DecodeError values with an empty Path.
func (o DecodeOptions) DecodeInto(dst *RGB8, data []byte) (*RGB8, error) {
	img, stage, err := o.decode(dst, data)
	if err != nil {
		return nil, &DecodeError{Stage: stage, Err: err}
	}
	return img, nil
}

func (o DecodeOptions) decode(dst *RGB8, data []byte) (*RGB8, Stage, error) {
	if len(data) == 0 {
		return nil, StageDecode, fmt.Errorf("%w: empty file", ErrUnknownFormat)
	}
	switch {
	case isJPEG(data):
		return decodeJPEG(dst, data, o)
	case isWebP(data):
		return decodeWebP(dst, data, o)
	case bytes.HasPrefix(data, []byte("BM")):
		return decodeBMP(dst, data, o)
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return decodeGIF(dst, data, o)
	}
	f, ok := formatOf(data)
	if !ok {
		return nil, StageDecode, fmt.Errorf("%w (not JPEG, PNG, GIF, BMP, TIFF or WebP)", ErrUnknownFormat)
	}
	cfg, err := f.config(bytes.NewReader(data))
	if err != nil {
		return nil, StageDecode, f.wrap(err)
	}
	if err := checkSize(cfg.Width, cfg.Height, o.maxPixels()); err != nil {
		return nil, StageLimit, err
	}
	m, err := f.decodeSafely(data)
	if err != nil {
		return nil, StageDecode, f.wrap(err)
	}
	b := m.Bounds()
	// A GIF frame may differ from the logical screen DecodeConfig reports.
	if err := checkSize(b.Dx(), b.Dy(), o.maxPixels()); err != nil {
		return nil, StageLimit, err
	}
	return toRGB(pix.Reuse(dst, b.Dx(), b.Dy()), m), "", nil
}

// checkSize refuses empty images and images over the pixel limit.
func checkSize(w, h int, limit int64) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: image size %dx%d", ErrCorrupt, w, h)
	}
	if n := int64(w) * int64(h); n > limit {
		return fmt.Errorf("%w: image size %dx%d is %d pixels, over the %d-pixel limit", ErrTooManyPixels, w, h, n, limit)
	}
	return nil
}

func isJPEG(data []byte) bool {
	return len(data) >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF
}

// isWebP is WebPImagePlugin's _accept: a RIFF WEBP container whose first
// chunk is VP8, VP8L or VP8X. Pillow cannot identify other RIFF files.
func isWebP(data []byte) bool {
	if len(data) < 16 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return false
	}
	switch string(data[12:16]) {
	case "VP8 ", "VP8L", "VP8X":
		return true
	}
	return false
}

// format is one of the non-JPEG formats, decoded with Go's decoders.
type format struct {
	name   string
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

var (
	pngFormat  = format{"png", png.DecodeConfig, png.Decode}
	tiffFormat = format{"tiff", tiff.DecodeConfig, tiff.Decode}
)

// formatOf picks the decoder by magic bytes, as PIL does, never by name.
func formatOf(data []byte) (format, bool) {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return pngFormat, true
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		return tiffFormat, true
	}
	return format{}, false
}

// decodeSafely runs the Go decoder, turning a panic on hostile input (a
// decoder bug) into an error so that one file cannot end a run.
func (f format) decodeSafely(data []byte) (m image.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("%w: decoder panicked: %v", ErrCorrupt, r)
		}
	}()
	return f.decode(bytes.NewReader(data))
}

// wrap names the format and classifies the decoder's error: running out of
// data is truncation (as PIL reports it), anything else is corruption.
func (f format) wrap(err error) error {
	switch {
	case errors.Is(err, ErrCorrupt):
		return fmt.Errorf("%s: %w", f.name, err)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		err == png.FormatError("not enough pixel data"): // IDAT stream ended early
		return fmt.Errorf("%s: %w (%v)", f.name, ErrTruncated, err)
	}
	return fmt.Errorf("%s: %w: %v", f.name, ErrCorrupt, err)
}

// toRGB converts a decoded image the way PIL's convert('RGB') converts the
// mode PIL would have opened it in.
func toRGB(dst *RGB8, m image.Image) *RGB8 {
	b := m.Bounds()
	for y := 0; y < dst.H; y++ {
		row := dst.Row(y)
		for x := 0; x < dst.W; x++ {
			r, g, bl := rgbOf(m, b.Min.X+x, b.Min.Y+y)
			row[3*x], row[3*x+1], row[3*x+2] = r, g, bl
		}
	}
	return dst
}

// rgbOf returns one pixel's RGB with PIL's conversion semantics.
func rgbOf(m image.Image, x, y int) (uint8, uint8, uint8) {
	switch m := m.(type) {
	case *image.Gray:
		v := m.GrayAt(x, y).Y
		return v, v, v
	case *image.Gray16:
		v := m.Gray16At(x, y).Y // PIL mode "I": i2rgb clips at 255
		if v > 255 {
			v = 255
		}
		return uint8(v), uint8(v), uint8(v)
	case *image.NRGBA:
		c := m.NRGBAAt(x, y)
		return c.R, c.G, c.B
	case *image.NRGBA64:
		c := m.NRGBA64At(x, y)
		return uint8(c.R >> 8), uint8(c.G >> 8), uint8(c.B >> 8)
	case *image.Paletted:
		i := m.ColorIndexAt(x, y)
		if int(i) < len(m.Palette) {
			return straight(m.Palette[i])
		}
		// An index past the file's palette: Pillow's palettes start as a
		// grey ramp (ImagingPaletteNew), and entries the file does not set
		// keep it.
		return i, i, i
	case *image.CMYK:
		c := m.CMYKAt(x, y)
		return cmykToRGB(c.C, c.M, c.Y, c.K)
	}
	return straight(m.At(x, y))
}

// straight returns a colour's non-premultiplied 8-bit RGB (alpha dropped).
func straight(c color.Color) (uint8, uint8, uint8) {
	switch c := c.(type) {
	case color.NRGBA:
		return c.R, c.G, c.B
	case color.RGBA:
		if c.A == 0xff {
			return c.R, c.G, c.B
		}
	}
	n := color.NRGBA64Model.Convert(c).(color.NRGBA64)
	return uint8(n.R >> 8), uint8(n.G >> 8), uint8(n.B >> 8)
}

// cmykToRGB is Pillow's cmyk2rgb.
func cmykToRGB(c, m, y, k uint8) (uint8, uint8, uint8) {
	nk := 255 - int(k)
	f := func(v uint8) uint8 {
		t := int(v)*nk + 128
		return uint8(max(0, min(255, nk-((t>>8)+t)>>8)))
	}
	return f(c), f(m), f(y)
}
