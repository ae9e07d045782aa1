package preprocess_test

import (
	"bytes"
	"compress/lzw"
	"compress/zlib"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/imagenetx/imagenetx/preprocess"
)

// Generators of BMP, GIF, PNG and WebP files in the encodings Pillow reads
// that Go's encoders do not write: the fuzz targets' seeds and the
// bad-input corpus' cases. Like fixtures_test.go, nothing binary is
// committed, except the WebP seeds below, which are a few dozen bytes of
// hex each.

// bmpSpec describes a BMP file for makeBMP.
type bmpSpec struct {
	header      int    // 12 (OS/2 v1), 40, 64, 108 or 124
	w, h        int32  // a negative h is top-down (Windows headers)
	bits        uint16 // bits per pixel
	compression uint32
	palette     []byte   // entries of 3 (OS/2 v1) or 4 bytes, BGR(X)
	masks       []uint32 // bitfield masks: after a 40-byte header, else inside it
	pixels      []byte
}

// makeBMP assembles a BMP file; the data offset points past the palette.
func makeBMP(s bmpSpec) []byte {
	var hd []byte
	if s.header == 12 {
		hd = binary.LittleEndian.AppendUint16(hd, uint16(s.w))
		hd = binary.LittleEndian.AppendUint16(hd, uint16(s.h))
		hd = binary.LittleEndian.AppendUint16(hd, 1)
		hd = binary.LittleEndian.AppendUint16(hd, s.bits)
	} else {
		hd = binary.LittleEndian.AppendUint32(hd, uint32(s.w))
		hd = binary.LittleEndian.AppendUint32(hd, uint32(s.h))
		hd = binary.LittleEndian.AppendUint16(hd, 1)
		hd = binary.LittleEndian.AppendUint16(hd, s.bits)
		hd = binary.LittleEndian.AppendUint32(hd, s.compression)
		hd = binary.LittleEndian.AppendUint32(hd, uint32(len(s.pixels)))
		hd = binary.LittleEndian.AppendUint32(hd, 2835)
		hd = binary.LittleEndian.AppendUint32(hd, 2835)
		hd = binary.LittleEndian.AppendUint32(hd, uint32(len(s.palette)/4))
		hd = binary.LittleEndian.AppendUint32(hd, 0)
		var extra []byte
		for _, m := range s.masks {
			extra = binary.LittleEndian.AppendUint32(extra, m)
		}
		if s.header > 40 {
			hd = append(hd, extra...)
			extra = nil
		}
		hd = append(hd, make([]byte, max(0, s.header-4-len(hd)))...)
		hd = append(hd, extra...)
	}
	offset := 14 + 4 + len(hd) + len(s.palette)
	b := []byte("BM")
	b = binary.LittleEndian.AppendUint32(b, uint32(offset+len(s.pixels)))
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(offset))
	b = binary.LittleEndian.AppendUint32(b, uint32(s.header))
	b = append(b, hd...)
	b = append(b, s.palette...)
	return append(b, s.pixels...)
}

// bgrxPalette is n colourful BGRX palette entries (size 4, or 3 for OS/2).
func bgrxPalette(n, size int) []byte {
	p := make([]byte, 0, n*size)
	for i := 0; i < n; i++ {
		p = append(p, byte(i*37), byte(255-i*11), byte(i*i*5))
		if size == 4 {
			p = append(p, 0)
		}
	}
	return p
}

