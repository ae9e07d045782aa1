package preprocess

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// PNG decoding, hand-written as a port of what Pillow 9.4 does for
// Image.open(f).convert('RGB'): PngImagePlugin.py's chunk handlers (with
// their checks, CRCs before the image data only, and the decompression-bomb
// limits on text chunks), its APNG bookkeeping up to the first frame, its
// load_read (data from consecutive IDAT/fdAT chunks), ImageFile.load's
// 64 KiB feeding, ZipDecode.c (filters, Adam7, and its early exit: the image
// is done when its last row is, or when the zlib stream ends on a row
// boundary, the rows below staying zero) and load_end, which reads the
// chunks after the image and fails on what their handlers refuse.
// image/png differs on exactly those edges (IDAT CRCs and the Adler-32
// checksum are checked, trailing data refused, 16-bit grey with tRNS made
// 16-bit RGBA, an index past the palette read as black), so exactness with
// Pillow demands the port.

// Pillow's limits on text chunks (PngImagePlugin.MAX_TEXT_CHUNK and
// MAX_TEXT_MEMORY): one decompressed zTXt/iTXt/iCCP chunk, all text.
const (
	pngMaxTextChunk  = 1 << 20
	pngMaxTextMemory = 64 * pngMaxTextChunk
)

// pngModes is PngImagePlugin._MODES: (bit depth, colour type) → mode, raw mode.
var pngModes = map[[2]byte][2]string{
	{1, 0}: {"1", "1"}, {2, 0}: {"L", "L;2"}, {4, 0}: {"L", "L;4"}, {8, 0}: {"L", "L"}, {16, 0}: {"I", "I;16B"},
	{8, 2}: {"RGB", "RGB"}, {16, 2}: {"RGB", "RGB;16B"},
	{1, 3}: {"P", "P;1"}, {2, 3}: {"P", "P;2"}, {4, 3}: {"P", "P;4"}, {8, 3}: {"P", "P"},
	{8, 4}: {"LA", "LA"}, {16, 4}: {"RGBA", "LA;16B"},
	{8, 6}: {"RGBA", "RGBA"}, {16, 6}: {"RGBA", "RGBA;16B"},
}

// pngRawBits are the bits per pixel of the raw modes (Unpack.c's table).
var pngRawBits = map[string]int{
	"1": 1, "L;2": 2, "L;4": 4, "L": 8, "I;16B": 16, "RGB": 24, "RGB;16B": 48,
	"P;1": 1, "P;2": 2, "P;4": 4, "P": 8, "LA": 16, "LA;16B": 32, "RGBA": 32, "RGBA;16B": 64,
}

// Errors standing for the Python exceptions that steer the port.
var (
	// errPNGChunkEOF is the EOFError of chunk_IDAT and chunk_IEND: the
	// header part ends.
	errPNGChunkEOF = errors.New("end of the header chunks")
	// errPNGUnknownChunk is the AttributeError of a chunk without a
	// handler (or of IDAT before a usable IHDR).
	errPNGUnknownChunk = errors.New("unknown chunk")
)

// pngIdentify is an exception that makes Image.open give up on the file
// ("cannot identify image file") when raised while the headers are read.
func pngIdentify(format string, a ...any) error {
	return fmt.Errorf("%w (%s)", ErrUnknownFormat, fmt.Sprintf(format, a...))
}

// pngStream is PngStream's state, with the file position it reads from.
type pngStream struct {
	r             *byteReader
	mode, rawMode string // im_mode, im_rawmode ("" until an IHDR sets them)
	w, h          int64
	interlace     bool
	palette       []byte // im_palette's data, when set
	tile          *pngTile
	nFrames       int64 // im_n_frames; -1 for None
	seq           int64 // _seq_num; -1 for None
	bbox          *[4]int64
	defaultImage  bool
	textMemory    int64
	idatLen       int64
	inflate       *inflater // for text chunks, made on first use
	hasPalette    bool      // im_palette is set (a PLTE, maybe empty, in mode P)
	// transparentIndex: the last tRNS of a palette image named one fully
	// transparent index (info["transparency"] is an int, not bytes).
	transparentIndex bool
}

