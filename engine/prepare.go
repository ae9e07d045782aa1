package engine

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/imagenetx/imagenetx/preprocess"
)

// DefaultMaxFileBytes bounds one image file (ImageNet's largest val JPEG is
// under 16 MB); bigger files are refused before reading.
const DefaultMaxFileBytes = 256 << 20

// ImagePreparer reads, decodes and preprocesses image files into tensors.
type ImagePreparer struct {
	Pipeline *preprocess.Pipeline
	Layout   preprocess.Layout
	// MaxFileBytes bounds a file's size (0: DefaultMaxFileBytes).
	MaxFileBytes int64
}

// NewWorker returns a PrepareFunc with its own file and pixel buffers.
func (p *ImagePreparer) NewWorker() PrepareFunc {
	var buf bytes.Buffer
	var img *preprocess.RGB8
	limit := p.MaxFileBytes
	if limit <= 0 {
		limit = DefaultMaxFileBytes
	}
	return func(item Item, dst []float32) error {
		if err := readInto(&buf, item.Path, limit); err != nil {
			return &ImageError{Stage: StageRead, Err: err}
		}
		decoded, err := preprocess.DecodeInto(img, buf.Bytes())
		if err != nil {
			return &ImageError{Stage: StageDecode, Err: err}
		}
		img = decoded
		if err := p.Pipeline.Tensor(img, item.Name, dst, p.Layout); err != nil {
			return &ImageError{Stage: StagePreprocess, Err: err}
		}
		return nil
	}
}

// readInto reads the file at path into buf (reused), refusing files over
// limit bytes and anything that is not a regular file.
func readInto(buf *bytes.Buffer, path string, limit int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	if st.Size() > limit {
		return fmt.Errorf("%s is %d bytes, over the %d-byte limit", path, st.Size(), limit)
	}
	buf.Reset()
	buf.Grow(int(st.Size()) + 1)
	n, err := buf.ReadFrom(io.LimitReader(f, limit+1))
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if n > limit {
		return fmt.Errorf("%s grew over the %d-byte limit while read", path, limit)
	}
	return nil
}
