package preprocess

import "image"

// DecodeRegion exposes the decoder's hint to the tests: data decoded under o
// (DCT-scaled towards minSide when o.Fast), needing only region of the
// decoded image (the zero rectangle: all of it), into dst.
func DecodeRegion(o DecodeOptions, dst *RGB8, data []byte, minSide int, region image.Rectangle) (*RGB8, error) {
	hint := decodeHint{minSide: minSide}
	if !region.Empty() {
		hint.region = func(int, int, Reduction) image.Rectangle { return region }
	}
	img, stage, err := o.decode(dst, data, hint)
	if err != nil {
		return nil, &DecodeError{Stage: stage, Err: err}
	}
	return img, nil
}

// PipelineSource exposes the rectangle of img that p's crop reads.
func PipelineSource(p *Pipeline, img *RGB8) image.Rectangle {
	return p.source(img.W, img.H, img.Reduced)
}