// pngTile is the image data's extent and where its first chunk's data is.
type pngTile struct {
	x0, y0, x1, y1 int64
	pos            int64
	rawMode        string
}

// decodePNG decodes a PNG (its first frame, for an APNG whose first frame
// is its default image) as Pillow 9.4 does.
func decodePNG(dst *pix.RGB8, data []byte, o DecodeOptions) (*pix.RGB8, Stage, error) {
	p := &pngStream{r: &byteReader{data: data, pos: 8}, nFrames: -1, seq: -1}
	defer func() {
		if p.inflate != nil {
			p.inflate.close()
		}
	}()
	prepareIDAT, animated, err := p.open()
	if err != nil {
		return nil, stageOf(err), fmt.Errorf("png: %w", err)
	}
	if p.w > math.MaxInt32 || p.h > math.MaxInt32 {
		return nil, StageLimit, fmt.Errorf("%w: image size %dx%d, over the pixel limit", ErrTooManyPixels, p.w, p.h)
	}
	if err := checkSize(int(p.w), int(p.h), o.maxPixels()); err != nil {
		return nil, StageLimit, err
	}
	img, err := p.load(dst, prepareIDAT, animated)
	if err != nil {
		return nil, stageOf(err), fmt.Errorf("png: %w", err)
	}
	return img, "", nil
}

// stageOf files the text-chunk limits under StageLimit, the rest under
// StageDecode.
func stageOf(err error) Stage {
	if errors.Is(err, ErrTextTooLarge) {
		return StageLimit
	}
	return StageDecode
}

// open is PngImageFile._open: the chunks up to the first IDAT (or fdAT),
// each handled and, but for that one, its CRC checked. It returns the
// length of image data in the first chunk and whether Pillow sees an
// animation.
func (p *pngStream) open() (prepareIDAT int64, animated bool, err error) {
	var cid string
	var pos, length int64
	for {
		cid, pos, length, err = p.readChunkHeader()
		if err != nil {
			return 0, false, err
		}
		s, err := p.call(cid, pos, length)
		if errors.Is(err, errPNGChunkEOF) {
			break
		}
		if errors.Is(err, errPNGUnknownChunk) {
			s, err = p.r.safeRead(length)
		}
		if err != nil {
			return 0, false, err
		}
		if err := p.checkCRC(cid, s); err != nil {
			return 0, false, err
		}
	}
	if p.mode == "" || p.w <= 0 || p.h <= 0 {
		return 0, false, pngIdentify("no usable IHDR: mode %q, size %dx%d", p.mode, p.w, p.h)
	}
	if p.tile == nil {
		return 0, false, fmt.Errorf("%w: cannot load this image (no image data)", ErrCorrupt)
	}
	prepareIDAT = length
	if cid == "fdAT" {
		prepareIDAT = length - 4
	}
	frames := int64(1)
	if p.nFrames > 0 {
		frames = p.nFrames
		if p.defaultImage {
			frames++
		}
	}
	return prepareIDAT, frames > 1, nil
}

// readChunkHeader is ChunkStream.read: a length and a four-character type.
func (p *pngStream) readChunkHeader() (cid string, pos, length int64, err error) {
	s := p.r.read(8)
	if len(s) < 4 {
		return "", 0, 0, pngIdentify("chunk header cut short")
	}
	cid = string(s[4:])
	if !isPNGChunkType(cid) {
		return "", 0, 0, pngIdentify("broken PNG file (chunk %q)", cid)
	}
	return cid, int64(p.r.pos), int64(binary.BigEndian.Uint32(s)), nil
}

