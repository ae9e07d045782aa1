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

typedef struct {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
	int truncated;
	char msg[JMSG_LENGTH_MAX];
} jx_err;

typedef struct {
	struct jpeg_decompress_struct cinfo;
	jx_err err;
	int created;
	JSAMPLE *row;
} jx_dec;

static void jx_error_exit(j_common_ptr c) {
	jx_err *e = (jx_err *)c->err;
	(*c->err->format_message)(c, e->msg);
	longjmp(e->jb, 1);
}

// Warnings do not stop decoding (as in Pillow), but premature end of data
// does: Pillow reports such files as truncated.
static void jx_emit(j_common_ptr c, int level) {
	jx_err *e = (jx_err *)c->err;
	if (level < 0 && c->err->msg_code == JWRN_JPEG_EOF) {
		e->truncated = 1;
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

static int jx_header(jx_dec *d, const unsigned char *data, unsigned long n, int *w, int *h, int *comps) {
	d->cinfo.err = jpeg_std_error(&d->err.pub);
	d->err.pub.error_exit = jx_error_exit;
	d->err.pub.emit_message = jx_emit;
	d->err.pub.output_message = jx_output;
	if (setjmp(d->err.jb)) return -1;
	jpeg_create_decompress(&d->cinfo);
	d->created = 1;
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
	jpeg_start_decompress(ci);
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
	if (d->err.truncated || ci->output_scanline < ci->output_height) {
		snprintf(d->err.msg, sizeof d->err.msg, "image file is truncated");
		return -1;
	}
	return 0;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// decodeJPEG decodes a JPEG into dst (reused when large enough).
func decodeJPEG(dst *pix.RGB8, data []byte) (*pix.RGB8, error) {
	if len(data) == 0 {
		return nil, errors.New("empty JPEG data")
	}
	// libjpeg keeps a pointer to data between the header and decode calls.
	var pinner runtime.Pinner
	pinner.Pin(&data[0])
	defer pinner.Unpin()
	d := C.jx_new()
	if d == nil {
		return nil, errors.New("jpeg: out of memory")
	}
	defer C.jx_free(d)
	var w, h, comps C.int
	if C.jx_header(d, (*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)), &w, &h, &comps) != 0 {
		return nil, fmt.Errorf("jpeg: %s", C.GoString(C.jx_msg(d)))
	}
	if err := checkSize(int(w), int(h)); err != nil {
		return nil, err
	}
	dst = pix.Reuse(dst, int(w), int(h))
	if C.jx_decode(d, (*C.uchar)(unsafe.Pointer(&dst.Pix[0])), C.int(dst.Stride)) != 0 {
		return nil, fmt.Errorf("jpeg: %s", C.GoString(C.jx_msg(d)))
	}
	return dst, nil
}
