package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/jpeg"
	"strings"

	"github.com/disintegration/imaging"

	"github.com/imagenetx/imagenetx/preprocess"
)

// Thumbnail limits: the longer side of a thumbnail, its JPEG quality, and
// the largest image decoded (a guard against decompression bombs). At this
// size and quality a thumbnail weighs about 6 KB once base64-encoded.
const (
	thumbSide      = 128
	thumbQuality   = 72
	maxThumbPixels = 60_000_000
)

// thumbnails makes each image's thumbnail once and names it by a CSS class
// whose rule holds the image, so that an image shown in several places
// (several factors, a card and a row) is embedded once.
type thumbnails struct {
	decode preprocess.DecodeOptions
	class  map[string]string // path → class name
	err    map[string]string // path → why it has no thumbnail
	rules  strings.Builder
}

// newThumbnails makes thumbnails of images decoded as the model's input was
// (the preprocess decoder with the run's options: Pillow's pixels, no EXIF
// rotation), the pixel limit capped for thumbnails.
func newThumbnails(decode preprocess.DecodeOptions) *thumbnails {
	if decode.MaxPixels <= 0 || decode.MaxPixels > maxThumbPixels {
		decode.MaxPixels = maxThumbPixels
	}
	return &thumbnails{decode: decode, class: map[string]string{}, err: map[string]string{}}
}

// of returns the class of the thumbnail of the image at path, or why there
// is none: one unreadable image does not sink the report.
func (t *thumbnails) of(path string) (class, why string) {
	if c, ok := t.class[path]; ok {
		return c, ""
	}
	if e, ok := t.err[path]; ok {
		return "", e
	}
	data, err := makeThumb(path, t.decode)
	if err != nil {
		t.err[path] = err.Error()
		return "", err.Error()
	}
	c := fmt.Sprintf("t%d", len(t.class))
	t.class[path] = c
	fmt.Fprintf(&t.rules, ".%s{background-image:url(data:image/jpeg;base64,%s)}\n", c, base64.StdEncoding.EncodeToString(data))
	return c, ""
}

func (t *thumbnails) count() int { return len(t.class) }

// css is the rules of every thumbnail made. They are built here from class
// names and base64 text we wrote, so they are safe to mark as CSS.
func (t *thumbnails) css() template.CSS { return template.CSS(t.rules.String()) }

// indexImages maps the names of the images below dir to their paths, named
// by the rule every command lists a folder by (preprocess.ListImages), so
// that an image a run named cats/001.jpg finds its thumbnail.
func indexImages(dir string) (map[string]string, error) {
	list, err := preprocess.ListImages(dir)
	if err != nil {
		return nil, fmt.Errorf("report: images %s: %w", dir, err)
	}
	files := make(map[string]string, len(list))
	for _, f := range list {
		files[f.Name] = f.Path
	}
	return files, nil
}

// makeThumb decodes an image and shrinks it to a JPEG.
func makeThumb(path string, decode preprocess.DecodeOptions) ([]byte, error) {
	img, err := decode.DecodeFile(path)
	if err != nil {
		return nil, err
	}
	small := imaging.Fit(img.NRGBA(), thumbSide, thumbSide, imaging.Lanczos)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, small, &jpeg.Options{Quality: thumbQuality}); err != nil {
		return nil, fmt.Errorf("encode thumbnail of %s: %w", path, err)
	}
	return buf.Bytes(), nil
}
