package preprocess

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// DefaultMaxFileBytes bounds one image file (ImageNet's largest val JPEG is
// under 16 MB).
const DefaultMaxFileBytes = 256 << 20

func (o DecodeOptions) maxFileBytes() int64 {
	if o.MaxFileBytes > 0 {
		return o.MaxFileBytes
	}
	return DefaultMaxFileBytes
}

// DecodeFile reads and decodes one image file. Errors are *DecodeError
// values naming the path.
func (o DecodeOptions) DecodeFile(path string) (*RGB8, error) {
	var buf bytes.Buffer
	return o.DecodeFileInto(nil, &buf, path)
}

// DecodeFileInto is DecodeFile reusing buf for the file's bytes and dst's
// pixel buffer when it is large enough: a worker decoding many files keeps
// one of each.
func (o DecodeOptions) DecodeFileInto(dst *RGB8, buf *bytes.Buffer, path string) (*RGB8, error) {
	return o.decodeFile(dst, buf, path, decodeHint{})
}

func (o DecodeOptions) decodeFile(dst *RGB8, buf *bytes.Buffer, path string, hint decodeHint) (*RGB8, error) {
	if err := o.ReadFile(buf, path); err != nil {
		return nil, err
	}
	img, stage, err := o.decode(dst, buf.Bytes(), hint)
	if err != nil {
		return nil, &DecodeError{Path: path, Stage: stage, Err: err}
	}
	return img, nil
}

// ReadFile reads the regular file at path into buf (reset first), refusing
// anything else and files over MaxFileBytes before reading them. It never
// blocks on a FIFO. Errors are *DecodeError values (StageOpen or StageLimit).
func (o DecodeOptions) ReadFile(buf *bytes.Buffer, path string) error {
	// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
	// writer forever. It changes nothing for regular files.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return &DecodeError{Path: path, Stage: StageOpen, Err: withoutPath(err)}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return &DecodeError{Path: path, Stage: StageOpen, Err: withoutPath(err)}
	}
	if !st.Mode().IsRegular() {
		return &DecodeError{Path: path, Stage: StageOpen, Err: fmt.Errorf("%w (mode %v)", ErrNotRegular, st.Mode())}
	}
	limit := o.maxFileBytes()
	if st.Size() > limit {
		return &DecodeError{Path: path, Stage: StageLimit, Err: fmt.Errorf("%w: %d bytes, over the %d-byte limit", ErrFileTooLarge, st.Size(), limit)}
	}
	buf.Reset()
	buf.Grow(int(st.Size()) + 1)
	n, err := buf.ReadFrom(io.LimitReader(f, limit+1))
	if err != nil {
		return &DecodeError{Path: path, Stage: StageOpen, Err: withoutPath(err)}
	}
	if n > limit {
		return &DecodeError{Path: path, Stage: StageLimit, Err: fmt.Errorf("%w: grew over the %d-byte limit while read", ErrFileTooLarge, limit)}
	}
	return nil
}

// withoutPath drops the path an *fs.PathError repeats (DecodeError names
// it once), keeping the operation and the cause for errors.Is.
func withoutPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
