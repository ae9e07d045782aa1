// Package jpegenc writes JPEGs with libjpeg-turbo in the variants Go's
// image/jpeg cannot write (CMYK, YCCK, progressive, arithmetic-coded), so
// that the decoder's tests generate their own fixtures. Only tests import it.
package jpegenc

/*
#cgo LDFLAGS: -ljpeg
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <jpeglib.h>

typedef struct {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
	char msg[JMSG_LENGTH_MAX];
} je_err;

static void je_error_exit(j_common_ptr c) {
	je_err *e = (je_err *)c->err;
	(*c->err->format_message)(c, e->msg);
	longjmp(e->jb, 1);
}

static void je_output(j_common_ptr c) {}

// je_encode compresses w×h pixels of comps components (1 gray, 3 RGB,
// 4 CMYK) into *out (malloc'ed; the caller frees it). space is the JPEG
// colour space written; returns 0 or -1 with msg set.
static int je_encode(const unsigned char *pix, int w, int h, int comps, int space,
		int quality, int progressive, int arith, int restart_rows, int h_samp, int v_samp,
		unsigned char **out, unsigned long *outlen, char *msg) {
	struct jpeg_compress_struct ci;
	je_err err;
	ci.err = jpeg_std_error(&err.pub);
	err.pub.error_exit = je_error_exit;
	err.pub.output_message = je_output;
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
	ci.input_components = comps;
	ci.in_color_space = comps == 1 ? JCS_GRAYSCALE : comps == 3 ? JCS_RGB : JCS_CMYK;
	jpeg_set_defaults(&ci);
	jpeg_set_colorspace(&ci, (J_COLOR_SPACE)space);
	jpeg_set_quality(&ci, quality, TRUE);
	ci.arith_code = arith ? TRUE : FALSE;
	ci.restart_in_rows = restart_rows;
	if (h_samp > 0) {
		ci.comp_info[0].h_samp_factor = h_samp;
		ci.comp_info[0].v_samp_factor = v_samp;
	}
	if (progressive) jpeg_simple_progression(&ci);
	jpeg_start_compress(&ci, TRUE);
	while (ci.next_scanline < ci.image_height) {
		JSAMPROW row = (JSAMPROW)(pix + (size_t)ci.next_scanline * w * comps);
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
	"unsafe"
)

// Space is the colour space written in the file.
type Space int

// The colour spaces: the input must have 1 component for Gray, 3 (RGB) for
// YCbCr and RGB, 4 (CMYK) for CMYK and YCCK.
const (
	YCbCr Space = C.JCS_YCbCr
	Gray  Space = C.JCS_GRAYSCALE
	RGB   Space = C.JCS_RGB
	CMYK  Space = C.JCS_CMYK
	YCCK  Space = C.JCS_YCCK
)

// Options choose the encoding.
type Options struct {
	Space       Space // 0: Gray, YCbCr or CMYK for 1, 3 or 4 components
	Quality     int   // 1..100; 0 means 90
	Progressive bool  // jpeg_simple_progression's scan script
	Arithmetic  bool  // arithmetic instead of Huffman coding
	RestartRows int   // a restart marker every this many MCU rows; 0: none
	// Sampling is the first component's horizontal and vertical sampling
	// factors (the others stay 1×1): {2, 2} is 4:2:0, {2, 1} 4:2:2, {1, 1}
	// 4:4:4. Zero: libjpeg's default for the colour space.
	Sampling [2]int
}

// Encode compresses w×h pixels of comps interleaved components.
func Encode(pix []byte, w, h, comps int, o Options) ([]byte, error) {
	if w <= 0 || h <= 0 || len(pix) != w*h*comps {
		return nil, fmt.Errorf("jpegenc: %d bytes for %dx%d×%d", len(pix), w, h, comps)
	}
	if o.Quality == 0 {
		o.Quality = 90
	}
	if o.Space == 0 {
		o.Space = map[int]Space{1: Gray, 3: YCbCr, 4: CMYK}[comps]
	}
	var out *C.uchar
	var n C.ulong
	msg := (*C.char)(C.malloc(C.JMSG_LENGTH_MAX))
	defer C.free(unsafe.Pointer(msg))
	rc := C.je_encode((*C.uchar)(unsafe.Pointer(&pix[0])), C.int(w), C.int(h), C.int(comps), C.int(o.Space),
		C.int(o.Quality), cbool(o.Progressive), cbool(o.Arithmetic), C.int(o.RestartRows),
		C.int(o.Sampling[0]), C.int(o.Sampling[1]), &out, &n, msg)
	if rc != 0 {
		return nil, fmt.Errorf("jpegenc: %s", C.GoString(msg))
	}
	defer C.free(unsafe.Pointer(out))
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), nil
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
