package preprocess

// JPEG decoding through libjpeg-turbo's libjpeg API, set up as Pillow 9.4's
// JpegDecode.c does (default islow DCT, fancy upsampling, no scaling), so the
// decoded pixels equal PIL's. A caller that reads only part of the image
// (Pipeline.DecodeInto) has the rest skipped, and DecodeOptions.Fast adds
// DCT-domain scaling. All of the package's libjpeg code is here.

/*
#cgo LDFLAGS: -ljpeg
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>

// JX_MAX_SCANS bounds a progressive JPEG's scans, as TurboJPEG's
// TJFLAG_LIMITSCANS does: each scan walks every block of the image, so a
// small file of many empty scans would otherwise cost minutes.
#define JX_MAX_SCANS 500

typedef struct {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
	int truncated;  // "Premature end of JPEG file": the data ran out
	int corrupt;    // a warning that pixels were lost or invented
	int scans;      // more than JX_MAX_SCANS scans
	int finishing;  // in jpeg_finish_decompress, after the last row
	char warn[JMSG_LENGTH_MAX]; // the first corrupt-data warning
	char msg[JMSG_LENGTH_MAX];
} jx_err;

typedef struct {
	struct jpeg_decompress_struct cinfo;
	struct jpeg_progress_mgr progress;
	jx_err err;
	int created;
	JSAMPLE *row;
} jx_dec;

// error_exit must not return: jump back to the setjmp in jx_header or
// jx_start or jx_read, whose caller destroys the decompressor (no process exit, no leak).
static void jx_error_exit(j_common_ptr c) {
	jx_err *e = (jx_err *)c->err;
	(*c->err->format_message)(c, e->msg);
	longjmp(e->jb, 1);
}

// jx_data_loss reports whether a libjpeg warning means that decoded pixels
// were not read from the file (Pillow ignores all of these but premature end
// of file; metadata warnings and extraneous bytes lose no pixels).
static int jx_data_loss(int code) {
	switch (code) {
	case JWRN_HIT_MARKER: case JWRN_HUFF_BAD_CODE: case JWRN_ARITH_BAD_CODE:
	case JWRN_MUST_RESYNC: case JWRN_BOGUS_PROGRESSION:
		return 1;
	}
	return 0;
}

// Warnings do not stop libjpeg; they are recorded here and judged after.
static void jx_emit(j_common_ptr c, int level) {
	jx_err *e = (jx_err *)c->err;
	if (level >= 0) return;
	if (c->err->msg_code == JWRN_JPEG_EOF) {
		// After the last row, Pillow's suspending source stops at the end of
		// the data with the image complete: leave as it does.
		if (e->finishing) longjmp(e->jb, 2);
		e->truncated = 1;
	} else if (jx_data_loss(c->err->msg_code) && !e->corrupt) {
		e->corrupt = 1;
		(*c->err->format_message)(c, e->warn);
	}
}

static void jx_progress(j_common_ptr c) {
	j_decompress_ptr d = (j_decompress_ptr)c;
	jx_err *e = (jx_err *)c->err;
	if (d->input_scan_number > JX_MAX_SCANS) {
		e->scans = 1;
		snprintf(e->msg, sizeof e->msg, "progressive JPEG has more than %d scans", JX_MAX_SCANS);
		longjmp(e->jb, 1);
	}
}

static void jx_output(j_common_ptr c) {}

static jx_dec *jx_new(void) { return (jx_dec *)calloc(1, sizeof(jx_dec)); }

static void jx_free(jx_dec *d) {
	if (d->created) jpeg_destroy_decompress(&d->cinfo);
	free(d->row);
	free(d);
}

static const char *jx_msg(jx_dec *d) { return d->err.msg; }
static const char *jx_warn(jx_dec *d) { return d->err.warn; }
static int jx_truncated(jx_dec *d) { return d->err.truncated; }
static int jx_corrupt(jx_dec *d) { return d->err.corrupt; }
static int jx_scans(jx_dec *d) { return d->err.scans; }

static int jx_header(jx_dec *d, const unsigned char *data, unsigned long n, int *w, int *h, int *comps) {
	d->cinfo.err = jpeg_std_error(&d->err.pub);
	d->err.pub.error_exit = jx_error_exit;
	d->err.pub.emit_message = jx_emit;
	d->err.pub.output_message = jx_output;
	if (setjmp(d->err.jb)) return -1;
	jpeg_create_decompress(&d->cinfo);
	d->created = 1;
	d->progress.progress_monitor = jx_progress;
	d->cinfo.progress = &d->progress;
	jpeg_mem_src(&d->cinfo, data, n);
	jpeg_read_header(&d->cinfo, TRUE);
	*w = d->cinfo.image_width;
	*h = d->cinfo.image_height;
	*comps = d->cinfo.num_components;
	return 0;
}

// MULDIV255 as in Pillow's ImagingUtils.h.
static inline int jx_muldiv255(int a, int b) {
	int t = a * b + 128;
	return ((t >> 8) + t) >> 8;
}

static inline unsigned char jx_clip8(int v) { return v < 0 ? 0 : v > 255 ? 255 : v; }

// Pillow reads 4-component JPEGs as "CMYK;I" (Adobe's inverted polarity),
// then convert('RGB') applies cmyk2rgb.
static void jx_cmyk_row(unsigned char *out, const JSAMPLE *in, int w) {
	for (int x = 0; x < w; x++, in += 4, out += 3) {
		int c = 255 - in[0], m = 255 - in[1], y = 255 - in[2], nk = in[3];
		out[0] = jx_clip8(nk - jx_muldiv255(c, nk));
		out[1] = jx_clip8(nk - jx_muldiv255(m, nk));
		out[2] = jx_clip8(nk - jx_muldiv255(y, nk));
	}
}

static void jx_gray_row(unsigned char *out, const JSAMPLE *in, int w) {
	for (int x = 0; x < w; x++, out += 3) out[0] = out[1] = out[2] = in[x];
}

// jx_start chooses the output and starts decompressing with Pillow's
// settings (islow IDCT, fancy upsampling), at scale_num/8 of full size (8:
// full size, as Pillow). The fast mode changes only the scale: measured on
// val_orig and val_227 (2 cores, AVX2), libjpeg-turbo's ifast IDCT and
// plain upsampling saved no CPU time measurable over the noise, against
// 1 to 1.8 levels of mean pixel error on unscaled images (islow with fancy
// upsampling: none), which flipped the top-1 class of an int8 MobileNetV2
// on 6% to 7% of val_227.
static int jx_start(jx_dec *d, int scale_num, int *w, int *h) {
	struct jpeg_decompress_struct *ci = &d->cinfo;
	if (setjmp(d->err.jb)) return -1;
	switch (ci->num_components) {
	case 1: ci->out_color_space = JCS_GRAYSCALE; break;
	case 3: ci->out_color_space = JCS_RGB; break;
	case 4: ci->out_color_space = JCS_CMYK; break;
	default:
		snprintf(d->err.msg, sizeof d->err.msg, "cannot handle %d-layer images", ci->num_components);
		return -1;
	}
	ci->dct_method = JDCT_ISLOW;
	ci->do_fancy_upsampling = TRUE;
	ci->scale_num = scale_num;
	ci->scale_denom = 8;
	jpeg_start_decompress(ci);
	if (d->err.truncated) return -1; // a progressive file is read whole by now
	// One spare row: the non-RGB rows before conversion, and the row read
	// and dropped at the end of a partial decode.
	d->row = (JSAMPLE *)malloc((size_t)ci->output_width * (ci->output_components > 3 ? ci->output_components : 3));
	if (!d->row) { snprintf(d->err.msg, sizeof d->err.msg, "out of memory"); return -1; }
	*w = ci->output_width;
	*h = ci->output_height;
	return 0;
}

// jx_partial reports whether jx_read may leave out the work outside a
// region: for single-scan Huffman-coded gray or YCbCr files, libjpeg-turbo's
// partial decoding (jpeg_crop_scanline, jpeg_skip_scanlines) is the well-trodden
// path TurboJPEG's cropping uses. Progressive, arithmetic-coded and CMYK
// files are decoded whole.
static int jx_partial(jx_dec *d) {
	struct jpeg_decompress_struct *ci = &d->cinfo;
	return !ci->progressive_mode && !ci->arith_code && !ci->buffered_image &&
		(ci->num_components == 1 || ci->num_components == 3);
}

static int jx_min(int a, int b) { return a < b ? a : b; }
static int jx_max(int a, int b) { return a > b ? a : b; }

// jx_read writes the image as packed RGB rows, stride bytes apart, into out
// (row y at out + y*stride). Only rows [y0, y1) and columns [x0, x1) need be
// right (pass the whole image when jx_partial is false); the decoder then
// skips the IDCT, upsampling and colour conversion of whole iMCU rows and
// columns outside, leaving those bytes of out unwritten. Skipped rows are
// still entropy-decoded, so damaged or truncated data anywhere in the file
// fails as it does in a whole decode.
static int jx_read(jx_dec *d, unsigned char *out, int stride, int x0, int x1, int y0, int y1) {
	struct jpeg_decompress_struct *ci = &d->cinfo;
	int jumped = setjmp(d->err.jb);
	if (jumped == 2) return 0; // the end of the data while finishing
	if (jumped) return -1;
	int W = ci->output_width, H = ci->output_height;
	int imcu_h = ci->max_v_samp_factor * ci->min_DCT_scaled_size;
	// Fancy upsampling makes an output pixel from the chroma samples on
	// either side of it, and treats a crop edge as the image edge: keep two
	// pixels of margin left and right. Rows need none (jpeg_skip_scanlines
	// re-reads the context rows the upsampler needs, and the rows before a
	// final skip are finished), but skips start and end on iMCU-row
	// boundaries, the case libjpeg-turbo's skipping logic is simplest in.
	x0 = jx_max(0, x0 - 2);
	x1 = jx_min(W, x1 + 2);
	y0 = y0 / imcu_h * imcu_h;
	y1 = jx_min(H, (y1 + imcu_h - 1) / imcu_h * imcu_h);
	JDIMENSION xoff = 0, cw = W;
	if (x0 > 0 || x1 < W) {
		xoff = x0;
		cw = x1 - x0;
		jpeg_crop_scanline(ci, &xoff, &cw); // moves xoff left to an iMCU column
	}
	if (y0 > 0) {
		jpeg_skip_scanlines(ci, y0);
		if (d->err.truncated) return -1;
	}
	while ((int)ci->output_scanline < y1) {
		unsigned char *o = out + (size_t)ci->output_scanline * stride + (size_t)xoff * 3;
		JSAMPROW rows[1] = {ci->out_color_space == JCS_RGB ? o : d->row};
		if (jpeg_read_scanlines(ci, rows, 1) != 1) break;
		if (d->err.truncated) break;
		if (ci->out_color_space == JCS_GRAYSCALE) jx_gray_row(o, d->row, cw);
		else if (ci->out_color_space == JCS_CMYK) jx_cmyk_row(o, d->row, cw);
	}
	if (!d->err.truncated && (int)ci->output_scanline == y1 && y1 < H) {
		// Skipping to the very end would stop reading the file (libjpeg-turbo
		// then marks the input finished), so skip all but the last row and
		// read that one.
		if (H - y1 > 1) jpeg_skip_scanlines(ci, H - y1 - 1);
		JSAMPROW rows[1] = {d->row};
		if (!d->err.truncated) jpeg_read_scanlines(ci, rows, 1);
	}
	if (ci->output_scanline < ci->output_height) d->err.truncated = 1;
	if (d->err.truncated) return -1;
	// Pillow's JpegDecode.c then finishes the decompression, which reads
	// the rest of the file to its end marker: an error there (a bogus
	// marker, a second SOF) refuses the file; running out of data there
	// does not (Pillow's suspending source just stops).
	d->err.finishing = 1;
	jpeg_finish_decompress(ci);
	return 0;
}

// jx_encode compresses w×h packed RGB pixels as Pillow 9.4's JpegEncode.c
// does for Image.save(f, "JPEG", quality=q): libjpeg's defaults (YCbCr,
// 4:2:0, islow DCT, standard Huffman tables), jpeg_set_quality(q, TRUE).
// The data is malloc'ed into *out (the caller frees it); 0, or -1 with msg.
static int jx_encode(const unsigned char *pix, int w, int h, int stride, int quality,
		unsigned char **out, unsigned long *outlen, char *msg) {
	struct jpeg_compress_struct ci;
	jx_err err;
	memset(&err, 0, sizeof err);
	ci.err = jpeg_std_error(&err.pub);
	err.pub.error_exit = jx_error_exit;
	err.pub.output_message = jx_output;
	*out = NULL;
	*outlen = 0;
	if (setjmp(err.jb)) {
		snprintf(msg, JMSG_LENGTH_MAX, "%s", err.msg);
		jpeg_destroy_compress(&ci);
		free(*out);
		*out = NULL;
		return -1;
	}
	jpeg_create_compress(&ci);
	jpeg_mem_dest(&ci, out, outlen);
	ci.image_width = w;
	ci.image_height = h;
	ci.input_components = 3;
	ci.in_color_space = JCS_RGB;
	jpeg_set_defaults(&ci);
	jpeg_set_quality(&ci, quality, TRUE);
	jpeg_start_compress(&ci, TRUE);
	while (ci.next_scanline < ci.image_height) {
		JSAMPROW row = (JSAMPROW)(pix + (size_t)ci.next_scanline * stride);
		jpeg_write_scanlines(&ci, &row, 1);
	}
	jpeg_finish_compress(&ci);
	jpeg_destroy_compress(&ci);
	return 0;
}
*/
import "C"

