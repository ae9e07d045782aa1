package preprocess

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// BMP decoding, hand-written as a port of Pillow 9.4's BmpImagePlugin.py
// (header parsing, mode and raw mode choice, its Python RLE decoder) and of
// the libImaging code it drives (RawDecode.c, the Unpack.c unpackers,
// putpalette, Convert.c). golang.org/x/image/bmp reads only a few
// encodings, and Pillow's quirks decide many outcomes on odd files: which
// headers, depths and bitfield layouts it reads, a palette made grey when
// its entries are a grey ramp, a raw mode whose bit depth differs from the
// header's, RLE runs clipped at the row end but absolute runs not, and a
// short RLE stream refused ("not enough image data"). Exactness with
// Pillow demands following its code, so this does.

// BMP compression values (BmpImagePlugin.COMPRESSIONS).
const (
	bmpRaw       = 0
	bmpRLE8      = 1
	bmpRLE4      = 2
	bmpBitfields = 3
)

// bmpRawModes maps a bit depth to Pillow's mode and raw mode (BIT2MODE).
var bmpRawModes = map[uint32][2]string{
	1: {"P", "P;1"}, 4: {"P", "P;4"}, 8: {"P", "P"},
	16: {"RGB", "BGR;15"}, 24: {"RGB", "BGR"}, 32: {"RGB", "BGRX"},
}

// bmpMasks maps the bitfield layouts Pillow reads to their raw modes
// (SUPPORTED and MASK_MODES); three-mask layouts have a zero alpha mask.
var bmpMasks = map[[5]uint32]string{
	{32, 0xFF0000, 0xFF00, 0xFF, 0}:              "BGRX",
	{32, 0xFF000000, 0xFF0000, 0xFF00, 0}:        "XBGR",
	{32, 0xFF000000, 0xFF0000, 0xFF00, 0xFF}:     "ABGR",
	{32, 0xFF, 0xFF00, 0xFF0000, 0xFF000000}:     "RGBA",
	{32, 0xFF0000, 0xFF00, 0xFF, 0xFF000000}:     "BGRA",
	{32, 0, 0, 0, 0}:                             "BGRA",
	{24, 0xFF0000, 0xFF00, 0xFF, bmpNoAlphaMask}: "BGR",
	{16, 0xF800, 0x7E0, 0x1F, bmpNoAlphaMask}:    "BGR;16",
	{16, 0x7C00, 0x3E0, 0x1F, bmpNoAlphaMask}:    "BGR;15",
}

// bmpNoAlphaMask marks the 24- and 16-bit layouts, which Pillow matches on
// the three colour masks only.
const bmpNoAlphaMask = math.MaxUint32

// bmpFile is a BMP header read as BmpImagePlugin._bitmap reads it.
type bmpFile struct {
	width, height  int64
	bits           uint32
	compression    uint32
	direction      int // -1: bottom-up rows (the usual), 1: top-down
	mode, rawMode  string
	offset         int64 // where the pixel data starts
	stride         int64 // row stride of raw data
	palette        []byte
	paletteEntryAt int // bytes per palette entry in the file: 3 (OS/2 v1) or 4
}

// decodeBMP decodes a BMP file as Pillow 9.4's Image.open(f).convert('RGB').
func decodeBMP(dst *pix.RGB8, data []byte, o DecodeOptions) (*pix.RGB8, Stage, error) {
	f, err := parseBMP(data)
	if err != nil {
		return nil, StageDecode, fmt.Errorf("bmp: %w", err)
	}
	if f.width > math.MaxInt32 || f.height > math.MaxInt32 {
		return nil, StageLimit, fmt.Errorf("%w: image size %dx%d, over the pixel limit", ErrTooManyPixels, f.width, f.height)
	}
	if err := checkSize(int(f.width), int(f.height), o.maxPixels()); err != nil {
		return nil, StageLimit, err
	}
	img, err := f.decode(dst, data)
	if err != nil {
		return nil, StageDecode, fmt.Errorf("bmp: %w", err)
	}
	return img, "", nil
}

