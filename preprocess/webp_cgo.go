package preprocess

// WebP decoding through libwebp (Debian's libwebp7 and libwebpdemux2, the
// libraries Debian's Pillow 9.4 links), called as Pillow 9.4's _webp.c does
// when libwebp has the animation API: WebPAnimDecoderNew with default
// options (RGBA, no threads), then WebPAnimDecoderGetNext once for frame 0,
// which is what Image.open(f).convert('RGB') shows. convert('RGB') of the
// RGBA (or RGBX) canvas keeps the colour channels and drops the fourth, so
// the pixels equal Pillow's by construction; golang.org/x/image/webp is a
// different decoder and differs from libwebp by tens of levels on lossy
// files. This is the package's only libwebp cgo file.

/*
#cgo LDFLAGS: -lwebpdemux -lwebp
#include <stdint.h>
#include <stdlib.h>
#include <webp/decode.h>
#include <webp/demux.h>

// wx_canvas parses the container with libwebp's demuxer, which allocates no
// pixel memory, and reports the canvas size; 0 when the demuxer refuses the
// file (WebPAnimDecoderNew would fail on the same demuxer call).
static int wx_canvas(const uint8_t *data, size_t n, int *w, int *h) {
	WebPData d = {data, n};
	WebPDemuxer *dmx = WebPDemux(&d);
	if (!dmx) return 0;
	*w = (int)WebPDemuxGetI(dmx, WEBP_FF_CANVAS_WIDTH);
	*h = (int)WebPDemuxGetI(dmx, WEBP_FF_CANVAS_HEIGHT);
	WebPDemuxDelete(dmx);
	return 1;
}

// wx_decode decodes frame 0 into packed RGB rows stride bytes apart: 0 on
// success, 1 when the decoder could not be created (Pillow: "could not
// create decoder object"), 2 when the frame failed ("failed to read next
// frame"), 3 when the canvas is not w×h.
static int wx_decode(const uint8_t *data, size_t n, int w, int h, uint8_t *out, int stride) {
	WebPData d = {data, n};
	WebPAnimDecoder *dec = WebPAnimDecoderNew(&d, NULL);
	if (!dec) return 1;
	WebPAnimInfo info;
	if (!WebPAnimDecoderGetInfo(dec, &info)) { WebPAnimDecoderDelete(dec); return 1; }
	if ((int)info.canvas_width != w || (int)info.canvas_height != h) { WebPAnimDecoderDelete(dec); return 3; }
	uint8_t *rgba;
	int timestamp;
	if (!WebPAnimDecoderGetNext(dec, &rgba, &timestamp)) { WebPAnimDecoderDelete(dec); return 2; }
	for (int y = 0; y < h; y++) {
		const uint8_t *in = rgba + (size_t)y * w * 4;
		uint8_t *o = out + (size_t)y * stride;
		for (int x = 0; x < w; x++, in += 4, o += 3) {
			o[0] = in[0]; o[1] = in[1]; o[2] = in[2];
		}
	}
	WebPAnimDecoderDelete(dec);
	return 0;
}
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// decodeWebP decodes a WebP file's first frame into dst (reused when large
// enough), refusing a canvas over o's pixel limit before libwebp allocates it.
func decodeWebP(dst *pix.RGB8, data []byte, o DecodeOptions) (*pix.RGB8, Stage, error) {
	in := (*C.uint8_t)(unsafe.Pointer(&data[0]))
	var w, h C.int
	if C.wx_canvas(in, C.size_t(len(data)), &w, &h) == 0 {
		return nil, StageDecode, fmt.Errorf("webp: %w: libwebp could not parse the file", ErrCorrupt)
	}
	if err := checkSize(int(w), int(h), o.maxPixels()); err != nil {
		return nil, StageLimit, err
	}
	dst = pix.Reuse(dst, int(w), int(h))
	switch C.wx_decode(in, C.size_t(len(data)), w, h, (*C.uint8_t)(unsafe.Pointer(&dst.Pix[0])), C.int(dst.Stride)) {
	case 0:
		return dst, "", nil
	case 1:
		return nil, StageDecode, fmt.Errorf("webp: %w: libwebp could not create a decoder", ErrCorrupt)
	case 2:
		return nil, StageDecode, fmt.Errorf("webp: %w: libwebp could not decode the first frame", ErrCorrupt)
	}
	return nil, StageDecode, fmt.Errorf("webp: %w: the canvas size changed between reads", ErrCorrupt)
}