// bmpSeeds are BMPs in the encodings Pillow reads: raw 1/4/8/16/24/32-bit,
// bitfields, RLE8 and RLE4 (encoded and absolute runs, deltas, line and
// bitmap ends), OS/2 headers, top-down rows and a grey palette.
func bmpSeeds() [][]byte {
	// Pillow's RLE reader counts word alignment from the file start and
	// reads two ignored bytes before a delta's two; these streams fill
	// their images under those rules.
	rle8 := []byte{
		2, 1, 0, 4, 2, 3, 4, 5, // a run of 2, an absolute run of 4
		0, 0, // end of line
		0, 2, 9, 9, 1, 1, // delta: right 1, up 1
		5, 9, 0, 0, 6, 7, 0, 1, // a run, end of line, a run, end of bitmap
	}
	rle4 := []byte{4, 0x12, 0, 4, 0x34, 0x56, 0, 0, 8, 0xAB, 0, 2, 9, 9, 2, 0, 6, 0xCD, 0, 1}
	return [][]byte{
		makeBMP(bmpSpec{header: 40, w: 5, h: 3, bits: 24, pixels: pattern(16, 3, 1)}),
		makeBMP(bmpSpec{header: 40, w: 6, h: 3, bits: 8, palette: bgrxPalette(16, 4), pixels: pattern(8, 3, 1)}),
		makeBMP(bmpSpec{header: 40, w: 6, h: 4, bits: 8, compression: 1, palette: bgrxPalette(8, 4), pixels: rle8}),
		makeBMP(bmpSpec{header: 40, w: 8, h: -3, bits: 4, compression: 2, palette: bgrxPalette(16, 4), pixels: rle4}),
		makeBMP(bmpSpec{header: 12, w: 9, h: 2, bits: 1, palette: bgrxPalette(2, 3), pixels: pattern(4, 2, 1)}),
		makeBMP(bmpSpec{header: 12, w: 5, h: 2, bits: 4, palette: bgrxPalette(16, 3), pixels: pattern(4, 2, 1)}),
		makeBMP(bmpSpec{header: 40, w: 3, h: 2, bits: 16, compression: 3, masks: []uint32{0xF800, 0x7E0, 0x1F}, pixels: pattern(8, 2, 1)}),
		makeBMP(bmpSpec{header: 40, w: 3, h: 2, bits: 16, pixels: pattern(8, 2, 1)}),
		makeBMP(bmpSpec{header: 108, w: 2, h: -2, bits: 32, compression: 3, masks: []uint32{0xFF0000, 0xFF00, 0xFF, 0xFF000000}, pixels: pattern(8, 2, 1)}),
		makeBMP(bmpSpec{header: 124, w: 2, h: 2, bits: 32, pixels: pattern(8, 2, 1)}),
		makeBMP(bmpSpec{header: 40, w: 4, h: 2, bits: 8, palette: greyBGRX(256), pixels: pattern(4, 2, 1)}),
	}
}

// greyBGRX is the grey-ramp palette that makes Pillow open a BMP as mode L.
func greyBGRX(n int) []byte {
	p := make([]byte, 0, 4*n)
	for i := 0; i < n; i++ {
		p = append(p, byte(i), byte(i), byte(i), 0)
	}
	return p
}

// gifSpec describes a one-frame GIF for makeGIF.
type gifSpec struct {
	screenW, screenH uint16
	global           []byte // RGB triples; nil: no global colour table
	transparent      int    // the transparent index, or -1
	x, y, w, h       uint16 // the frame
	local            []byte // the frame's colour table
	interlace        bool
	codeSize         int // LZW minimum code size (2..8)
	indices          []byte
}