// parseBMP reads the file and bitmap headers and the palette, refusing
// what BmpImagePlugin._open refuses.
func parseBMP(data []byte) (*bmpFile, error) {
	r := &byteReader{data: data}
	head := r.read(14)
	if len(head) < 14 {
		return nil, fmt.Errorf("%w: %d-byte file header", ErrTruncated, len(head))
	}
	f := &bmpFile{direction: -1, offset: int64(le32(head[10:]))}
	sizeBytes := r.read(4)
	if len(sizeBytes) < 4 {
		return nil, fmt.Errorf("%w: no bitmap header", ErrTruncated)
	}
	headerSize := int64(le32(sizeBytes))
	hd, err := r.safeRead(headerSize - 4)
	if err != nil {
		return nil, fmt.Errorf("bitmap header of %d bytes: %w", headerSize, err)
	}
	colors := uint64(0)
	var masks [4]uint32
	switch headerSize {
	case 12: // OS/2 v1
		f.width, f.height = int64(le16(hd[0:])), int64(le16(hd[2:]))
		f.bits = uint32(le16(hd[6:]))
		f.compression = bmpRaw
		f.paletteEntryAt = 3
	case 40, 64, 108, 124: // Windows v3, OS/2 v2, Windows v4, v5
		yFlip := hd[7] == 0xFF
		f.width, f.height = int64(le32(hd[0:])), int64(le32(hd[4:]))
		if yFlip {
			f.direction = 1
			f.height = 1<<32 - f.height
		}
		f.bits = uint32(le16(hd[10:]))
		f.compression = le32(hd[12:])
		colors = uint64(le32(hd[28:]))
		f.paletteEntryAt = 4
		if f.compression == bmpBitfields {
			if len(hd) >= 52 {
				for i := range masks {
					masks[i] = le32(hd[36+4*i:])
				}
			} else {
				// A 40-byte header: three masks follow it, no alpha mask.
				for i := 0; i < 3; i++ {
					b := r.read(4)
					if len(b) < 4 {
						return nil, fmt.Errorf("%w: in the bitfield masks", ErrTruncated)
					}
					masks[i] = le32(b)
				}
			}
		}
	default:
		return nil, fmt.Errorf("%w: BMP header type (%d)", ErrUnsupported, headerSize)
	}
	if colors == 0 {
		if f.bits >= 64 {
			colors = math.MaxUint64 // 1 << bits: only compared below
		} else {
			colors = 1 << f.bits
		}
	}
	if f.offset == 14+headerSize && f.bits <= 8 {
		f.offset += int64(4 * colors)
	}
	modes, ok := bmpRawModes[f.bits]
	if !ok {
		return nil, fmt.Errorf("%w: BMP pixel depth (%d)", ErrUnsupported, f.bits)
	}
	f.mode, f.rawMode = modes[0], modes[1]
	switch f.compression {
	case bmpBitfields:
		key := [5]uint32{f.bits, masks[0], masks[1], masks[2], masks[3]}
		if f.bits != 32 {
			key[4] = bmpNoAlphaMask
		}
		raw, ok := bmpMasks[key]
		if !ok {
			return nil, fmt.Errorf("%w: BMP bitfields layout", ErrUnsupported)
		}
		f.rawMode = raw
		if f.bits == 32 && (raw == "ABGR" || raw == "RGBA" || raw == "BGRA") {
			f.mode = "RGBA"
		}
	case bmpRaw, bmpRLE8, bmpRLE4:
	default:
		return nil, fmt.Errorf("%w: BMP compression (%d)", ErrUnsupported, f.compression)
	}
	if f.mode == "P" {
		if colors == 0 || colors > 65536 {
			return nil, fmt.Errorf("%w: BMP palette size (%d)", ErrUnsupported, colors)
		}
		f.palette = r.read(f.paletteEntryAt * int(colors))
		if f.greyscalePalette(int(colors)) {
			f.mode = "L"
			if colors == 2 {
				f.mode = "1"
			}
			f.rawMode, f.palette = f.mode, nil
		} else if n := len(f.palette) / f.paletteEntryAt; n > 256 {
			// putpalette refuses it when the image is loaded.
			return nil, fmt.Errorf("%w: invalid palette size (%d entries)", ErrCorrupt, n)
		}
	}
	f.stride = (f.width*int64(f.bits) + 31) >> 3 &^ 3
	if f.offset == 0 {
		f.offset = int64(r.pos)
	}
	return f, nil
}

// greyscalePalette is Pillow's test for dropping the palette: its entries
// are 0, 1, 2, … (or black and white for two colours), read short or not.
func (f *bmpFile) greyscalePalette(colors int) bool {
	n := f.paletteEntryAt
	for i := 0; i < colors; i++ {
		v := byte(i)
		if colors == 2 && i == 1 {
			v = 255
		}
		lo, hi := min(i*n, len(f.palette)), min(i*n+3, len(f.palette))
		e := f.palette[lo:hi]
		if len(e) != 3 || e[0] != v || e[1] != v || e[2] != v {
			return false
		}
	}
	return true
}