// isPNGChunkType is is_cid: four word characters (Python's bytes \w).
func isPNGChunkType(cid string) bool {
	if len(cid) != 4 {
		return false
	}
	for i := 0; i < 4; i++ {
		c := cid[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// checkCRC is ChunkStream.crc.
func (p *pngStream) checkCRC(cid string, data []byte) error {
	s := p.r.read(4)
	if len(s) < 4 {
		return pngIdentify("broken PNG file (incomplete checksum in %q)", cid)
	}
	want := crc32.Update(crc32.ChecksumIEEE([]byte(cid)), crc32.IEEETable, data)
	if binary.BigEndian.Uint32(s) != want {
		return pngIdentify("broken PNG file (bad header checksum in %q)", cid)
	}
	return nil
}

// call runs the chunk's handler (PngStream.chunk_*), returning the chunk's
// data for the CRC check.
func (p *pngStream) call(cid string, pos, length int64) ([]byte, error) {
	switch cid {
	case "IDAT":
		return nil, p.chunkIDAT(pos, length)
	case "IEND":
		return nil, errPNGChunkEOF
	case "fdAT":
		if length < 4 {
			return nil, fmt.Errorf("%w: APNG contains truncated fDAT chunk", ErrCorrupt)
		}
		s, err := p.r.safeRead(4)
		if err != nil {
			return nil, err
		}
		seq := int64(binary.BigEndian.Uint32(s))
		if p.seq < 0 || p.seq != seq-1 { // None != seq - 1 always holds
			return nil, pngIdentify("APNG contains frame sequence errors")
		}
		p.seq = seq
		return nil, p.chunkIDAT(pos+4, length-4)
	}
	handler, ok := pngHandlers[cid]
	if !ok {
		return nil, errPNGUnknownChunk
	}
	s, err := p.r.safeRead(length)
	if err != nil {
		return nil, err
	}
	return s, handler(p, s)
}

// chunkIDAT is chunk_IDAT: the tile (the frame's bounding box when an fcTL
// came first), then the end of the header part.
func (p *pngStream) chunkIDAT(pos, length int64) error {
	if p.rawMode == "" {
		return errPNGUnknownChunk // self.im_rawmode does not exist yet
	}
	t := &pngTile{x0: 0, y0: 0, x1: p.w, y1: p.h, pos: pos, rawMode: p.rawMode}
	if p.bbox != nil {
		t.x0, t.y0, t.x1, t.y1 = p.bbox[0], p.bbox[1], p.bbox[2], p.bbox[3]
	} else if p.nFrames >= 0 {
		p.defaultImage = true
	}
	p.tile, p.idatLen = t, length
	return errPNGChunkEOF
}

// pngHandlers are the handlers that read their chunk whole first.
var pngHandlers = map[string]func(p *pngStream, s []byte) error{
	"IHDR": (*pngStream).chunkIHDR,
	"PLTE": func(p *pngStream, s []byte) error {
		if p.mode == "P" {
			p.palette, p.hasPalette = s, true
		}
		return nil
	},
	"tRNS": (*pngStream).chunkTRNS,
	"gAMA": func(p *pngStream, s []byte) error { return needBytes(s, 4, "gAMA") },
	"cHRM": func(p *pngStream, s []byte) error {
		if len(s)%4 != 0 {
			return pngIdentify("cHRM of %d bytes", len(s))
		}
		return nil
	},
	"sRGB": func(p *pngStream, s []byte) error {
		if len(s) < 1 {
			return fmt.Errorf("%w: truncated sRGB chunk", ErrCorrupt)
		}
		return nil
	},
	"pHYs": func(p *pngStream, s []byte) error {
		if len(s) < 9 {
			return fmt.Errorf("%w: truncated pHYs chunk", ErrCorrupt)
		}
		return nil
	},
	"tEXt": (*pngStream).chunkTEXt,
	"zTXt": (*pngStream).chunkZTXt,
	"iTXt": (*pngStream).chunkITXt,
	"iCCP": (*pngStream).chunkICCP,
	"eXIf": func(p *pngStream, s []byte) error { return nil },
	"acTL": (*pngStream).chunkACTL,
	"fcTL": (*pngStream).chunkFCTL,
}

// simplePNGTransparency is _simple_palette.match: one fully transparent
// entry among opaque ones (^\xff*\x00\xff*$, where $ also matches before
// a final newline).
func simplePNGTransparency(s []byte) bool {
	s = bytes.TrimSuffix(s, []byte{'\n'})
	zero := false
	for _, b := range s {
		switch {
		case b == 0 && !zero:
			zero = true
		case b != 0xFF:
			return false
		}
	}
	return zero
}

// needBytes is struct.unpack's demand for n bytes (struct.error otherwise).
func needBytes(s []byte, n int, chunk string) error {
	if len(s) < n {
		return pngIdentify("%s of %d bytes", chunk, len(s))
	}
	return nil
}

func (p *pngStream) chunkIHDR(s []byte) error {
	if len(s) < 13 {
		return fmt.Errorf("%w: truncated IHDR chunk", ErrCorrupt)
	}
	p.w, p.h = int64(binary.BigEndian.Uint32(s)), int64(binary.BigEndian.Uint32(s[4:]))
	if m, ok := pngModes[[2]byte{s[8], s[9]}]; ok {
		p.mode, p.rawMode = m[0], m[1]
	}
	if s[12] != 0 {
		p.interlace = true
	}
	if s[11] != 0 {
		return pngIdentify("unknown filter category")
	}
	return nil
}

func (p *pngStream) chunkTRNS(s []byte) error {
	switch p.mode {
	case "P":
		p.transparentIndex = simplePNGTransparency(s)
	case "1", "L", "I":
		return needBytes(s, 2, "tRNS")
	case "RGB":
		return needBytes(s, 6, "tRNS")
	}
	return nil
}

func (p *pngStream) chunkTEXt(s []byte) error {
	k, v, _ := bytes.Cut(s, []byte{0})
	if len(k) > 0 {
		return p.checkTextMemory(int64(len(v)))
	}
	return nil
}

func (p *pngStream) chunkZTXt(s []byte) error {
	k, v, _ := bytes.Cut(s, []byte{0})
	if len(v) > 0 && v[0] != 0 {
		return pngIdentify("unknown compression method %d in zTXt chunk", v[0])
	}
	var text int64
	if len(v) > 0 {
		n, ok, err := p.safeDecompress(v[1:])
		if err != nil {
			return err
		}
		if ok {
			text = n
		}
	}
	if len(k) > 0 {
		return p.checkTextMemory(text)
	}
	return nil
}

func (p *pngStream) chunkITXt(s []byte) error {
	_, r, found := bytes.Cut(s, []byte{0})
	if !found || len(r) < 2 {
		return nil
	}
	cf, cm, r := r[0], r[1], r[2:]
	lang, r, ok1 := bytes.Cut(r, []byte{0})
	tk, v, ok2 := bytes.Cut(r, []byte{0})
	if !ok1 || !ok2 {
		return nil
	}
	if cf != 0 {
		if cm != 0 {
			return nil
		}
		out, ok, err := p.decompressText(v)
		if err != nil || !ok {
			return err
		}
		v = out
	}
	if !utf8.Valid(lang) || !utf8.Valid(tk) || !utf8.Valid(v) {
		return nil
	}
	return p.checkTextMemory(int64(utf8.RuneCount(v)))
}

func (p *pngStream) chunkICCP(s []byte) error {
	i := bytes.IndexByte(s, 0)
	if i < 0 {
		// s[-1]: the last byte, or an IndexError when there is none.
		if len(s) == 0 {
			return pngIdentify("empty iCCP chunk")
		}
		i = len(s) - 1
	}
	if s[i] != 0 {
		return pngIdentify("unknown compression method %d in iCCP chunk", s[i])
	}
	var rest []byte
	if i+2 <= len(s) {
		rest = s[i+2:]
	}
	_, _, err := p.safeDecompress(rest)
	return err
}

func (p *pngStream) chunkACTL(s []byte) error {
	if len(s) < 8 {
		return fmt.Errorf("%w: APNG contains truncated acTL chunk", ErrCorrupt)
	}
	if p.nFrames >= 0 {
		p.nFrames = -1 // "Invalid APNG, will use default PNG image if possible"
		return nil
	}
	if n := int64(binary.BigEndian.Uint32(s)); n != 0 && n <= 0x80000000 {
		p.nFrames = n
	}
	return nil
}

func (p *pngStream) chunkFCTL(s []byte) error {
	if len(s) < 26 {
		return fmt.Errorf("%w: APNG contains truncated fcTL chunk", ErrCorrupt)
	}
	seq := int64(binary.BigEndian.Uint32(s))
	if p.seq < 0 && seq != 0 || p.seq >= 0 && p.seq != seq-1 {
		return pngIdentify("APNG contains frame sequence errors")
	}
	p.seq = seq
	w, h := int64(binary.BigEndian.Uint32(s[4:])), int64(binary.BigEndian.Uint32(s[8:]))
	px, py := int64(binary.BigEndian.Uint32(s[12:])), int64(binary.BigEndian.Uint32(s[16:]))
	if px+w > p.w || py+h > p.h {
		return pngIdentify("APNG contains invalid frames")
	}
	p.bbox = &[4]int64{px, py, px + w, py + h}
	return nil
}

// checkTextMemory is PngStream.check_text_memory.
func (p *pngStream) checkTextMemory(n int64) error {
	p.textMemory += n
	if p.textMemory > pngMaxTextMemory {
		return fmt.Errorf("%w: too much memory used in text chunks: %d > %d", ErrTextTooLarge, p.textMemory, pngMaxTextMemory)
	}
	return nil
}

// safeDecompress is _safe_zlib_decompress as its callers use it: the
// decompressed size, ok false where zlib fails (the callers then drop the
// text), and ErrTextTooLarge ("Decompressed Data Too Large") where the
// data would decompress to more than MAX_TEXT_CHUNK bytes.
func (p *pngStream) safeDecompress(in []byte) (n int64, ok bool, err error) {
	out, ok, err := p.decompressText(in)
	return int64(len(out)), ok, err
}

// decompressText follows CPython's zlib decompressobj().decompress(in,
// MAX_TEXT_CHUNK): inflate with Z_SYNC_FLUSH into an output buffer that
// grows to the limit, until the output stops filling it (the input is used
// up) or the stream ends. Input left over when the output reaches the
// limit is the "unconsumed tail" that _safe_zlib_decompress refuses; a
// zlib error is ok false, the text dropped.
func (p *pngStream) decompressText(in []byte) (out []byte, ok bool, err error) {
	f, err := newInflater()
	if err != nil {
		return nil, false, err
	}
	defer f.close()
	out = make([]byte, 0, 16<<10)
	for {
		limit := min(cap(out), pngMaxTextChunk)
		if len(out) == limit {
			if limit == pngMaxTextChunk {
				if len(in) > 0 {
					return nil, false, fmt.Errorf("%w: a text chunk decompresses to more than %d bytes", ErrTextTooLarge, pngMaxTextChunk)
				}
				return out, true, nil
			}
			out = slices.Grow(out, min(2*cap(out), pngMaxTextChunk)-len(out))
			limit = min(cap(out), pngMaxTextChunk)
		}
		code, used, made := f.inflate(in, out[len(out):limit], true)
		in, out = in[used:], out[:len(out)+made]
		switch code {
		case zStreamEnd:
			return out, true, nil
		case zOK, zBufError:
		default:
			return nil, false, nil
		}
		if len(out) < limit {
			return out, true, nil
		}
	}
}

// load is ImageFile.load for the PNG tile: load_prepare (the palette),
// the zip decoder fed by load_read, then load_end.
func (p *pngStream) load(dst *pix.RGB8, prepareIDAT int64, animated bool) (*pix.RGB8, error) {
	t := p.tile
	w, h := int(p.w), int(p.h)
	pal := greyRamp()
	if p.mode == "P" && p.palette != nil {
		n := len(p.palette) / 3
		if n > 256 {
			return nil, fmt.Errorf("%w: invalid palette size (%d entries)", ErrCorrupt, n)
		}
		for i := 0; i < n; i++ {
			pal[i] = [3]byte{p.palette[3*i], p.palette[3*i+1], p.palette[3*i+2]}
		}
	}
	unpack, bits := pngUnpacker(t.rawMode, pal), pngRawBits[t.rawMode]
	if unpack == nil || bits == 0 {
		return nil, fmt.Errorf("%w: raw mode %s", ErrUnsupported, t.rawMode)
	}
	z := &zipDecoder{interlaced: p.interlace, bits: bits, unpack: unpack}
	// decode.c's setimage: an extent with x0 == x1 == 0 is the whole image.
	if t.x0 == 0 && t.x1 == 0 {
		z.xsize, z.ysize = w, h
	} else {
		z.xoff, z.yoff, z.xsize, z.ysize = int(t.x0), int(t.y0), int(t.x1-t.x0), int(t.y1-t.y0)
	}
	if z.xsize <= 0 || z.xoff+z.xsize > w || z.ysize <= 0 || z.yoff+z.ysize > h {
		return nil, fmt.Errorf("%w: tile cannot extend outside image", ErrCorrupt)
	}
	if z.xsize > math.MaxInt32/bits-7 {
		return nil, fmt.Errorf("%w: %d pixels wide", ErrUnsupported, z.xsize)
	}
	// A new image is zeros: index 0 for P, black otherwise.
	dst = pix.Reuse(dst, w, h)
	zero := [3]byte{}
	if p.mode == "P" {
		zero = pal[0]
	}
	for i := 0; i < len(dst.Pix); i += 3 {
		dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2] = zero[0], zero[1], zero[2]
	}
	z.img = dst
	defer z.close()

	p.r.pos = int(min(t.pos, int64(len(p.r.data))))
	idat := prepareIDAT
	// loadRead is PngImageFile.load_read(65536).
	loadRead := func() ([]byte, error) {
		for idat == 0 {
			p.r.read(4) // CRC, not checked
			left := len(p.r.data) - p.r.pos
			cid, pos, length, err := p.readChunkHeader()
			if err != nil {
				if left < 4 { // struct.error: ImageFile.load says truncated
					return nil, fmt.Errorf("%w: the image data ends early", ErrTruncated)
				}
				return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
			}
			switch cid {
			case "IDAT", "DDAT":
				idat = length
			case "fdAT":
				if _, err := p.call(cid, pos, length); err != nil && !errors.Is(err, errPNGChunkEOF) && !errors.Is(err, errPNGUnknownChunk) {
					return nil, err
				}
				idat = length - 4
			default:
				return nil, nil
			}
		}
		n := min(65536, idat)
		idat -= n
		return p.r.read(int(n)), nil
	}
	var buf []byte
	for {
		s, err := loadRead()
		if err != nil {
			return nil, err
		}
		if len(s) == 0 {
			return nil, fmt.Errorf("%w (%d bytes not processed)", ErrTruncated, len(buf))
		}
		buf = append(buf, s...)
		done, err := z.decode(buf)
		if err != nil {
			return nil, err
		}
		if done {
			break
		}
		buf = buf[:0]
	}
	hasPalette := p.hasPalette // self.palette is fixed when _open ends
	if err := p.loadEnd(idat, animated); err != nil {
		return nil, err
	}
	if p.mode == "P" && !hasPalette && p.transparentIndex {
		// convert('RGB') puts self.palette (None) on a one-pixel image to
		// convert the transparent index, and raises a TypeError.
		return nil, fmt.Errorf("%w: a palette image with a transparent index but no palette", ErrCorrupt)
	}
	return dst, nil
}

// loadEnd is PngImageFile.load_end: the rest of the current chunk, then
// every chunk to IEND (or the next frame's fcTL in an animation) through
// its handler; the handlers' refusals fail the image.
func (p *pngStream) loadEnd(idat int64, animated bool) error {
	if idat != 0 {
		p.r.read(int(min(idat, math.MaxInt32)))
	}
	for {
		p.r.read(4) // CRC, not checked
		cid, pos, length, err := p.readChunkHeader()
		if err != nil {
			return nil // struct.error or SyntaxError: stop reading
		}
		if cid == "IEND" || cid == "fcTL" && animated {
			return nil
		}
		_, err = p.call(cid, pos, length)
		switch {
		case errors.Is(err, errPNGChunkEOF):
			if cid == "fdAT" {
				length -= 4
			}
			_, err = p.r.safeRead(length)
		case errors.Is(err, errPNGUnknownChunk):
			_, err = p.r.safeRead(length)
		}
		if err != nil {
			return err
		}
	}
}

// zipDecoder is ZipDecode.c for PNG data: inflate row by row, undo the
// filters, and unpack each row (or, interlaced, each pixel) into the image.
type zipDecoder struct {
	f                        *inflater
	interlaced               bool
	bits                     int
	unpack                   func(out, in []byte, n int)
	img                      *pix.RGB8
	xoff, yoff, xsize, ysize int
	started                  bool
	bytes                    int
	buffer, previous         []byte
	lastOutput               int
	pass, y                  int
}

var (
	adam7Offset   = [7]int{7, 3, 3, 1, 1, 0, 0}
	adam7StartCol = [7]int{0, 4, 0, 2, 0, 1, 0}
	adam7StartRow = [7]int{0, 0, 4, 0, 2, 0, 1}
	adam7ColInc   = [7]int{8, 8, 4, 4, 2, 2, 1}
	adam7RowInc   = [7]int{8, 8, 8, 4, 4, 2, 2}
)

func (z *zipDecoder) close() {
	if z.f != nil {
		z.f.close()
	}
}

func (z *zipDecoder) rowLen(pass int) int {
	n := (z.xsize + adam7Offset[pass]) / adam7ColInc[pass]
	return (n*z.bits + 7) / 8
}

// decode is ImagingZipDecode over buf (which it consumes whole): done is
// its -1 return, the image complete or the stream ended on a row boundary.
func (z *zipDecoder) decode(buf []byte) (done bool, err error) {
	if !z.started {
		z.bytes = (z.bits*z.xsize + 7) / 8
		if z.bytes > math.MaxInt32-1 {
			return false, fmt.Errorf("%w: rows too long", ErrUnsupported)
		}
		z.buffer, z.previous = make([]byte, z.bytes+1), make([]byte, z.bytes+1)
		if z.f, err = newInflater(); err != nil {
			return false, err
		}
		if z.interlaced {
			z.pass, z.y = 0, adam7StartRow[0]
		}
		z.started = true
	}
	rowLen := z.bytes
	if z.interlaced {
		rowLen = z.rowLen(z.pass)
	}
	bpp := (z.bits + 7) / 8
	in := buf
	for len(in) > 0 {
		code, used, made := z.f.inflate(in, z.buffer[z.lastOutput:rowLen+1], false)
		in = in[used:]
		if code < 0 { // Z_BUF_ERROR included, as in ZipDecode.c
			switch code {
			case zDataError:
				return false, fmt.Errorf("%w: broken data stream", ErrCorrupt)
			case zMemError:
				return false, fmt.Errorf("%w: out of memory in zlib", ErrCorrupt)
			}
			return false, fmt.Errorf("%w: zlib error %d (bad configuration)", ErrCorrupt, code)
		}
		n := z.lastOutput + made
		if n < rowLen+1 {
			z.lastOutput = n
			break // more input needed
		}
		row := z.buffer
		switch row[0] {
		case 0:
		case 1: // sub
			for i := bpp + 1; i <= rowLen; i++ {
				row[i] += row[i-bpp]
			}
		case 2: // up
			for i := 1; i <= rowLen; i++ {
				row[i] += z.previous[i]
			}
		case 3: // average
			i := 1
			for ; i <= bpp && i <= rowLen; i++ {
				row[i] += z.previous[i] / 2
			}
			for ; i <= rowLen; i++ {
				row[i] += byte((int(row[i-bpp]) + int(z.previous[i])) / 2)
			}
		case 4: // Paeth
			i := 1
			for ; i <= bpp && i <= rowLen; i++ {
				row[i] += z.previous[i]
			}
			for ; i <= rowLen; i++ {
				a, b, c := int(row[i-bpp]), int(z.previous[i]), int(z.previous[i-bpp])
				pa, pb, pc := abs(b-c), abs(a-c), abs(a+b-2*c)
				switch {
				case pa <= pb && pa <= pc:
					row[i] += byte(a)
				case pb <= pc:
					row[i] += byte(b)
				default:
					row[i] += byte(c)
				}
			}
		default:
			return false, fmt.Errorf("%w: unknown PNG filter type %d", ErrCorrupt, row[0])
		}
		if z.interlaced {
			col := adam7StartCol[z.pass]
			out := z.img.Row(z.y)
			if z.bits >= 8 {
				for i := 0; i < rowLen; i += bpp {
					z.unpack(out[3*col:], row[1+i:], 1)
					col += adam7ColInc[z.pass]
				}
			} else {
				rowBits := (z.xsize + adam7Offset[z.pass]) / adam7ColInc[z.pass] * z.bits
				for i := 0; i < rowBits; i += z.bits {
					b := [1]byte{row[1+i/8] << (i % 8)}
					z.unpack(out[3*col:], b[:], 1)
					col += adam7ColInc[z.pass]
				}
			}
			z.y += adam7RowInc[z.pass]
			for z.y >= z.ysize || rowLen <= 0 {
				z.pass++
				if z.pass == 7 {
					z.y = z.ysize
					break
				}
				z.y = adam7StartRow[z.pass]
				rowLen = z.rowLen(z.pass)
				clear(z.buffer)
			}
		} else {
			z.unpack(z.img.Row(z.y + z.yoff)[3*z.xoff:], row[1:], z.xsize)
			z.y++
		}
		z.lastOutput = 0
		if z.y >= z.ysize || code == zStreamEnd {
			return true, nil
		}
		z.buffer, z.previous = z.previous, z.buffer
	}
	return false, nil
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// pngUnpacker returns the Unpack.c unpacker for a PNG raw mode fused with
// convert('RGB'): n pixels from in to packed RGB at out.
func pngUnpacker(rawMode string, pal *[256][3]byte) func(out, in []byte, n int) {
	grey := func(scale, bits int) func(out, in []byte, n int) {
		return func(out, in []byte, n int) {
			for x := 0; x < n; x++ {
				bit := x * bits
				v := byte(int(in[bit>>3]>>(8-bits-bit&7)&(1<<bits-1)) * scale)
				out[3*x], out[3*x+1], out[3*x+2] = v, v, v
			}
		}
	}
	index := func(bits int) func(out, in []byte, n int) {
		return func(out, in []byte, n int) {
			for x := 0; x < n; x++ {
				bit := x * bits
				copy(out[3*x:3*x+3], pal[in[bit>>3]>>(8-bits-bit&7)&(1<<bits-1)][:])
			}
		}
	}
	channels := func(size, r, g, b int) func(out, in []byte, n int) {
		return func(out, in []byte, n int) {
			for x := 0; x < n; x++ {
				p := in[size*x:]
				out[3*x], out[3*x+1], out[3*x+2] = p[r], p[g], p[b]
			}
		}
	}
	switch rawMode {
	case "1":
		return grey(255, 1)
	case "L;2":
		return grey(0x55, 2)
	case "L;4":
		return grey(0x11, 4)
	case "L":
		return grey(1, 8)
	case "I;16B": // mode I; convert('RGB') clips at 255
		return func(out, in []byte, n int) {
			for x := 0; x < n; x++ {
				v := byte(min(int(in[2*x])<<8|int(in[2*x+1]), 255))
				out[3*x], out[3*x+1], out[3*x+2] = v, v, v
			}
		}
	case "RGB":
		return channels(3, 0, 1, 2)
	case "RGB;16B":
		return channels(6, 0, 2, 4)
	case "P;1":
		return index(1)
	case "P;2":
		return index(2)
	case "P;4":
		return index(4)
	case "P":
		return index(8)
	case "LA":
		return channels(2, 0, 0, 0)
	case "LA;16B":
		return channels(4, 0, 0, 0)
	case "RGBA":
		return channels(4, 0, 1, 2)
	case "RGBA;16B":
		return channels(8, 0, 2, 4)
	}
	return nil // unreachable: pngModes and this switch list the same raw modes
}