// makeGIF assembles a GIF89a file with Go's LZW encoder.
func makeGIF(t testing.TB, s gifSpec) []byte {
	t.Helper()
	tableBits := func(p []byte) byte {
		n := byte(0)
		for 3<<(n+1) < len(p) {
			n++
		}
		return n
	}
	b := []byte("GIF89a")
	b = binary.LittleEndian.AppendUint16(b, s.screenW)
	b = binary.LittleEndian.AppendUint16(b, s.screenH)
	if s.global != nil {
		n := tableBits(s.global)
		b = append(b, 0x80|n, 0, 0)
		b = append(b, s.global...)
		b = append(b, make([]byte, 3<<(n+1)-len(s.global))...)
	} else {
		b = append(b, 0, 0, 0)
	}
	if s.transparent >= 0 {
		b = append(b, 0x21, 0xF9, 4, 1, 0, 0, byte(s.transparent), 0)
	}
	b = append(b, 0x2C)
	for _, v := range []uint16{s.x, s.y, s.w, s.h} {
		b = binary.LittleEndian.AppendUint16(b, v)
	}
	flags := byte(0)
	if s.interlace {
		flags |= 0x40
	}
	if s.local != nil {
		n := tableBits(s.local)
		b = append(b, flags|0x80|n)
		b = append(b, s.local...)
		b = append(b, make([]byte, 3<<(n+1)-len(s.local))...)
	} else {
		b = append(b, flags)
	}
	var lz bytes.Buffer
	w := lzw.NewWriter(&lz, lzw.LSB, s.codeSize)
	if _, err := w.Write(s.indices); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b = append(b, byte(s.codeSize))
	for data := lz.Bytes(); len(data) > 0; {
		n := min(255, len(data))
		b = append(b, byte(n))
		b = append(b, data[:n]...)
		data = data[n:]
	}
	return append(b, 0, 0x3B)
}

// colours is n RGB triples.
func colours(n int) []byte {
	p := make([]byte, 0, 3*n)
	for i := 0; i < n; i++ {
		p = append(p, byte(200-i*23), byte(i*41), byte(90+i*7))
	}
	return p
}

// indicesMod is n palette indices below m.
func indicesMod(n, m int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte((i*5 + i/3) % m)
	}
	return p
}

// gifSeeds are GIFs with the features Pillow's reader handles: a
// transparent index (whose colour convert('RGB') keeps), a frame smaller
// than the screen and one larger (the screen grows), a local colour table,
// interlaced rows, no colour table at all, and LZW code sizes 2 to 8.
func gifSeeds(t testing.TB) [][]byte {
	return [][]byte{
		makeGIF(t, gifSpec{screenW: 7, screenH: 5, global: colours(4), transparent: 2, x: 1, y: 1, w: 4, h: 3, codeSize: 2, indices: indicesMod(12, 4)}),
		makeGIF(t, gifSpec{screenW: 3, screenH: 3, global: colours(8), transparent: -1, x: 1, y: 0, w: 4, h: 4, local: colours(16)[3:], codeSize: 4, indices: indicesMod(16, 15)}),
		makeGIF(t, gifSpec{screenW: 6, screenH: 9, global: colours(2), transparent: -1, w: 6, h: 9, interlace: true, codeSize: 2, indices: indicesMod(54, 2)}),
		makeGIF(t, gifSpec{screenW: 4, screenH: 2, transparent: 5, w: 4, h: 2, codeSize: 8, indices: indicesMod(8, 256)}),
	}
}

// pngSeeds are PNGs with the chunks and layouts Pillow's reader handles:
// text chunks (tEXt, zTXt, iTXt), tRNS for grey, RGB and palette images,
// 16-bit grey (mode I), APNG (acTL, fcTL, fdAT), Adam7 interlacing, all
// five filters and a short palette.
func pngSeeds(t testing.TB) [][]byte {
	ztxt := append([]byte("Comment\x00\x00"), zlibBytes(t, bytes.Repeat([]byte("text "), 40))...)
	itxt := append([]byte("Title\x00\x01\x00en\x00Titel\x00"), zlibBytes(t, []byte("größe"))...)
	actl := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, 2), 0)
	return [][]byte{
		rawPNG(t, 5, 3, 0, 8, pattern(5, 3, 1), pngChunk{"tEXt", []byte("Author\x00me")}, pngChunk{"zTXt", ztxt}, pngChunk{"iTXt", itxt}),
		rawPNG(t, 4, 4, 0, 16, pattern(8, 4, 1), pngChunk{"tRNS", []byte{0, 7}}),
		rawPNG(t, 3, 2, 2, 8, pattern(9, 2, 1), pngChunk{"tRNS", []byte{0, 1, 0, 2, 0, 3}}),
		rawPNG(t, 6, 2, 3, 4, pattern(3, 2, 1), pngChunk{"PLTE", colours(5)}, pngChunk{"tRNS", []byte{255, 0, 255}}),
		rawPNG(t, 4, 3, 4, 16, pattern(16, 3, 1)),
		apng(t, actl),
		adam7PNG(t, 9, 7),
		filteredPNG(t, 6, 5),
	}
}

