package preprocess

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
)

// Pillow reads a JPEG's markers itself before libjpeg sees the file
// (JpegImagePlugin._open up to the first SOS, then jpeg_factory's MP index
// for MPO files), and some files that libjpeg decodes fail there: Image.open
// "cannot identify" them when that Python code raises an IndexError or a
// struct.error on odd metadata, such as an EXIF block too short for its
// TIFF header when the JFIF header gives no DPI (truncated_exif_dpi.jpg in
// Pillow's test suite). checkJPEGHeaders is a port of that code, reduced to
// what decides whether it raises, so that imagenetx refuses what Pillow
// refuses; the pixels stay libjpeg's. Where Pillow's reason is the end of
// the file, the error says truncated.

// errJPEGIdentify is an exception that makes Image.open give up on a JPEG.
func errJPEGIdentify(format string, a ...any) error {
	return fmt.Errorf("jpeg: %w (%s)", ErrUnknownFormat, fmt.Sprintf(format, a...))
}

// jpegHeaders is the state JpegImagePlugin's marker handlers keep.
type jpegHeaders struct {
	r       *byteReader
	hasDPI  bool   // info["dpi"] is set
	exif    []byte // info["exif"]: the first APP1 Exif block
	mp      []byte // info["mp"]: the last APP2 MPF block, after "MPF\0"
	hasMP   bool
	iccList [][]byte
}

// checkJPEGHeaders walks the markers as JpegImagePlugin._open does and
// reads the MP index as jpeg_factory does, failing where they raise.
func checkJPEGHeaders(data []byte) error {
	h := &jpegHeaders{r: &byteReader{data: data, pos: 3}}
	s := []byte{0xFF}
	for {
		if len(s) == 0 {
			return fmt.Errorf("jpeg: %w (no start of scan before the end of the file)", ErrTruncated)
		}
		if s[0] != 0xFF {
			s = h.r.read(1) // junk between markers
			continue
		}
		s = append(s, h.r.read(1)...)
		if len(s) < 2 {
			return fmt.Errorf("jpeg: %w (the file ends in a marker)", ErrTruncated)
		}
		marker := int(s[0])<<8 | int(s[1])
		switch {
		case marker >= 0xFFC0 && marker <= 0xFFFE: // JpegImagePlugin.MARKER
			if err := h.handle(marker); err != nil {
				return err
			}
			if marker == 0xFFDA { // start of scan: the header part ends
				return h.checkMP()
			}
			s = h.r.read(1)
		case marker == 0xFFFF:
			s = []byte{0xFF}
		case marker == 0xFF00:
			s = h.r.read(1)
		default:
			return errJPEGIdentify("no marker found")
		}
	}
}

// segment reads a marker segment's length and payload (Skip and the
// handlers' first lines): struct.error when the length is cut, "Truncated
// File Read" when the payload is.
func (h *jpegHeaders) segment() ([]byte, error) {
	l := h.r.read(2)
	if len(l) < 2 {
		return nil, fmt.Errorf("jpeg: %w (a segment length cut short)", ErrTruncated)
	}
	n := int64(binary.BigEndian.Uint16(l)) - 2
	s, err := h.r.safeRead(n)
	if err != nil {
		return nil, fmt.Errorf("jpeg: %w", err)
	}
	return s, nil
}

// handle runs the marker's handler.
func (h *jpegHeaders) handle(marker int) error {
	switch {
	case marker == 0xFFC4, marker == 0xFFCC, marker == 0xFFDA, marker == 0xFFDC, marker == 0xFFDD, marker == 0xFFDF, marker == 0xFFFE:
		_, err := h.segment() // Skip, COM
		return err
	case marker == 0xFFDB:
		return h.dqt()
	case marker >= 0xFFE0 && marker <= 0xFFEF:
		return h.app(marker)
	case marker >= 0xFFC0 && marker <= 0xFFCF && marker != 0xFFC8, marker == 0xFFDE:
		return h.sof()
	}
	return nil // JPG, RST0-7, SOI, EOI, JPG0-13: no handler
}

func (h *jpegHeaders) dqt() error {
	s, err := h.segment()
	if err != nil {
		return err
	}
	for len(s) > 0 {
		n := 1 + 64
		if s[0]/16 != 0 {
			n = 1 + 128
		}
		if len(s) < n {
			return errJPEGIdentify("bad quantization table marker")
		}
		s = s[n:]
	}
	return nil
}