// decode reads the pixels (raw or RLE) and converts them to RGB.
func (f *bmpFile) decode(dst *pix.RGB8, data []byte) (*pix.RGB8, error) {
	w, h := int(f.width), int(f.height)
	rawMode := f.rawMode
	stride := f.stride
	var src []byte
	if f.compression == bmpRLE8 || f.compression == bmpRLE4 {
		// The RLE decoder's output goes through the raw decoder with raw
		// mode "L" or "P" and no row padding.
		rawMode, stride = "P", 0
		if f.mode == "L" {
			rawMode = "L"
		}
		if f.mode != rawMode {
			return nil, fmt.Errorf("%w: RLE data for a mode %s image", ErrUnsupported, f.mode)
		}
		var err error
		if src, err = bmpRLE(data, f.offset, w, h, f.compression == bmpRLE4); err != nil {
			return nil, err
		}
	} else if f.offset < int64(len(data)) {
		src = data[f.offset:]
	}
	unpack, bits := bmpUnpacker(f.mode, rawMode)
	if unpack == nil {
		return nil, fmt.Errorf("%w: raw mode %s for a mode %s image", ErrUnsupported, rawMode, f.mode)
	}
	if w > math.MaxInt32/bits-7 { // decode.c's setimage overflow guard
		return nil, fmt.Errorf("%w: %d pixels wide", ErrUnsupported, w)
	}
	rowBytes := int64((w*bits + 7) / 8)
	if stride == 0 {
		stride = rowBytes
	}
	if stride < rowBytes {
		return nil, fmt.Errorf("%w: rows of %d bytes hold %d bytes of pixels", ErrCorrupt, stride, rowBytes)
	}
	// RawDecode needs every row but the last's padding.
	if need := int64(h-1)*stride + rowBytes; int64(len(src)) < need {
		if f.compression == bmpRLE8 || f.compression == bmpRLE4 {
			return nil, fmt.Errorf("%w: not enough image data", ErrTruncated)
		}
		return nil, fmt.Errorf("%w: %d of %d bytes of pixel data", ErrTruncated, max(0, len(src)), need)
	}
	pal := f.rgbPalette()
	dst = pix.Reuse(dst, w, h)
	for i := 0; i < h; i++ {
		y := h - 1 - i
		if f.direction > 0 {
			y = i
		}
		row := src[int64(i)*stride:]
		unpack(dst.Row(y), row[:rowBytes], w, pal)
	}
	return dst, nil
}

// rgbPalette is the image's palette as putpalette makes it: a grey ramp,
// overwritten by the file's BGR(X) entries; nil when the mode has none.
func (f *bmpFile) rgbPalette() *[256][3]byte {
	if f.mode != "P" {
		return nil
	}
	pal := greyRamp()
	n := len(f.palette) / f.paletteEntryAt
	for i := 0; i < n && i < 256; i++ {
		e := f.palette[i*f.paletteEntryAt:]
		pal[i] = [3]byte{e[2], e[1], e[0]}
	}
	return pal
}

// greyRamp is a new Pillow palette (ImagingPaletteNew): entry i is (i, i, i).
func greyRamp() *[256][3]byte {
	var p [256][3]byte
	for i := range p {
		p[i] = [3]byte{byte(i), byte(i), byte(i)}
	}
	return &p
}

// bmpUnpacker returns the Unpack.c unpacker for (mode, rawMode), fused
// with convert('RGB'), and its bits per pixel; nil when Pillow has none.
func bmpUnpacker(mode, rawMode string) (func(out, in []byte, w int, pal *[256][3]byte), int) {
	switch mode + "/" + rawMode {
	case "1/1":
		return func(out, in []byte, w int, _ *[256][3]byte) {
			for x := 0; x < w; x++ {
				v := byte(0)
				if in[x>>3]&(0x80>>(x&7)) != 0 {
					v = 255
				}
				out[3*x], out[3*x+1], out[3*x+2] = v, v, v
			}
		}, 1
	case "L/L":
		return func(out, in []byte, w int, _ *[256][3]byte) {
			for x := 0; x < w; x++ {
				out[3*x], out[3*x+1], out[3*x+2] = in[x], in[x], in[x]
			}
		}, 8
	case "P/P;1", "P/P;4", "P/P":
		bits := map[string]int{"P;1": 1, "P;4": 4, "P": 8}[rawMode]
		return func(out, in []byte, w int, pal *[256][3]byte) {
			for x := 0; x < w; x++ {
				bit := x * bits
				i := in[bit>>3] >> (8 - bits - bit&7) & (1<<bits - 1)
				copy(out[3*x:3*x+3], pal[i][:])
			}
		}, bits
	case "RGB/BGR;15", "RGB/BGR;16":
		g, rShift := 31, 10
		if rawMode == "BGR;16" {
			g, rShift = 63, 11
		}
		return func(out, in []byte, w int, _ *[256][3]byte) {
			for x := 0; x < w; x++ {
				p := int(in[2*x]) | int(in[2*x+1])<<8
				out[3*x] = byte((p >> rShift & 31) * 255 / 31)
				out[3*x+1] = byte((p >> 5 & g) * 255 / g)
				out[3*x+2] = byte((p & 31) * 255 / 31)
			}
		}, 16
	case "RGB/BGR":
		return bytesUnpacker(3, 2, 1, 0), 24
	case "RGB/BGRX", "RGBA/BGRA":
		return bytesUnpacker(4, 2, 1, 0), 32
	case "RGB/XBGR", "RGBA/ABGR":
		return bytesUnpacker(4, 3, 2, 1), 32
	case "RGBA/RGBA":
		return bytesUnpacker(4, 0, 1, 2), 32
	}
	return nil, 0
}

