package preprocess

import (
	"fmt"

	"github.com/imagenetx/imagenetx/preprocess/pix"
	"github.com/imagenetx/imagenetx/preprocess/variant"
)

// The corrupt variant step's jpeg_compression and frost need a JPEG codec
// and an image decoder; variant cannot import this package (this package
// imports variant), so the codecs register themselves here, as Go's image
// decoders do.
func init() { variant.RegisterCodecs(jpegRoundTrip, decodeOverlay) }

// jpegRoundTrip is imagecorruptions' jpeg_compression: Image.save(f,
// "JPEG", quality=q), then Image.open(f), decoded as Pillow does.
func jpegRoundTrip(img *pix.RGB8, quality int) (*pix.RGB8, error) {
	data, err := EncodeJPEG(img, quality)
	if err != nil {
		return nil, err
	}
	out, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("decode the re-encoded jpeg: %w", err)
	}
	return out, nil
}

// decodeOverlay decodes a frost overlay as cv2.imread(path) (IMREAD_COLOR)
// does: a PNG's alpha dropped (not composited), a JPEG through libjpeg with
// the islow IDCT and fancy upsampling, the settings this package's
// Pillow-exact decoder uses; scripts/corruptions_reference.py's overlay
// check compares the pixels with OpenCV's.
func decodeOverlay(data []byte) (*pix.RGB8, error) { return Decode(data) }
