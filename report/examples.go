package report

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/jpeg"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/disintegration/imaging"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/preprocess"
)

// Thumbnail limits: the longer side of a thumbnail, its JPEG quality, and
// the largest image decoded (a guard against decompression bombs).
const (
	thumbSide      = 160
	thumbQuality   = 80
	maxThumbPixels = 60_000_000
)

// exampleStrips picks, for each factor, images annotated with it that some
// model got wrong (those most models got wrong first) among the images found
// in dir, with thumbnails, names and the annotators' words.
func exampleStrips(ctx context.Context, m *models, dir string, perFactor int, decode preprocess.DecodeOptions) ([]strip, string, error) {
	files, err := indexImages(dir)
	if err != nil {
		return nil, "", err
	}
	ds := m.acc.Dataset()
	outcomes := m.outcomes()
	wrong := make([]int, len(ds.Images))
	found := 0
	for i, im := range ds.Images {
		if _, ok := files[im.FileName]; !ok {
			continue
		}
		found++
		for _, o := range outcomes {
			if o.joined[i] && !o.correct[i] {
				wrong[i]++
			}
		}
	}
	note := fmt.Sprintf("%d of the %d annotated images are in %s. Each strip shows up to %d images with the factor that at least one model misclassified, those most models missed first.",
		found, len(ds.Images), dir, perFactor)
	thumbs := map[string]thumb{}
	var strips []strip
	for _, f := range m.order {
		picked := pickExamples(ds, wrong, f, perFactor)
		s := strip{Factor: eval.Factors[f]}
		if len(picked) == 0 {
			s.Note = "no misclassified image with this factor among the images found"
		}
		for _, i := range picked {
			if err := ctx.Err(); err != nil {
				return nil, "", err
			}
			path := files[ds.Images[i].FileName]
			th, ok := thumbs[path]
			if !ok {
				th = makeThumb(path, decode)
				thumbs[path] = th
			}
			s.Items = append(s.Items, describeExample(ds, outcomes, i, th))
		}
		strips = append(strips, s)
	}
	return strips, note, nil
}

// outcome is one model's correctness on every image of the dataset.
type outcome struct {
	model           *eval.ModelPredictions
	correct, joined []bool
}

func (m *models) outcomes() []outcome {
	var out []outcome
	for _, name := range m.acc.Models() {
		mp, ok := m.acc.Model(name)
		if !ok {
			continue
		}
		c, j := m.acc.Correct(mp, m.et)
		out = append(out, outcome{mp, c, j})
	}
	return out
}

// pickExamples returns up to n images with factor f that some model got
// wrong, most models wrong first, then by file name.
func pickExamples(ds *eval.Dataset, wrong []int, f, n int) []int {
	var idx []int
	for i := range ds.Images {
		if wrong[i] > 0 && ds.Images[i].Has(f) {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(a, b int) int {
		return cmp.Or(cmp.Compare(wrong[b], wrong[a]), strings.Compare(ds.Images[a].FileName, ds.Images[b].FileName))
	})
	return idx[:min(n, len(idx))]
}

func describeExample(ds *eval.Dataset, outcomes []outcome, i int, th thumb) example {
	im := &ds.Images[i]
	ex := example{
		Thumb: th.uri, ThumbError: th.err, Width: th.width, Height: th.height,
		File: im.FileName, True: className(ds, im.Class), OneWord: im.OneWord, Why: im.Justification,
	}
	for _, o := range outcomes {
		if !o.joined[i] {
			continue
		}
		ex.Predictions = append(ex.Predictions, prediction{
			Text:  fmt.Sprintf("%s: %s (%.2f)", o.model.Name, className(ds, int(o.model.Class[i])), o.model.Prob[i]),
			Wrong: !o.correct[i],
		})
	}
	return ex
}

// className is the readable name of a class, or its number.
func className(ds *eval.Dataset, c int) string {
	if c >= 0 && c < len(ds.ClassNames) && ds.ClassNames[c] != "" {
		return ds.ClassNames[c]
	}
	return fmt.Sprintf("class %d", c)
}

// indexImages maps the file names of the images under dir to their paths.
func indexImages(dir string) (map[string]string, error) {
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".jpeg", ".jpg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp":
			if _, dup := files[d.Name()]; !dup {
				files[d.Name()] = path
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("report: images %s: %w", dir, err)
	}
	return files, nil
}

// thumb is a thumbnail as a data: URI, or why there is none.
type thumb struct {
	uri           template.URL
	width, height int
	err           string
}

// makeThumb decodes an image as the model's input was decoded (the
// preprocess decoder, with the run's options: Pillow's pixels, no EXIF
// rotation) and shrinks it; a file that cannot be read gives a thumb that
// says why, so one bad image does not sink the report.
func makeThumb(path string, opts preprocess.DecodeOptions) thumb {
	if opts.MaxPixels <= 0 || opts.MaxPixels > maxThumbPixels {
		opts.MaxPixels = maxThumbPixels
	}
	img, err := opts.DecodeFile(path)
	if err != nil {
		return thumb{err: err.Error()}
	}
	small := imaging.Fit(img.NRGBA(), thumbSide, thumbSide, imaging.Lanczos)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, small, &jpeg.Options{Quality: thumbQuality}); err != nil {
		return thumb{err: fmt.Sprintf("encode thumbnail of %s: %v", path, err)}
	}
	b := small.Bounds()
	// The URI is built here from bytes we encoded, so it is safe to mark as such.
	uri := template.URL("data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
	return thumb{uri: uri, width: b.Dx(), height: b.Dy()}
}
