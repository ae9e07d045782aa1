package engine

import (
	"bytes"
	"errors"

	"github.com/imagenetx/imagenetx/preprocess"
)

// Stages of reading an image, as the preprocess decoder names them: the
// file could not be opened or read (StageOpen), a safety limit refused it
// before its pixels were allocated (StageLimit), or its bytes are not a
// decodable image (StageDecode).
const (
	StageOpen  = string(preprocess.StageOpen)
	StageLimit = string(preprocess.StageLimit)
)

// ImagePreparer reads, decodes and preprocesses image files into tensors.
type ImagePreparer struct {
	Pipeline *preprocess.Pipeline
	Layout   preprocess.Layout
	// Decode holds the decoder's safety limits (pixels, file size) and its
	// policy on damaged JPEGs; the zero value is the safe default.
	Decode preprocess.DecodeOptions
}

// NewWorker returns a PrepareFunc with its own file and pixel buffers.
func (p *ImagePreparer) NewWorker() PrepareFunc {
	var buf bytes.Buffer
	var img *preprocess.RGB8
	return func(item Item, dst []float32) error {
		decoded, ierr := decodeItem(p.Pipeline, p.Decode, img, &buf, item.Path)
		if ierr != nil {
			return ierr
		}
		img = decoded
		if err := p.Pipeline.Tensor(img, item.Name, dst, p.Layout); err != nil {
			return &ImageError{Stage: StagePreprocess, Err: err}
		}
		return nil
	}
}

// decodeItem reads and decodes one image file for pipe, reusing buf and
// img's pixels; a failure is filed under the stage the decoder names.
func decodeItem(pipe *preprocess.Pipeline, opts preprocess.DecodeOptions, img *preprocess.RGB8, buf *bytes.Buffer, path string) (*preprocess.RGB8, *ImageError) {
	decoded, err := pipe.DecodeFileInto(opts, img, buf, path)
	if err != nil {
		return nil, decodeFailure(err)
	}
	return decoded, nil
}

// decodeFailure files a decoder error under the stage the decoder names
// (open, limit or decode).
func decodeFailure(err error) *ImageError {
	var de *preprocess.DecodeError
	if errors.As(err, &de) {
		return &ImageError{Stage: string(de.Stage), Err: de}
	}
	return &ImageError{Stage: StageDecode, Err: err}
}

// Reason is the text of an image's failure for an errors file: the
// decoder's reason without the path, which the file_name column gives.
func (e *ImageError) Reason() string {
	err := e.Err
	var de *preprocess.DecodeError
	if errors.As(err, &de) {
		err = de.Err
	}
	return err.Error()
}
