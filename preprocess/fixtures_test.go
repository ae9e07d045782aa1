package preprocess_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"testing"

	"github.com/imagenetx/imagenetx/preprocess/internal/jpegenc"
)

// Fixture generators for the bad-input corpus: every file the tests decode
// is made here, from code, so nothing binary is committed.

// pattern returns w×h pixels of comps interleaved components with enough
// detail that a lost block shows.
func pattern(w, h, comps int) []byte {
	p := make([]byte, w*h*comps)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for c := 0; c < comps; c++ {
				p[(y*w+x)*comps+c] = uint8(x*(3+c*2) + y*(5-c) + (x*y)>>(2+c))
			}
		}
	}
	return p
}

// mustJPEG encodes a w×h pattern with libjpeg-turbo.
func mustJPEG(t testing.TB, w, h, comps int, o jpegenc.Options) []byte {
	t.Helper()
	data, err := jpegenc.Encode(pattern(w, h, comps), w, h, comps, o)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// jpegSegment is one marker segment of a JPEG: its offset, marker byte and
// the offset just past it (for SOS: past its entropy-coded data).
type jpegSegment struct {
	at, end int
	marker  byte
}

// jpegSegments walks a well-formed JPEG's markers.
func jpegSegments(t testing.TB, data []byte) []jpegSegment {
	t.Helper()
	var segs []jpegSegment
	for i := 2; i+2 <= len(data); {
		if data[i] != 0xFF || (data[i+1] != 0xD9 && i+4 > len(data)) {
			t.Fatalf("no marker at %d", i)
		}
		m := data[i+1]
		if m == 0xD9 {
			return append(segs, jpegSegment{i, i + 2, m})
		}
		end := i + 2 + int(binary.BigEndian.Uint16(data[i+2:]))
		if m == 0xDA { // entropy data runs to the next marker that is not a stuffed 0 or RSTn
			for end+1 < len(data) && !(data[end] == 0xFF && data[end+1] != 0 && (data[end+1] < 0xD0 || data[end+1] > 0xD7)) {
				end++
			}
		}
		segs = append(segs, jpegSegment{i, end, m})
		i = end
	}
	t.Fatal("no EOI")
	return nil
}

// firstSegment returns the first segment with the marker.
func firstSegment(t testing.TB, data []byte, marker byte) jpegSegment {
	t.Helper()
	for _, s := range jpegSegments(t, data) {
		if s.marker == marker {
			return s
		}
	}
	t.Fatalf("no marker 0x%02x", marker)
	return jpegSegment{}
}

// scanData returns the offsets of the first scan's entropy-coded data.
func scanData(t testing.TB, data []byte) (int, int) {
	s := firstSegment(t, data, 0xDA)
	return s.at + 2 + int(binary.BigEndian.Uint16(data[s.at+2:])), s.end
}

// withJPEGSize patches the SOF's declared size.
func withJPEGSize(t testing.TB, data []byte, w, h int) []byte {
	t.Helper()
	out := bytes.Clone(data)
	for _, s := range jpegSegments(t, out) {
		if s.marker >= 0xC0 && s.marker <= 0xCF && s.marker != 0xC4 && s.marker != 0xC8 && s.marker != 0xCC {
			binary.BigEndian.PutUint16(out[s.at+5:], uint16(h))
			binary.BigEndian.PutUint16(out[s.at+7:], uint16(w))
			return out
		}
	}
	t.Fatal("no SOF")
	return nil
}

// repeatFirstScan repeats the first scan (header and data) n more times.
func repeatFirstScan(t testing.TB, data []byte, n int) []byte {
	s := firstSegment(t, data, 0xDA)
	scan := data[s.at:s.end]
	out := bytes.Clone(data[:s.end])
	for range n {
		out = append(out, scan...)
	}
	return append(out, data[s.end:]...)
}

// pngChunk is one extra PNG chunk (PLTE, tRNS) written before IDAT.
type pngChunk struct {
	typ  string
	data []byte
}

// rawPNG writes a PNG of any colour type and bit depth from unfiltered
// rows, which image/png cannot (grey+alpha, 1-bit grey, 16-bit grey+alpha).
func rawPNG(t testing.TB, w, h int, colorType, depth byte, rows []byte, chunks ...pngChunk) []byte {
	t.Helper()
	stride := len(rows) / h
	var idat bytes.Buffer
	zw := zlib.NewWriter(&idat)
	for y := 0; y < h; y++ {
		zw.Write([]byte{0}) // filter: none
		zw.Write(rows[y*stride : (y+1)*stride])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, depth, colorType, 0, 0, 0)
	writePNGChunk(&out, "IHDR", ihdr)
	for _, c := range chunks {
		writePNGChunk(&out, c.typ, c.data)
	}
	writePNGChunk(&out, "IDAT", idat.Bytes())
	writePNGChunk(&out, "IEND", nil)
	return out.Bytes()
}

func writePNGChunk(out *bytes.Buffer, typ string, data []byte) {
	out.Write(binary.BigEndian.AppendUint32(nil, uint32(len(data))))
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	out.WriteString(typ)
	out.Write(data)
	out.Write(binary.BigEndian.AppendUint32(nil, crc.Sum32()))
}

// withPNGSize patches IHDR's declared size and its CRC.
func withPNGSize(data []byte, w, h int) []byte {
	out := bytes.Clone(data)
	binary.BigEndian.PutUint32(out[16:], uint32(w))
	binary.BigEndian.PutUint32(out[20:], uint32(h))
	binary.BigEndian.PutUint32(out[29:], crc32.ChecksumIEEE(out[12:29]))
	return out
}

// bmpHeader is a 24-bit BMP header declaring w×h with no pixel data.
func bmpHeader(w, h int) []byte {
	b := []byte("BM")
	b = binary.LittleEndian.AppendUint32(b, 54)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, 54)
	b = binary.LittleEndian.AppendUint32(b, 40)
	b = binary.LittleEndian.AppendUint32(b, uint32(w))
	b = binary.LittleEndian.AppendUint32(b, uint32(h))
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = binary.LittleEndian.AppendUint16(b, 24)
	return append(b, make([]byte, 24)...)
}