import (
	"fmt"
	"image"
	"runtime"
	"unsafe"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// decodeJPEG decodes a JPEG into dst (reused when large enough), refusing it
// before allocating when its header declares more than o's pixel limit.
// With o.Fast it is DCT-scaled as far as hint allows (dst.Reduced says by
// how much);
// hint.region, when set, names the pixels the caller will read.
func decodeJPEG(dst *pix.RGB8, data []byte, o DecodeOptions, hint decodeHint) (*pix.RGB8, Stage, error) {
	// libjpeg keeps a pointer to data between the header and decode calls.
	var pinner runtime.Pinner
	pinner.Pin(&data[0])
	defer pinner.Unpin()
	d := C.jx_new()
	if d == nil {
		return nil, StageDecode, fmt.Errorf("jpeg: out of memory")
	}
	defer C.jx_free(d)
	var w, h, comps C.int
	if C.jx_header(d, (*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)), &w, &h, &comps) != 0 {
		return nil, StageDecode, jpegError(d, 0, 0)
	}
	if err := checkSize(int(w), int(h), o.maxPixels()); err != nil {
		return nil, StageLimit, err
	}
	scale := C.int(8)
	if o.Fast {
		scale = C.int(dctScale(int(w), int(h), hint.minSide))
	}
	var ow, oh C.int
	if C.jx_start(d, scale, &ow, &oh) != 0 {
		stage, err := jpegFailure(d, int(w), int(h))
		return nil, stage, err
	}
	dst = pix.Reuse(dst, int(ow), int(oh))
	if scale < 8 {
		dst.Reduced = pix.Reduction{FileW: int(w), FileH: int(h), Num: int(scale)}
	}
	r := image.Rect(0, 0, int(ow), int(oh))
	if hint.region != nil && C.jx_partial(d) != 0 {
		if need := hint.region(int(ow), int(oh), dst.Reduced).Intersect(r); !need.Empty() {
			r = need
		}
	}
	if C.jx_read(d, (*C.uchar)(unsafe.Pointer(&dst.Pix[0])), C.int(dst.Stride),
		C.int(r.Min.X), C.int(r.Max.X), C.int(r.Min.Y), C.int(r.Max.Y)) != 0 {
		stage, err := jpegFailure(d, int(w), int(h))
		return nil, stage, err
	}
	if C.jx_corrupt(d) != 0 && o.Strict {
		return nil, StageDecode, fmt.Errorf("jpeg: %w: %s", ErrCorrupt, C.GoString(C.jx_warn(d)))
	}
	return dst, "", nil
}

