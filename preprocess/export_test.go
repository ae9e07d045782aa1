package preprocess

import "image"

// DecodeRegion exposes the decoder's hint to the tests: data decoded under o
// (DCT-scaled towards minSide when o.Fast), needing only region of the
// decoded image (the zero rectangle: all of it), into dst.
func DecodeRegion(o DecodeOptions, dst *RGB8, data []byte, minSide int, region image.Rectangle) (*RGB8, error) {
	hint := decodeHint{minSide: minSide}
	if !region.Empty() {
		hint.region = func(w, h int) image.Rectangle { return region }
	}
	img, stage, err := o.decode(dst, data, hint)
	if err != nil {
		return nil, &DecodeError{Stage: stage, Err: err}
	}
	return img, nil
}

// PipelineSource exposes the rectangle of a w×h image that p's crop reads.
func PipelineSource(p *Pipeline, w, h int) image.Rectangle { return p.source(w, h) }
