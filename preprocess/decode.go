package preprocess

import (
	"bytes"
	"fmt"
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
	// Fast decodes JPEGs for speed instead of exactness, to feed a GPU:
	// when decoding for a Pipeline, libjpeg-turbo scales the image in the
	// DCT domain by n/8, the most that keeps the shorter side at or above
	// the pipeline's resize target, and the resize then maps the reduced
	// image onto the full picture's geometry (Reduction). Images that
	// cannot be reduced decode exactly as without Fast. Reduced ones differ
	// from Pillow's pixels by about one level on average, and a model's
	// answers may change (README, Speed, gives the measured agreement). It
	// saves most on images much larger than the resize target; entropy
	// decoding, which it cannot shorten, is most of a typical ImageNet
	// JPEG's decode. Other formats are unaffected. Never the default.
	Fast bool
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
// _webp.c calls it (frame 0 of an animation). PNG (with zlib through cgo),
// GIF and BMP are ports of Pillow's readers, down to what they accept and
// refuse; every mode is converted as convert('RGB') does (palettes looked
// up, the colour under a transparent index kept, alpha dropped without
// compositing, 16-bit channels reduced to their high byte, 16-bit
// grayscale, PIL mode "I", clipped to 255). TIFF goes through
// golang.org/x/image/tiff, whose YCbCr conversion can differ from PIL's by
// rounding. Errors are *DecodeError values.
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
	img, stage, err := o.decode(dst, data, decodeHint{})
	if err != nil {
		return nil, &DecodeError{Stage: stage, Err: err}
	}
	return img, nil
}

func (o DecodeOptions) decode(dst *RGB8, data []byte, hint decodeHint) (*RGB8, Stage, error) {
	if len(data) == 0 {
		return nil, StageDecode, fmt.Errorf("%w: empty file", ErrUnknownFormat)
	}
	switch {
	case isJPEG(data):
		if err := checkJPEGHeaders(data); err != nil {
			return nil, StageDecode, err
		}
		return decodeJPEG(dst, data, o, hint)
	case isWebP(data):
		return decodeWebP(dst, data, o)
	case bytes.HasPrefix(data, []byte("BM")):
		return decodeBMP(dst, data, o)
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return decodeGIF(dst, data, o)
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return decodePNG(dst, data, o)
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		return decodeTIFF(dst, data, o)
	}
	return nil, StageDecode, fmt.Errorf("%w (not JPEG, PNG, GIF, BMP, TIFF or WebP)", ErrUnknownFormat)
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