func (h *jpegHeaders) sof() error {
	s, err := h.segment()
	if err != nil {
		return err
	}
	if len(s) < 5 {
		return errJPEGIdentify("SOF segment of %d bytes", len(s))
	}
	if s[0] != 8 {
		return errJPEGIdentify("cannot handle %d-bit layers", s[0])
	}
	if len(s) < 6 {
		return errJPEGIdentify("SOF segment of %d bytes", len(s))
	}
	if l := s[5]; l != 1 && l != 3 && l != 4 {
		return errJPEGIdentify("cannot handle %d-layer images", l)
	}
	if len(h.iccList) > 0 {
		slices.SortFunc(h.iccList, bytes.Compare)
		if len(h.iccList[0]) < 14 {
			return errJPEGIdentify("ICC profile chunk of %d bytes", len(h.iccList[0]))
		}
		h.iccList = nil
	}
	if (len(s)-6)%3 != 0 {
		return errJPEGIdentify("component list cut short")
	}
	return nil
}

func (h *jpegHeaders) app(marker int) error {
	s, err := h.segment()
	if err != nil {
		return err
	}
	switch {
	case marker == 0xFFE0 && bytes.HasPrefix(s, []byte("JFIF")):
		if len(s) < 7 {
			return errJPEGIdentify("JFIF segment of %d bytes", len(s))
		}
		if len(s) >= 12 && s[7] == 1 {
			h.hasDPI = true
		}
	case marker == 0xFFE1 && bytes.HasPrefix(s, []byte("Exif\x00")):
		if h.exif == nil {
			h.exif = s
		}
	case marker == 0xFFE2 && bytes.HasPrefix(s, []byte("ICC_PROFILE\x00")):
		h.iccList = append(h.iccList, s)
	case marker == 0xFFED && bytes.HasPrefix(s, []byte("Photoshop 3.0\x00")):
		if err := photoshopResources(s); err != nil {
			return err
		}
	case marker == 0xFFEE && bytes.HasPrefix(s, []byte("Adobe")):
		if len(s) < 7 {
			return errJPEGIdentify("Adobe segment of %d bytes", len(s))
		}
	case marker == 0xFFE2 && bytes.HasPrefix(s, []byte("MPF\x00")):
		h.mp, h.hasMP = s[4:], true
	}
	// If the JFIF header gave no DPI, Pillow reads it from the EXIF block,
	// once: afterwards "dpi" is set, to 72 when that fails quietly.
	if !h.hasDPI && h.exif != nil {
		h.hasDPI = true
		return exifDPIError(h.exif)
	}
	return nil
}

// photoshopResources walks the image resource blocks as the APP13 handler
// does: a struct.error ends the walk quietly, an IndexError (a block's name
// length past the end) escapes.
func photoshopResources(s []byte) error {
	off := 14
	for off+4 <= len(s) && string(s[off:off+4]) == "8BIM" {
		off += 4
		if off+2 > len(s) {
			return nil
		}
		code := binary.BigEndian.Uint16(s[off:])
		off += 2
		if off >= len(s) {
			return errJPEGIdentify("Photoshop resource cut short")
		}
		off += 1 + int(s[off])
		off += off & 1
		if off+4 > len(s) {
			return nil
		}
		size := int(binary.BigEndian.Uint32(s[off:]))
		off += 4
		if code == 0x03ED && max(0, min(off+size, len(s))-off) < 14 {
			return nil // ResolutionInfo too short: struct.error
		}
		off += size
		off += off & 1
	}
	return nil
}

// tiffIFD is the part of TiffImagePlugin.ImageFileDirectory_v2 that these
// checks need: the byte order and each tag's type and raw value.
type tiffIFD struct {
	order binary.ByteOrder
	tags  map[uint16]tiffTag
}

type tiffTag struct {
	typ  uint16
	data []byte
}

// tiffTypeSizes are the bytes per value of the TIFF types Pillow 9.4 loads;
// tags of other types are skipped.
var tiffTypeSizes = map[uint16]int64{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8}

// tiffPrefixes are TiffImagePlugin.PREFIXES.
var tiffPrefixes = []string{"MM\x00\x2A", "II\x2A\x00", "MM\x2A\x00", "II\x00\x2A", "MM\x00\x2B", "II\x2B\x00"}

// errTIFFHeader stands for the SyntaxError of a bad TIFF header, which
// Pillow's callers catch.
var errTIFFHeader = fmt.Errorf("not a TIFF header")