// bytesUnpacker takes R, G and B from byte offsets r, g, b of each
// n-byte pixel (alpha and padding dropped, as convert('RGB') does).
func bytesUnpacker(n, r, g, b int) func(out, in []byte, w int, _ *[256][3]byte) {
	return func(out, in []byte, w int, _ *[256][3]byte) {
		for x := 0; x < w; x++ {
			p := in[n*x:]
			out[3*x], out[3*x+1], out[3*x+2] = p[r], p[g], p[b]
		}
	}
}

// bmpRLE is BmpImagePlugin's BmpRleDecoder (Pillow 9.4 decodes RLE in
// Python): it returns the pixel indices, row after row as stored, with
// Pillow's quirks kept, including that a delta reads two bytes it ignores
// before the two it uses, and that word alignment is counted from the
// start of the file.
func bmpRLE(data []byte, offset int64, w, h int, rle4 bool) ([]byte, error) {
	total := w * h
	out := make([]byte, 0, min(total, 1<<20))
	pos := offset
	next := func(n int64) []byte { // fd.read(n)
		if pos >= int64(len(data)) || n <= 0 {
			return nil
		}
		end := min(pos+n, int64(len(data)))
		b := data[pos:end]
		pos = end
		return b
	}
	x := 0
	for len(out) < total {
		pair := next(2)
		if len(pair) < 2 {
			break
		}
		n, b := int(pair[0]), pair[1]
		if n != 0 { // encoded mode
			if x+n > w {
				n = max(0, w-x)
			}
			if rle4 {
				hi, lo := b>>4, b&0x0F
				for i := 0; i < n; i++ {
					if i%2 == 0 {
						out = append(out, hi)
					} else {
						out = append(out, lo)
					}
				}
			} else {
				for i := 0; i < n; i++ {
					out = append(out, b)
				}
			}
			x += n
			continue
		}
		switch b {
		case 0: // end of line
			for len(out)%w != 0 {
				out = append(out, 0)
			}
			x = 0
		case 1: // end of bitmap
			return out, nil
		case 2: // delta
			if len(next(2)) < 2 {
				return out, nil
			}
			d := next(2)
			if len(d) != 2 {
				return nil, fmt.Errorf("%w: RLE delta cut short", ErrTruncated)
			}
			skip := int(d[0]) + int(d[1])*w // right, up
			if len(out)+skip >= total {
				// The loop ends here: only the first total pixels count, so
				// the zeros past them are not made.
				return append(out, make([]byte, total-len(out))...), nil
			}
			out = append(out, make([]byte, skip)...)
			x = len(out) % w
		default: // absolute mode
			count := int64(b)
			if rle4 {
				count /= 2
			}
			run := next(count)
			if rle4 {
				for _, v := range run {
					out = append(out, v>>4, v&0x0F)
				}
			} else {
				out = append(out, run...)
			}
			if int64(len(run)) < count {
				return out, nil
			}
			x += int(b)
			if pos%2 != 0 {
				pos++ // seek(1, SEEK_CUR), past the end too
			}
		}
	}
	return out, nil
}

// byteReader reads a file's bytes as Python's fp.read does: short at the end.
type byteReader struct {
	data []byte
	pos  int
}

func (r *byteReader) read(n int) []byte {
	if n <= 0 || r.pos >= len(r.data) {
		return nil
	}
	end := min(r.pos+n, len(r.data))
	b := r.data[r.pos:end]
	r.pos = end
	return b
}

// safeRead is ImageFile._safe_read: n bytes or ErrTruncated ("Truncated
// File Read"); nothing for n ≤ 0.
func (r *byteReader) safeRead(n int64) ([]byte, error) {
	if n <= 0 {
		return nil, nil
	}
	if n > int64(len(r.data)-r.pos) {
		r.pos = len(r.data)
		return nil, fmt.Errorf("%w: truncated file read", ErrTruncated)
	}
	return r.read(int(n)), nil
}

func le16(b []byte) uint16 { return binary.LittleEndian.Uint16(b) }
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }
