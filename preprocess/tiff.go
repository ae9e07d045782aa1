package preprocess

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"

	"golang.org/x/image/tiff"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// decodeTIFF decodes a TIFF with golang.org/x/image/tiff and converts it
// as PIL's convert('RGB') converts the mode PIL would have opened it in.
// Pillow reads TIFF through libtiff; no port here, as the corpora hold no
// TIFFs and ImageNet none.
func decodeTIFF(dst *RGB8, data []byte, o DecodeOptions) (*RGB8, Stage, error) {
	cfg, err := tiff.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, StageDecode, tiffError(err)
	}
	if err := checkSize(cfg.Width, cfg.Height, o.maxPixels()); err != nil {
		return nil, StageLimit, err
	}
	m, err := decodeTIFFSafely(data)
	if err != nil {
		return nil, StageDecode, tiffError(err)
	}
	b := m.Bounds()
	if err := checkSize(b.Dx(), b.Dy(), o.maxPixels()); err != nil {
		return nil, StageLimit, err
	}
	return toRGB(pix.Reuse(dst, b.Dx(), b.Dy()), m), "", nil
}

// decodeTIFFSafely runs the Go decoder, turning a panic on hostile input (a
// decoder bug) into an error so that one file cannot end a run.
func decodeTIFFSafely(data []byte) (m image.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("%w: decoder panicked: %v", ErrCorrupt, r)
		}
	}()
	return tiff.Decode(bytes.NewReader(data))
}

// tiffError classifies the decoder's error: running out of data is
// truncation (as PIL reports it), anything else is corruption.
func tiffError(err error) error {
	switch {
	case errors.Is(err, ErrCorrupt):
		return fmt.Errorf("tiff: %w", err)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Errorf("tiff: %w (%v)", ErrTruncated, err)
	}
	return fmt.Errorf("tiff: %w: %v", ErrCorrupt, err)
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
