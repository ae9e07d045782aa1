package preprocess

// JPEG decoding through libjpeg-turbo's libjpeg API, set up as Pillow 9.4's
// JpegDecode.c does (default islow DCT, fancy upsampling, no scaling), so the
// decoded pixels equal PIL's. This is the package's only cgo file.

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
// jx_decode, whose caller destroys the decompressor (no process exit, no leak).
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

// jx_decode writes the image as packed RGB rows, stride bytes apart.
static int jx_decode(jx_dec *d, unsigned char *out, int stride) {
	struct jpeg_decompress_struct *ci = &d->cinfo;
	int jumped = setjmp(d->err.jb);
	if (jumped == 2) return 0; // the end of the data while finishing
	if (jumped) return -1;
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
	jpeg_start_decompress(ci);
	if (d->err.truncated) return -1; // a progressive file is read whole by now
	int w = ci->output_width;
	if (ci->out_color_space != JCS_RGB) {
		d->row = (JSAMPLE *)malloc((size_t)w * ci->output_components);
		if (!d->row) { snprintf(d->err.msg, sizeof d->err.msg, "out of memory"); return -1; }
	}
	while (ci->output_scanline < ci->output_height) {
		unsigned char *o = out + (size_t)ci->output_scanline * stride;
		JSAMPROW rows[1] = {ci->out_color_space == JCS_RGB ? o : d->row};
		if (jpeg_read_scanlines(ci, rows, 1) != 1) break;
		if (d->err.truncated) break;
		if (ci->out_color_space == JCS_GRAYSCALE) jx_gray_row(o, d->row, w);
		else if (ci->out_color_space == JCS_CMYK) jx_cmyk_row(o, d->row, w);
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
*/
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// decodeJPEG decodes a JPEG into dst (reused when large enough), refusing it
// before allocating when its header declares more than o's pixel limit.
func decodeJPEG(dst *pix.RGB8, data []byte, o DecodeOptions) (*pix.RGB8, Stage, error) {
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
	dst = pix.Reuse(dst, int(w), int(h))
	if C.jx_decode(d, (*C.uchar)(unsafe.Pointer(&dst.Pix[0])), C.int(dst.Stride)) != 0 {
		if C.jx_scans(d) != 0 {
			return nil, StageLimit, fmt.Errorf("jpeg: %w: %s", ErrTooManyScans, C.GoString(C.jx_msg(d)))
		}
		return nil, StageDecode, jpegError(d, int(w), int(h))
	}
	if C.jx_corrupt(d) != 0 && o.Strict {
		return nil, StageDecode, fmt.Errorf("jpeg: %w: %s", ErrCorrupt, C.GoString(C.jx_warn(d)))
	}
	return dst, "", nil
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