// gifBomb is a GIF whose logical screen is w×h around a 1×1 frame.
func gifBomb(w, h int) []byte {
	b := []byte("GIF89a")
	b = binary.LittleEndian.AppendUint16(b, uint16(w))
	b = binary.LittleEndian.AppendUint16(b, uint16(h))
	b = append(b, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff) // 2-colour global palette
	b = append(b, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0)       // image descriptor 1×1
	b = append(b, 2, 2, 0x44, 0x01, 0)                   // LZW: clear, 0, end
	return append(b, 0x3B)
}

// nrgba returns a w×h image.NRGBA with the pattern and varying alpha.
func nrgba(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	copy(m.Pix, pattern(w, h, 4))
	return m
}

// gray16 returns a w×h 16-bit grey image spanning the whole range, so that
// PIL's clip at 255 shows.
func gray16(w, h int) *image.Gray16 {
	m := image.NewGray16(image.Rect(0, 0, w, h))
	for i := 0; i < w*h; i++ {
		m.SetGray16(i%w, i/w, color.Gray16{Y: uint16(i * 977)})
	}
	return m
}

// palette returns a w×h paletted image; with alpha, some entries are
// translucent (PIL drops alpha when converting P to RGB).
func palette(w, h int, alpha bool) *image.Paletted {
	pal := make(color.Palette, 16)
	for i := range pal {
		a := uint8(255)
		if alpha {
			a = uint8(i * 17)
		}
		pal[i] = color.NRGBA{uint8(i * 16), uint8(255 - i*13), uint8(i * i), a}
	}
	m := image.NewPaletted(image.Rect(0, 0, w, h), pal)
	for i := range m.Pix {
		m.Pix[i] = uint8(i*7) % 16
	}
	return m
}