// loadTIFFIFD is ImageFileDirectory_v2(head) followed by load() at the
// header's first-IFD offset, as Exif.load and _getmp run them over data:
// errTIFFHeader for a bad prefix, an identify error for the struct.error of
// a header shorter than 8 bytes or a BigTIFF one, else the tags that load()
// read before it stopped (it stops quietly on a short read).
func loadTIFFIFD(data []byte) (*tiffIFD, error) {
	head := data[:min(8, len(data))]
	if len(head) < 4 || !slices.Contains(tiffPrefixes, string(head[:4])) {
		return nil, errTIFFHeader
	}
	d := &tiffIFD{order: binary.ByteOrder(binary.LittleEndian), tags: map[uint16]tiffTag{}}
	if head[0] == 'M' {
		d.order = binary.BigEndian
	}
	if head[2] == 43 || len(head) < 8 {
		return nil, errJPEGIdentify("TIFF header of %d bytes in a metadata block", len(head))
	}
	r := &byteReader{data: data, pos: int(min(int64(d.order.Uint32(head[4:])), int64(len(data))))}
	count := r.read(2)
	if len(count) < 2 {
		return d, nil
	}
	for i := 0; i < int(d.order.Uint16(count)); i++ {
		e := r.read(12)
		if len(e) < 12 {
			return d, nil
		}
		tag, typ, n := d.order.Uint16(e), d.order.Uint16(e[2:]), int64(d.order.Uint32(e[4:]))
		unit, ok := tiffTypeSizes[typ]
		if !ok {
			continue
		}
		size := n * unit
		value := e[8 : 8+min(size, 4)]
		if size > 4 {
			off := int64(d.order.Uint32(e[8:]))
			if off > int64(len(data)) || size > int64(len(data))-off {
				return d, nil // _safe_read's OSError ends load()
			}
			value = data[off : off+size]
		}
		if len(value) == 0 {
			continue
		}
		d.tags[tag] = tiffTag{typ: typ, data: value}
	}
	return d, nil
}

// exifDPIError is the APP handler's DPI fallback: Image.getexif() over the
// EXIF block, then float(XResolution[0]) / XResolution[1]. It returns the
// errors that escape the handler's except clause (struct.error in the TIFF
// header, IndexError on a one-byte or empty XResolution), nil otherwise.
func exifDPIError(exif []byte) error {
	data := exif
	if bytes.HasPrefix(data, []byte("Exif\x00\x00")) {
		data = data[6:]
	}
	if len(data) == 0 {
		return nil
	}
	ifd, err := loadTIFFIFD(data)
	if err == errTIFFHeader {
		return nil
	}
	if err != nil {
		return err
	}
	if _, ok := ifd.tags[0x0128]; !ok { // ResolutionUnit: KeyError
		return nil
	}
	x, ok := ifd.tags[0x011A] // XResolution
	if !ok {
		return nil
	}
	// XResolution is a one-value tag: Pillow keeps the first value of a
	// number array, but a BYTE, UNDEFINED or ASCII value whole.
	switch x.typ {
	case 1, 7: // bytes
		if len(x.data) == 1 {
			return errJPEGIdentify("one-byte EXIF XResolution")
		}
	case 2: // str, without one trailing NUL, latin-1
		v := bytes.TrimSuffix(x.data, []byte{0})
		if len(v) == 0 || len(v) == 1 && '0' <= v[0] && v[0] <= '9' {
			return errJPEGIdentify("EXIF XResolution %q", v)
		}
	}
	return nil
}

// checkMP is jpeg_factory's _getmp: for a file with an MPF block, the MP
// entries are unpacked with struct.unpack_from, whose struct.error on a
// short entry list makes Image.open give up on the file. Every other
// failure there leaves a plain JPEG.
func (h *jpegHeaders) checkMP() error {
	if !h.hasMP {
		return nil
	}
	ifd, err := loadTIFFIFD(h.mp)
	if err != nil {
		return nil // wrapped in a SyntaxError: a warning, a plain JPEG
	}
	quant, ok := ifd.tags[0xB001]
	if !ok {
		return nil
	}
	entries, ok := ifd.tags[0xB002]
	if !ok {
		return nil
	}
	var n int64
	switch quant.typ {
	case 3, 8: // SHORT, SIGNED SHORT: the first value
		n = int64(ifd.order.Uint16(quant.data))
		if quant.typ == 8 {
			n = int64(int16(n))
		}
	case 4, 13, 9, 16, 6: // LONG, IFD, SIGNED LONG, LONG8, SIGNED BYTE
		switch quant.typ {
		case 4, 13:
			n = int64(ifd.order.Uint32(quant.data))
		case 9:
			n = int64(int32(ifd.order.Uint32(quant.data)))
		case 16:
			n = int64(min(ifd.order.Uint64(quant.data), 1<<62))
		case 6:
			n = int64(int8(quant.data[0]))
		}
	default:
		return nil // range() of a non-integer: TypeError, a plain JPEG
	}
	if entries.typ != 1 && entries.typ != 7 {
		return nil // not bytes: TypeError in unpack_from, a plain JPEG
	}
	bigEndian := bytes.HasPrefix(h.mp, []byte("MM\x00\x2A"))
	for i := int64(0); i < n; i++ {
		off := i * 16
		if off+16 > int64(len(entries.data)) {
			return errJPEGIdentify("MP entry %d past the end of the MP index", i)
		}
		attr := binary.LittleEndian.Uint32(entries.data[off:])
		if bigEndian {
			attr = binary.BigEndian.Uint32(entries.data[off:])
		}
		if attr>>24&7 != 0 {
			return nil // "unsupported picture format in MPO": a warning
		}
	}
	return nil
}
