package preprocess

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"os"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// maxPixels is twice PIL's Image.MAX_IMAGE_PIXELS: where PIL raises
// DecompressionBombError instead of decoding.
const maxPixels = 2 * 89478485

func checkSize(w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("image size %dx%d: must be positive", w, h)
	}
	if int64(w)*int64(h) > maxPixels {
		return fmt.Errorf("image size %dx%d exceeds %d pixels (decompression bomb limit)", w, h, maxPixels)
	}
	return nil
}

// Decode decodes an image file's bytes to RGB, as PIL's
// Image.open(f).convert('RGB') does. JPEGs go through libjpeg-turbo exactly
// as Pillow 9.4 decodes them (grayscale replicated, CMYK/YCCK read with
// Adobe's inverted polarity then converted with PIL's cmyk2rgb). PNG, GIF,
// BMP, TIFF and WebP go through Go's decoders and are converted as PIL's
// convert('RGB') would: palette looked up, alpha dropped without compositing,
// 16-bit channels reduced to their high byte, 16-bit grayscale (PIL mode
// "I") clipped to 255. WebP and YCbCr TIFF colour conversion is Go's, not
// libwebp's, so those can differ from PIL by rounding.
func Decode(data []byte) (*RGB8, error) {
	return DecodeInto(nil, data)
}

// DecodeInto is Decode reusing dst's buffer when it is large enough.
func DecodeInto(dst *RGB8, data []byte) (*RGB8, error) {
	if isJPEG(data) {
		return decodeJPEG(dst, data)
	}
	m, err := decodeGo(data)
	if err != nil {
		return nil, err
	}
	b := m.Bounds()
	if err := checkSize(b.Dx(), b.Dy()); err != nil {
		return nil, err
	}
	return toRGB(pix.Reuse(dst, b.Dx(), b.Dy()), m), nil
}

// DecodeFile reads and decodes one image file; errors name the path.
func DecodeFile(path string) (*RGB8, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	img, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	return img, nil
}

func isJPEG(data []byte) bool {
	return len(data) >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF
}

// decodeGo decodes the non-JPEG formats by their magic bytes.
func decodeGo(data []byte) (image.Image, error) {
	r := bytes.NewReader(data)
	var (
		m   image.Image
		err error
	)
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		m, err = png.Decode(r)
	case bytes.HasPrefix(data, []byte("GIF8")):
		m, err = gif.Decode(r)
	case bytes.HasPrefix(data, []byte("BM")):
		m, err = bmp.Decode(r)
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		m, err = tiff.Decode(r)
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		m, err = webp.Decode(r)
	default:
		return nil, fmt.Errorf("unrecognised image format (not JPEG, PNG, GIF, BMP, TIFF or WebP)")
	}
	return m, err
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
		return straight(m.Palette[m.ColorIndexAt(x, y)])
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
