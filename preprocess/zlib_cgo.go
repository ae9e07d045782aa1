package preprocess

// zlib's inflate through cgo (Debian's zlib1g, the library Pillow links),
// one inflate(Z_NO_FLUSH) or inflate(Z_SYNC_FLUSH) call at a time, so that
// the PNG decoder can follow Pillow's ZipDecode.c and Python's zlib module
// call for call. Which call reports the end of the stream, and whether the
// Adler-32 check is read at all, decide whether Pillow accepts a PNG whose
// data ends early or carries a bad checksum; compress/zlib reads ahead and
// checks differently, so it cannot reproduce those outcomes. This is the
// package's only zlib cgo file.

/*
#cgo LDFLAGS: -lz
#include <stdlib.h>
#include <zlib.h>

static z_stream *zx_new(void) {
	z_stream *z = calloc(1, sizeof *z);
	if (!z) return NULL;
	if (inflateInit(z) != Z_OK) { free(z); return NULL; }
	return z;
}

static void zx_free(z_stream *z) {
	inflateEnd(z);
	free(z);
}

// zx_inflate runs one inflate call over in and out and reports how much it
// consumed and produced. The stream keeps no pointer to them afterwards.
static int zx_inflate(z_stream *z, int flush, unsigned char *in, unsigned in_n,
                      unsigned char *out, unsigned out_n, unsigned *used, unsigned *made) {
	z->next_in = in;
	z->avail_in = in_n;
	z->next_out = out;
	z->avail_out = out_n;
	int err = inflate(z, flush);
	*used = in_n - z->avail_in;
	*made = out_n - z->avail_out;
	z->next_in = NULL;
	z->next_out = NULL;
	return err;
}
*/
import "C"

import (
	"errors"
	"unsafe"
)

// zlib's return codes that the decoders tell apart.
const (
	zOK        = int(C.Z_OK)
	zStreamEnd = int(C.Z_STREAM_END)
	zBufError  = int(C.Z_BUF_ERROR)
	zDataError = int(C.Z_DATA_ERROR)
	zMemError  = int(C.Z_MEM_ERROR)
	zNeedDict  = int(C.Z_NEED_DICT)
)

// inflater is one zlib inflate stream.
type inflater struct{ z *C.z_stream }

var errInflateInit = errors.New("zlib: cannot initialise inflate")

func newInflater() (*inflater, error) {
	z := C.zx_new()
	if z == nil {
		return nil, errInflateInit
	}
	return &inflater{z: z}, nil
}

// close frees the stream; it is safe to call twice.
func (f *inflater) close() {
	if f.z != nil {
		C.zx_free(f.z)
		f.z = nil
	}
}

// inflate is one inflate call, with Z_SYNC_FLUSH when sync is set, else
// Z_NO_FLUSH: zlib's return code, the input bytes consumed and the output
// bytes produced.
func (f *inflater) inflate(in, out []byte, sync bool) (code, used, made int) {
	flush := C.int(C.Z_NO_FLUSH)
	if sync {
		flush = C.Z_SYNC_FLUSH
	}
	var inPtr, outPtr *C.uchar
	if len(in) > 0 {
		inPtr = (*C.uchar)(unsafe.Pointer(&in[0]))
	}
	if len(out) > 0 {
		outPtr = (*C.uchar)(unsafe.Pointer(&out[0]))
	}
	var u, m C.uint
	code = int(C.zx_inflate(f.z, flush, inPtr, C.uint(len(in)), outPtr, C.uint(len(out)), &u, &m))
	return code, int(u), int(m)
}
