package preprocess

import (
	"bytes"
	"fmt"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// GIF decoding, hand-written as a port of what Pillow 9.4 does for
// Image.open(f).convert('RGB'): GifImagePlugin.py's _open and _seek(0)
// (blocks, palettes, a first frame larger than the screen growing the
// image), its load_prepare (the image starts as the transparent index, else
// index 0), ImageFile.load feeding GifDecode.c in 64 KiB reads, the LZW
// decoder itself, and convert('RGB') through the palette (which keeps the
// colour under the transparent index). image/gif differs on all of these:
// it blanks the transparent colour, returns the frame's own bounds, refuses
// code sizes over 8 and files without a colour table, and ends a short LZW
// stream where Pillow reads on. Exactness with Pillow demands the port.

// gifFrame is what _open learns about the first frame.
type gifFrame struct {
	w, h           int    // the image size (the screen, grown to hold the frame)
	x0, y0, x1, y1 int    // the frame's extent
	interlace      bool   // rows stored in four passes
	codeSize       int    // LZW minimum code size
	offset         int    // where the LZW sub-blocks start
	transparency   int    // the transparent index, or -1
	palette        []byte // RGB triples in effect; nil: grey
}

// decodeGIF decodes a GIF's first frame as Pillow 9.4 does.
func decodeGIF(dst *pix.RGB8, data []byte, o DecodeOptions) (*pix.RGB8, Stage, error) {
	f, err := openGIF(data)
	if err != nil {
		return nil, StageDecode, fmt.Errorf("gif: %w", err)
	}
	if err := checkSize(f.w, f.h, o.maxPixels()); err != nil {
		return nil, StageLimit, err
	}
	idx := make([]byte, f.w*f.h)
	if f.transparency >= 0 {
		for i := range idx {
			idx[i] = byte(f.transparency)
		}
	}
	if err := f.decodeLZW(idx, data); err != nil {
		return nil, StageDecode, fmt.Errorf("gif: %w", err)
	}
	pal := greyRamp()
	for i := 0; i < len(f.palette)/3; i++ {
		pal[i] = [3]byte{f.palette[3*i], f.palette[3*i+1], f.palette[3*i+2]}
	}
	dst = pix.Reuse(dst, f.w, f.h)
	for y := 0; y < f.h; y++ {
		row := dst.Row(y)
		for x, v := range idx[y*f.w : (y+1)*f.w] {
			copy(row[3*x:3*x+3], pal[v][:])
		}
	}
	return dst, "", nil
}

// errGIFIdentify is what makes Pillow's Image.open give up on a GIF
// ("cannot identify image file"): a SyntaxError, IndexError, TypeError or
// struct.error raised while reading the headers.
func errGIFIdentify(what string) error {
	return fmt.Errorf("%w (%s)", ErrUnknownFormat, what)
}

// openGIF reads the headers up to the first frame's image data as
// GifImagePlugin's _open and _seek(0) do, refusing what they refuse.
func openGIF(data []byte) (*gifFrame, error) {
	r := &byteReader{data: data}
	s := r.read(13)
	if len(s) < 13 {
		return nil, errGIFIdentify("short screen descriptor")
	}
	f := &gifFrame{w: int(le16(s[6:])), h: int(le16(s[8:])), transparency: -1}
	var global []byte
	if flags := s[10]; flags&128 != 0 {
		p := r.read(3 << (flags&7 + 1))
		needed, err := gifPaletteNeeded(p)
		if err != nil {
			return nil, err
		}
		if needed {
			global = p
		}
	}
	// subBlock is GifImageFile.data(): a length byte, then that many bytes
	// (fewer at the end of the file); none (Python's None) for a zero
	// length or at the end. Python treats None and b"" alike as false, but
	// only None raises a TypeError when indexed.
	subBlock := func() (block []byte, none bool) {
		n := r.read(1)
		if len(n) == 0 || n[0] == 0 {
			return nil, true
		}
		return r.read(int(n[0])), false
	}
	skipSubBlocks := func() {
		for b, _ := subBlock(); len(b) > 0; b, _ = subBlock() {
		}
	}
	s = r.read(1)
	if len(s) == 0 || s[0] == ';' {
		return nil, fmt.Errorf("%w: no image in the file", ErrCorrupt)
	}
	var local []byte
	found := false
	for {
		if s == nil {
			s = r.read(1)
		}
		if len(s) == 0 || s[0] == ';' {
			break
		}
		switch s[0] {
		case '!': // extension
			label := r.read(1)
			block, none := subBlock()
			if len(label) == 0 {
				return nil, errGIFIdentify("extension without a label")
			}
			switch label[0] {
			case 249: // graphic control
				if len(block) < 1 || block[0]&1 != 0 && len(block) < 4 {
					return nil, errGIFIdentify("short graphic control extension")
				}
				if block[0]&1 != 0 {
					f.transparency = int(block[3])
				}
				if len(block) < 3 {
					return nil, errGIFIdentify("short graphic control extension")
				}
			case 254: // comment: its sub-blocks are read to the end here
				for len(block) > 0 {
					block, _ = subBlock()
				}
				s = nil
				continue
			case 255: // application
				if none {
					return nil, errGIFIdentify("empty application extension")
				}
				if bytes.HasPrefix(block, []byte("NETSCAPE2.0")) {
					if _, none := subBlock(); none {
						return nil, errGIFIdentify("empty NETSCAPE2.0 loop block")
					}
				}
			}
			skipSubBlocks()
		case ',': // image descriptor
			d := r.read(9)
			if len(d) < 9 {
				return nil, errGIFIdentify("short image descriptor")
			}
			f.x0, f.y0 = int(le16(d[0:])), int(le16(d[2:]))
			f.x1, f.y1 = f.x0+int(le16(d[4:])), f.y0+int(le16(d[6:]))
			f.w, f.h = max(f.w, f.x1), max(f.h, f.y1)
			f.interlace = d[8]&64 != 0
			local = nil
			if d[8]&128 != 0 {
				p := r.read(3 << (d[8]&7 + 1))
				needed, err := gifPaletteNeeded(p)
				if err != nil {
					return nil, err
				}
				if needed {
					local = p
				}
			}
			cs := r.read(1)
			if len(cs) == 0 {
				return nil, errGIFIdentify("no LZW code size")
			}
			f.codeSize, f.offset, found = int(cs[0]), r.pos, true
		}
		if found {
			break
		}
		s = nil
	}
	if !found {
		return nil, fmt.Errorf("%w: no image in the file", ErrCorrupt)
	}
	// The frame's colours: its own palette unless that is a grey ramp,
	// else the global one unless that is a grey ramp, else grey.
	f.palette = local
	if f.palette == nil {
		f.palette = global
	}
	return f, nil
}

// gifPaletteNeeded is GifImageFile._is_palette_needed: whether the colour
// table is not the grey ramp 0, 1, 2, … Its chained comparison reads past
// a table cut mid-entry only when the entry's first values match, and the
// IndexError then makes Pillow give up on the file.
func gifPaletteNeeded(p []byte) (bool, error) {
	for i := 0; i < len(p); i += 3 {
		if int(p[i]) != i/3 {
			return true, nil
		}
		if i+1 >= len(p) {
			return false, errGIFIdentify("colour table cut mid-entry")
		}
		if p[i] != p[i+1] {
			return true, nil
		}
		if i+2 >= len(p) {
			return false, errGIFIdentify("colour table cut mid-entry")
		}
		if p[i+1] != p[i+2] {
			return true, nil
		}
	}
	return false, nil
}

// decodeLZW writes the frame's indices into idx (the whole image, w×h) as
// ImageFile.load drives GifDecode.c: 64 KiB reads from the data's start,
// each appended to what the decoder left; a read at the end of the file
// before the decoder is done is Pillow's "image file is truncated".
func (f *gifFrame) decodeLZW(idx []byte, data []byte) error {
	d := &gifLZW{bits: f.codeSize, interlace: f.interlace, img: idx, stride: f.w}
	// decode.c's setimage: an extent with x0 == x1 == 0 means the whole image.
	if f.x0 == 0 && f.x1 == 0 {
		d.xsize, d.ysize = f.w, f.h
	} else {
		d.xoff, d.yoff, d.xsize, d.ysize = f.x0, f.y0, f.x1-f.x0, f.y1-f.y0
	}
	if d.xsize <= 0 || d.xoff+d.xsize > f.w || d.ysize <= 0 || d.yoff+d.ysize > f.h {
		return fmt.Errorf("%w: tile cannot extend outside image (frame %d,%d to %d,%d in %dx%d)", ErrCorrupt, f.x0, f.y0, f.x1, f.y1, f.w, f.h)
	}
	const readSize = 65536 // ImageFile.MAXBLOCK
	pos := f.offset
	var buf []byte
	for {
		if pos >= len(data) {
			return fmt.Errorf("%w (%d bytes not processed)", ErrTruncated, len(buf))
		}
		end := min(pos+readSize, len(data))
		buf = append(buf, data[pos:end]...)
		pos = end
		n, err := d.decode(buf)
		if err != nil {
			return err
		}
		if n < 0 {
			return nil
		}
		buf = buf[n:]
	}
}

// GifDecode.c's sizes: 12-bit codes, a 4096-entry table and string buffer.
const (
	gifBits   = 12
	gifTable  = 1 << gifBits
	gifBuffer = 1 << gifBits
)

// gifLZW is GifDecode.c's GIFDECODERSTATE with the codec state it uses.
type gifLZW struct {
	// configuration
	bits      int
	interlace bool
	// the image and the tile
	img                      []byte
	stride                   int
	xoff, yoff, xsize, ysize int
	x, y                     int
	state                    int
	pass, step               int
	one                      [1]byte // a one-pixel string
	bitbuffer, bitcount      int
	blocksize                int
	codesize, codemask       int
	clear, end               int
	lastcode                 int
	lastdata                 byte
	bufferindex              int
	buffer                   [gifBuffer]byte
	link                     [gifTable]uint16
	data                     [gifTable]byte
	next                     int
}

// newline is GifDecode.c's NEWLINE: the next row, through the interlace
// passes; false when the image is complete.
func (d *gifLZW) newline() bool {
	d.x = 0
	d.y += d.step
	for d.y >= d.ysize {
		switch d.pass {
		case 1:
			d.y, d.pass = 4, 2
		case 2:
			d.step, d.y, d.pass = 4, 2, 3
		case 3:
			d.step, d.y, d.pass = 2, 1, 0
		default:
			return false
		}
	}
	return true
}

// decode is ImagingGifDecode over buf: the bytes consumed (the decoder
// waits for whole sub-blocks), or -1 when the image is complete.
func (d *gifLZW) decode(buf []byte) (int, error) {
	broken := fmt.Errorf("%w: broken LZW data", ErrCorrupt)
	if d.state == 0 {
		if d.bits < 0 || d.bits > 12 {
			return -1, fmt.Errorf("%w: LZW code size %d (bad configuration)", ErrCorrupt, d.bits)
		}
		d.clear = 1 << d.bits
		d.end = d.clear + 1
		if d.interlace {
			d.pass, d.step = 1, 8
		} else {
			d.step = 1
		}
		d.state = 1
	}
	ptr := 0
	for {
		if d.state == 1 {
			d.next = d.clear + 2
			d.codesize = d.bits + 1
			d.codemask = 1<<d.codesize - 1
			d.bufferindex = gifBuffer
			d.state = 2
		}
		var p []byte
		if d.bufferindex < gifBuffer {
			// The rest of the string, in one piece.
			p = d.buffer[d.bufferindex:]
			d.bufferindex = gifBuffer
		} else {
			for d.bitcount < d.codesize {
				if d.blocksize > 0 {
					c := buf[ptr]
					ptr++
					d.blocksize--
					d.bitbuffer |= int(c) << d.bitcount
					d.bitcount += 8
				} else {
					// A new sub-block, only once all of it is here.
					if ptr >= len(buf) {
						return ptr, nil
					}
					c := int(buf[ptr])
					if len(buf)-ptr < c+1 {
						return ptr, nil
					}
					d.blocksize = c
					ptr++
				}
			}
			c := d.bitbuffer & d.codemask
			d.bitbuffer >>= d.codesize
			d.bitcount -= d.codesize
			if c == d.clear {
				if d.state != 2 {
					d.state = 1
				}
				continue
			}
			if c == d.end {
				return ptr, nil
			}
			if d.state == 2 {
				if c > d.clear {
					return -1, broken
				}
				d.lastcode, d.lastdata = c, byte(c)
				d.state = 3
			} else {
				thiscode := c
				if c > d.next {
					return -1, broken
				}
				if c == d.next {
					if d.bufferindex <= 0 {
						return -1, broken
					}
					d.bufferindex--
					d.buffer[d.bufferindex] = d.lastdata
					c = d.lastcode
				}
				for c >= d.clear {
					if d.bufferindex <= 0 || c >= gifTable {
						return -1, broken
					}
					d.bufferindex--
					d.buffer[d.bufferindex] = d.data[c]
					c = int(d.link[c])
				}
				d.lastdata = byte(c)
				if d.next < gifTable {
					d.data[d.next] = byte(c)
					d.link[d.next] = uint16(d.lastcode)
					if d.next == d.codemask && d.codesize < gifBits {
						d.codesize++
						d.codemask = 1<<d.codesize - 1
					}
					d.next++
				}
				d.lastcode = thiscode
			}
			d.one[0] = d.lastdata
			p = d.one[:]
		}
		if d.y >= d.ysize {
			return -1, fmt.Errorf("%w: LZW data overruns the image", ErrCorrupt)
		}
		// Frame 0 has no transparency skip: every index is written.
		for _, v := range p {
			d.img[(d.y+d.yoff)*d.stride+d.xoff+d.x] = v
			d.x++
			if d.x >= d.xsize && !d.newline() {
				return -1, nil
			}
		}
	}
}