// dctScale is the numerator n of the DCT scaling n/8 that shrinks a w×h
// image most while its shorter side stays at least minSide (exactly, not
// after libjpeg rounds the size up); 8 (no scaling) when minSide is 0 or
// the image is already that small.
func dctScale(w, h, minSide int) int {
	short := min(w, h)
	n := 8
	for minSide > 0 && n > 1 && short*(n-1) >= minSide*8 {
		n--
	}
	return n
}

// jpegFailure is the stage and error of a failed start or read: too many
// progressive scans is a limit, anything else as jpegError says.
func jpegFailure(d *C.jx_dec, w, h int) (Stage, error) {
	if C.jx_scans(d) != 0 {
		return StageLimit, fmt.Errorf("jpeg: %w: %s", ErrTooManyScans, C.GoString(C.jx_msg(d)))
	}
	return StageDecode, jpegError(d, w, h)
}

// jpegError classifies a failed header read or decode: data that ran out is
// truncation, anything else libjpeg refused is corruption.
func jpegError(d *C.jx_dec, w, h int) error {
	if C.jx_truncated(d) != 0 {
		if w > 0 {
			return fmt.Errorf("jpeg: %w (premature end of data in a %dx%d image)", ErrTruncated, w, h)
		}
		return fmt.Errorf("jpeg: %w (premature end of data in the header)", ErrTruncated)
	}
	return fmt.Errorf("jpeg: %w: %s", ErrCorrupt, C.GoString(C.jx_msg(d)))
}

// EncodeJPEG compresses img as Pillow 9.4's Image.save(f, "JPEG",
// quality=quality) does (4:2:0, islow DCT, standard tables, quality 1 to
// 100 with baseline-clamped tables).
func EncodeJPEG(img *RGB8, quality int) ([]byte, error) {
	if err := img.Validate(); err != nil {
		return nil, fmt.Errorf("jpeg encode: %w", err)
	}
	if quality < 1 || quality > 100 {
		return nil, fmt.Errorf("jpeg encode: quality %d: must be 1 to 100", quality)
	}
	var pinner runtime.Pinner
	pinner.Pin(&img.Pix[0])
	defer pinner.Unpin()
	var out *C.uchar
	var n C.ulong
	msg := (*C.char)(C.malloc(C.JMSG_LENGTH_MAX))
	defer C.free(unsafe.Pointer(msg))
	if C.jx_encode((*C.uchar)(unsafe.Pointer(&img.Pix[0])), C.int(img.W), C.int(img.H), C.int(img.Stride),
		C.int(quality), &out, &n, msg) != 0 {
		return nil, fmt.Errorf("jpeg encode %dx%d: %s", img.W, img.H, C.GoString(msg))
	}
	defer C.free(unsafe.Pointer(out))
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), nil
}
