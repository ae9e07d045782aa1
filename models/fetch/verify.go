// Package fetch installs pinned files — annotations, models, the ONNX Runtime
// library — into place: copied from a local mirror, downloaded, or taken out
// of an npm tarball, always checked against a sha256 fixed in the code before
// anything may use them. A file that does not match is deleted, never kept.
package fetch

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/imagenetx/imagenetx/internal/atomicfile"
)

// DefaultMaxBytes bounds any single installed file, so a hostile or broken
// source cannot fill the disk.
const DefaultMaxBytes = 1 << 30

// MismatchError reports a file whose sha256 is not the pinned one.
type MismatchError struct {
	What      string
	Got, Want string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("%s: sha256 %s, want %s", e.What, e.Got, e.Want)
}

// FileSHA256 returns the hex sha256 of the file at path.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// VerifyFile checks that the file at path has sha256 want. The error wraps
// os.ErrNotExist for a missing file and is a *MismatchError for a wrong one.
func VerifyFile(path, want string) error {
	got, err := FileSHA256(path)
	if err != nil {
		return err
	}
	if got != want {
		return &MismatchError{What: path, Got: got, Want: want}
	}
	return nil
}

// VerifyDest is VerifyFile for an install destination, written by
// atomicfile's rule: a device or FIFO there holds no file to check (and
// reading a FIFO would wait for a writer), so it counts as missing.
func VerifyDest(path, want string) error {
	if t, err := atomicfile.Resolve(path); err == nil && t.InPlace() {
		return &fs.PathError{Op: "verify", Path: path, Err: fs.ErrNotExist}
	}
	return VerifyFile(path, want)
}

// ErrTooLarge is returned when a source exceeds the size limit.
var ErrTooLarge = errors.New("file exceeds the size limit")

// InstallVerified streams src into dest through a temporary file in dest's
// folder, and renames it into place only when its sha256 is want; otherwise
// the temporary file is deleted and a *MismatchError names source. At most
// maxBytes are accepted (≤ 0: DefaultMaxBytes). dest is written by
// atomicfile's rule: through a link to its target, and in place (checked
// only afterwards) on a device.
func InstallVerified(dest, want, source string, src io.Reader, maxBytes int64) error {
	f, err := stageVerified(dest, want, source, src, maxBytes)
	if err != nil {
		return err
	}
	return commitStaged(f, dest)
}

// stageVerified writes src to a verified, uncommitted output for dest; on
// any failure it is aborted and nothing is left behind.
func stageVerified(dest, want, source string, src io.Reader, maxBytes int64) (_ *atomicfile.File, err error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return nil, fmt.Errorf("install %s: %w", dest, err)
	}
	f, err := atomicfile.Create(dest)
	if err != nil {
		return nil, fmt.Errorf("install %s: %w", dest, err)
	}
	defer func() {
		if err != nil {
			f.Abort()
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(src, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("install %s from %s: %w", dest, source, err)
	}
	if n > maxBytes {
		return nil, fmt.Errorf("install %s from %s: %w (%d bytes)", dest, source, ErrTooLarge, maxBytes)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return nil, fmt.Errorf("install %s: %w", dest, &MismatchError{What: source, Got: got, Want: want})
	}
	return f, nil
}

// commitStaged puts a staged file into place (atomic on one file system).
func commitStaged(f *atomicfile.File, dest string) error {
	if err := f.Commit(); err != nil {
		return fmt.Errorf("install %s: %w", dest, err)
	}
	return nil
}