// zlibBytes is data zlib-compressed.
func zlibBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// zTXt is a compressed text chunk's data whose text is n bytes.
func zTXt(t testing.TB, n int) []byte {
	return append([]byte("Comment\x00\x00"), zlibBytes(t, make([]byte, n))...)
}

// textChunks is n zTXt chunks of 1 MiB of text each.
func textChunks(t testing.TB, n int) []pngChunk {
	c := pngChunk{"zTXt", zTXt(t, 1<<20)}
	out := make([]pngChunk, n)
	for i := range out {
		out[i] = c
	}
	return out
}

// gifCut is a 4×4 GIF whose LZW data ends (end code) after 8 pixels.
func gifCut(t testing.TB) []byte {
	short := makeGIF(t, gifSpec{screenW: 4, screenH: 2, global: colours(4), transparent: -1, w: 4, h: 2, codeSize: 2, indices: indicesMod(8, 4)})
	binary.LittleEndian.PutUint16(short[6+4+3+12+1+6:], 4) // the frame's height: 2 → 4
	binary.LittleEndian.PutUint16(short[8:], 4)            // and the screen's
	return short
}

// fcTL is an APNG frame control chunk's data.
func fcTL(seq, w, h, x, y uint32) []byte {
	var b []byte
	for _, v := range []uint32{seq, w, h, x, y} {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return append(b, 0, 1, 0, 10, 0, 0)
}

// apng is a two-frame 4×3 grey APNG whose default image is its first frame.
func apng(t testing.TB, actl []byte) []byte {
	frame := func(v byte) []byte {
		rows := bytes.Repeat([]byte{0, v, v + 1, v + 2, v + 3}, 3)
		return zlibBytes(t, rows)
	}
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, 4), 3)
	writePNGChunk(&out, "IHDR", append(ihdr, 8, 0, 0, 0, 0))
	writePNGChunk(&out, "acTL", actl)
	writePNGChunk(&out, "fcTL", fcTL(0, 4, 3, 0, 0))
	writePNGChunk(&out, "IDAT", frame(10))
	writePNGChunk(&out, "fcTL", fcTL(1, 2, 2, 1, 1))
	writePNGChunk(&out, "fdAT", append(binary.BigEndian.AppendUint32(nil, 2), frame(200)...))
	writePNGChunk(&out, "IEND", nil)
	return out.Bytes()
}

// adam7PNG is an interlaced w×h 8-bit grey PNG.
func adam7PNG(t testing.TB, w, h int) []byte {
	starts := [7][2]int{{0, 0}, {4, 0}, {0, 4}, {2, 0}, {0, 2}, {1, 0}, {0, 1}} // col, row
	steps := [7][2]int{{8, 8}, {8, 8}, {4, 8}, {4, 4}, {2, 4}, {2, 2}, {1, 2}}
	var raw []byte
	for p := 0; p < 7; p++ {
		for y := starts[p][1]; y < h; y += steps[p][1] {
			var row []byte
			for x := starts[p][0]; x < w; x += steps[p][0] {
				row = append(row, byte(x*29+y*13))
			}
			if len(row) > 0 {
				raw = append(append(raw, 0), row...)
			}
		}
	}
	return pngWithData(w, h, 0, 1, zlibBytes(t, raw))
}

