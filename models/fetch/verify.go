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
	"os"
	"path/filepath"
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

// ErrTooLarge is returned when a source exceeds the size limit.
var ErrTooLarge = errors.New("file exceeds the size limit")

// InstallVerified streams src into dest through a temporary file in dest's
// folder, and renames it into place only when its sha256 is want; otherwise
// the temporary file is deleted and a *MismatchError names source. At most
// maxBytes are accepted (≤ 0: DefaultMaxBytes).
func InstallVerified(dest, want, source string, src io.Reader, maxBytes int64) error {
	tmp, err := stageVerified(dest, want, source, src, maxBytes)
	if err != nil {
		return err
	}
	return commitStaged(tmp, dest)
}

// stageVerified writes src to a verified temporary file next to dest and
// returns its name; on any failure nothing is left behind.
func stageVerified(dest, want, source string, src io.Reader, maxBytes int64) (_ string, err error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return "", fmt.Errorf("install %s: %w", dest, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*.part")
	if err != nil {
		return "", fmt.Errorf("install %s: %w", dest, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(src, maxBytes+1))
	if err != nil {
		return "", fmt.Errorf("install %s from %s: %w", dest, source, err)
	}
	if n > maxBytes {
		return "", fmt.Errorf("install %s from %s: %w (%d bytes)", dest, source, ErrTooLarge, maxBytes)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return "", fmt.Errorf("install %s: %w", dest, &MismatchError{What: source, Got: got, Want: want})
	}
	if err := tmp.Chmod(0o644); err != nil {
		return "", fmt.Errorf("install %s: %w", dest, err)
	}
	if err := tmp.Sync(); err != nil {
		return "", fmt.Errorf("install %s: %w", dest, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("install %s: %w", dest, err)
	}
	return tmp.Name(), nil
}

// commitStaged renames a staged file into place (atomic on one file system).
func commitStaged(tmp, dest string) error {
	if err := os.Rename(tmp, dest); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("install %s: %w", dest, err)
	}
	return nil
}
