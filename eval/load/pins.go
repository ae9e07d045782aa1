package load

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// PinError is a file of the annotation folder whose sha256 is not the one
// pinned for it (eval.DatasetOptions.Pins): damaged or changed since it
// was installed.
type PinError struct {
	Path      string
	Got, Want string
}

func (e *PinError) Error() string {
	return fmt.Sprintf("%s: sha256 %s, want %s: the file was damaged or changed since set-up installed it, and is not used; `imagenetx setup` re-installs it",
		e.Path, e.Got, e.Want)
}

// checkPin checks the file at path of the annotation folder against its
// pin, if pins has one: data is its content when already read (nil: the
// file is read to hash it).
func checkPin(pins map[string]string, path string, data []byte) error {
	want, ok := pins[filepath.Base(path)]
	if !ok {
		return nil
	}
	h := sha256.New()
	if data != nil {
		h.Write(data)
	} else {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := io.Copy(h, f); err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return &PinError{Path: path, Got: got, Want: want}
	}
	return nil
}

// CheckPin checks the file at path against its pin in pins (the name of a
// file of an annotation folder → its sha256), if it has one: a *PinError
// when it differs. A missing file is left to its reader.
func CheckPin(pins map[string]string, path string) error {
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return nil
	}
	return checkPin(pins, path, nil)
}