// pngWithData is an 8-bit PNG of the colour type and interlace method
// whose IDAT holds data as given.
func pngWithData(w, h int, colorType, interlace byte, data []byte) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(w)), uint32(h))
	writePNGChunk(&out, "IHDR", append(ihdr, 8, colorType, 0, 0, interlace))
	writePNGChunk(&out, "IDAT", data)
	writePNGChunk(&out, "IEND", nil)
	return out.Bytes()
}

// filteredPNG is a w×h RGB PNG whose rows use filters 0 to 4 in turn (the
// filtered bytes are arbitrary: decoding undoes whatever they encode).
func filteredPNG(t testing.TB, w, h int) []byte {
	var raw []byte
	px := pattern(w, h, 3)
	for y := 0; y < h; y++ {
		raw = append(raw, byte(y%5))
		raw = append(raw, px[y*3*w:(y+1)*3*w]...)
	}
	return pngWithData(w, h, 2, 0, zlibBytes(t, raw))
}

// webpSeeds are 6×5 WebPs written by Pillow 9.4 with Debian's libwebp
// 1.2.4 (Image.save(f, "WEBP", ...)): lossy (VP8), lossless with alpha
// (VP8L), lossy with alpha (VP8X + ALPH) and a two-frame animation (VP8X +
// ANIM/ANMF), of which Pillow shows the first frame.
func webpSeeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, h := range []string{
		"524946464c000000574542505650382040000000d001009d012a0600050002c04c25b0027400f431ae280000feed2174f9dbaca6ba599f37bfbaf45092a3924de58bede6afe7e2d0cb7b2ede547e21980e000000",
		"524946463a000000574542505650384c2d0000002f05000110993244f43f3611d1ff0041b64d99ee6ff7410c0a412048241b0cb4ee64133801283f101f5470c10000",
		"524946467000000057454250565038580a00000010000000050000040000414c50480a000000010750c088084444ff035650382040000000d001009d012a0600050002c04c25b0027400f431ae280000feed2174f9dbaca6ba599f37bfbaf45092a3924de58bede6afe7e2d0cb7b2ede547e21980e000000",
		"524946461e01000057454250565038580a00000002000000050000040000414e494d06000000000000000000414e4d46700000000000000000000500000400003200000256503820580000005001009d012a0600050002c04c25b000058c0000fee4e9f1dfed3ffe6d7fffb5ffb97bffe6cf5fff3bbadbfdc604ffb8c09ff7192f235bd8a7e941fef7f75e8a1312e884f13817931b79febe750cb7b2ede547ecfb048000414e4d467a0000000000000000000500000400003200000056503820620000005401009d012a0600050000004c25b00004740000fed5d7f677f8efff35bbffc1affe0507ffe69b7fdc3ca1a9c01fa1687f6377eccb64a90a5a8b57a3a0de1ad01fed8edbf22bcee8f7f76b20ffe4df003ff31a0a2be1fefa8dcea8ff81e6aaf9a800",
	} {
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// seedSets are the generated files of every format, by file extension.
func seedSets(t testing.TB) []seedSet {
	return []seedSet{{"bmp", bmpSeeds()}, {"gif", gifSeeds(t)}, {"png", pngSeeds(t)}, {"webp", webpSeeds(t)}, {"jpg", jpegSeeds(t)}}
}

type seedSet struct {
	ext   string
	files [][]byte
}

// writeVariants writes n variants of each seed (vary(seed, k)) into dir
// and returns their paths.
func writeVariants(t testing.TB, dir string, sets []seedSet, n int, vary func([]byte, int) []byte) []string {
	var paths []string
	for _, set := range sets {
		for i, data := range set.files {
			for k := 0; k < n; k++ {
				p := filepath.Join(dir, fmt.Sprintf("seed%d-%d.%s", i, k, set.ext))
				if err := os.WriteFile(p, vary(data, k), 0o644); err != nil {
					t.Fatal(err)
				}
				paths = append(paths, p)
			}
		}
	}
	return paths
}

// compareWithPillowFiles decodes each file with Pillow 9.4 (one process)
// and with the default DecodeOptions, and requires the same outcome: the
// same pixels, or both refuse. It returns how many decoded alike and how
// many both refused.
func compareWithPillowFiles(t *testing.T, paths []string) (same, refused int) {
	t.Helper()
	for i, want := range runPillow(t, pillowPython(t), paths) {
		name := filepath.Base(paths[i])
		img, err := preprocess.DecodeFile(paths[i])
		switch {
		case !want.OK && err != nil:
			refused++
		case !want.OK:
			t.Errorf("%s: Pillow refuses (%s), we decode %dx%d", name, want.Err, img.W, img.H)
		case err != nil:
			t.Errorf("%s: Pillow decodes %dx%d, we refuse: %v", name, want.W, want.H, err)
		case rgbSHA256(img) != want.SHA256 || img.W != want.W || img.H != want.H:
			t.Errorf("%s: pixels differ from Pillow's (%dx%d vs %dx%d)", name, img.W, img.H, want.W, want.H)
		default:
			same++
		}
	}
	return same, refused
}

// TestFormatSeedsMatchPillow gives the generated files (the fuzz seeds:
// BMP, GIF, PNG and WebP encodings Go's encoders do not write, and JPEGs)
// to Pillow 9.4 and requires the same outcome: the same pixels, or both
// refuse. Nearly all must decode.
func TestFormatSeedsMatchPillow(t *testing.T) {
	paths := writeVariants(t, t.TempDir(), seedSets(t), 1, func(b []byte, _ int) []byte { return b })
	if same, _ := compareWithPillowFiles(t, paths); same < len(paths)*3/4 {
		t.Errorf("only %d of %d seeds decode: the generators should make readable files", same, len(paths))
	}
}

// mutate returns a deterministic variant of data: bytes overwritten, bits
// flipped, a cut, a range repeated or removed, as a fuzzer would make.
func mutate(rng *rand.Rand, data []byte) []byte {
	out := bytes.Clone(data)
	for n := 1 + rng.Intn(3); n > 0 && len(out) > 0; n-- {
		i := rng.Intn(len(out))
		switch rng.Intn(6) {
		case 0:
			out[i] = byte(rng.Intn(256))
		case 1:
			out[i] ^= 1 << rng.Intn(8)
		case 2:
			out = out[:i]
		case 3:
			j := min(len(out), i+1+rng.Intn(16))
			out = append(out[:j:j], append(bytes.Clone(out[i:j]), out[j:]...)...)
		case 4:
			j := min(len(out), i+1+rng.Intn(16))
			out = append(out[:i:i], out[j:]...)
		case 5:
			out[i] = []byte{0, 0xFF, 0x7F, 0x80, 1}[rng.Intn(5)]
		}
	}
	return out
}

// TestMutationsMatchPillow decodes mutants of the generated files (the
// fuzz seeds, JPEGs included) with Pillow 9.4 and with imagenetx and requires the same
// outcome for each: the same pixels, or both refuse. It is a differential
// check of the ports of Pillow's readers on damaged input. The count is
// IMAGENETX_MUTATIONS (default 20 mutants per file).
func TestMutationsMatchPillow(t *testing.T) {
	perFile := 20
	if v := os.Getenv("IMAGENETX_MUTATIONS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("IMAGENETX_MUTATIONS=%q: want a positive count", v)
		}
		perFile = n
	}
	rng := rand.New(rand.NewSource(1))
	paths := writeVariants(t, t.TempDir(), seedSets(t), perFile, func(b []byte, _ int) []byte { return mutate(rng, b) })
	same, refused := compareWithPillowFiles(t, paths)
	t.Logf("%d mutants: %d decoded alike, %d refused by both", len(paths), same, refused)
}
