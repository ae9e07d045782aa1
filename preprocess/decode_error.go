package preprocess

import (
	"errors"
	"strconv"
	"unicode/utf8"
)

// Stage names the step of reading an image that failed, for the (file,
// stage, reason) rows of a run's errors file.
type Stage string

// The stages a DecodeError reports.
const (
	// StageOpen: the file could not be opened or read, or is not a regular
	// file (a directory, FIFO, device, dangling link or link loop).
	StageOpen Stage = "open"
	// StageLimit: a safety limit refused the file before its pixels were
	// allocated (DecodeOptions.MaxPixels, MaxFileBytes, progressive scans,
	// PNG text chunks).
	StageLimit Stage = "limit"
	// StageDecode: the bytes are not a decodable image (unknown format,
	// corrupt, truncated, unsupported).
	StageDecode Stage = "decode"
)

// Reasons a DecodeError wraps; test them with errors.Is.
var (
	// ErrUnknownFormat: empty, or no supported image format's magic bytes.
	ErrUnknownFormat = errors.New("cannot identify image file")
	// ErrTruncated: the data ended before the image did (Pillow's
	// "image file is truncated").
	ErrTruncated = errors.New("image file is truncated")
	// ErrCorrupt: the data is damaged or invalid.
	ErrCorrupt = errors.New("corrupt image data")
	// ErrUnsupported: a valid file of a kind Pillow 9.4 does not read
	// either (a BMP compression or bit depth it lacks, for example).
	ErrUnsupported = errors.New("unsupported image")
	// ErrTooManyPixels: the header declares more pixels than
	// DecodeOptions.MaxPixels allows (a decompression bomb).
	ErrTooManyPixels = errors.New("decompression bomb")
	// ErrTextTooLarge: a PNG's text chunks are over Pillow's limits (one
	// decompressing to more than 1 MiB, or all together to more than 64 MiB
	// of text): a decompression bomb that Pillow refuses too.
	ErrTextTooLarge = errors.New("text chunks too large")
	// ErrTooManyScans: a progressive JPEG has more scans than any encoder
	// writes (a denial-of-service pattern); libjpeg-turbo's TurboJPEG API
	// refuses the same files with TJFLAG_LIMITSCANS.
	ErrTooManyScans = errors.New("too many scans")
	// ErrFileTooLarge: the file is over DecodeOptions.MaxFileBytes.
	ErrFileTooLarge = errors.New("file too large")
	// ErrNotRegular: the path is not a regular file.
	ErrNotRegular = errors.New("not a regular file")
)

// DecodeError is why one image could not be decoded: the file (empty when
// bytes were decoded), the stage that failed and the underlying reason.
type DecodeError struct {
	Path  string
	Stage Stage
	Err   error
}

// Error reads "<stage> <path>: <reason>"; a path that is not valid UTF-8 is
// quoted with Go escapes so that the message stays printable.
func (e *DecodeError) Error() string {
	if e.Path == "" {
		return string(e.Stage) + ": " + e.Err.Error()
	}
	return string(e.Stage) + " " + PrintablePath(e.Path) + ": " + e.Err.Error()
}

// Unwrap returns the reason.
func (e *DecodeError) Unwrap() error { return e.Err }

// PrintablePath returns path unchanged when it is valid UTF-8 without
// control characters, else Go-quoted (file names on Linux are arbitrary
// bytes; reports and CSV rows need text).
func PrintablePath(path string) string {
	if !utf8.ValidString(path) {
		return strconv.Quote(path)
	}
	for _, r := range path {
		if r < 0x20 || r == 0x7f {
			return strconv.Quote(path)
		}
	}
	return path
}
