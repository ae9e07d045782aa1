package preprocess

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"sync"

	"github.com/imagenetx/imagenetx/preprocess/resample"
	"github.com/imagenetx/imagenetx/preprocess/variant"
)

// Pipeline is resize -> center crop -> variant chain (uint8) -> ToTensor ->
// Normalize. It is immutable and safe for concurrent use; per-call scratch
// buffers come from an internal pool, so steady-state calls allocate little.
type Pipeline struct {
	cfg     Config
	resize  int
	variant *variant.Chain // nil: no variant
	pool    sync.Pool      // *scratch
}

// scratch is one call's reusable working memory.
type scratch struct {
	rs   resample.Scratch
	crop *RGB8
}

// NewPipeline validates cfg and parses variantSpec ("" for none; syntax in
// package variant). Random variant steps are seeded with seed 0; use
// NewPipelineSeed to choose the seed.
func NewPipeline(cfg Config, variantSpec string) (*Pipeline, error) {
	return NewPipelineSeed(cfg, variantSpec, 0)
}

// NewPipelineSeed is NewPipeline with the seed that, with each image's key,
// draws the random variant steps.
func NewPipelineSeed(cfg Config, variantSpec string, seed uint64) (*Pipeline, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("preprocess config: %w", err)
	}
	p := &Pipeline{cfg: cfg, resize: cfg.Resize()}
	if variantSpec != "" {
		ch, err := variant.Parse(variantSpec, seed)
		if err != nil {
			return nil, err
		}
		p.variant = ch
	}
	p.pool.New = func() any { return &scratch{} }
	return p, nil
}

// Config returns the pipeline's configuration.
func (p *Pipeline) Config() Config { return p.cfg }

// Variant returns the pipeline's variant chain, nil when it has none.
func (p *Pipeline) Variant() *variant.Chain { return p.variant }

// TensorLen is the number of float32 values Tensor writes: 3*CropSize².
func (p *Pipeline) TensorLen() int { return 3 * p.cfg.CropSize * p.cfg.CropSize }

// Crop resizes (shorter side to Resize()) and center-crops img, returning a
// new CropSize² image equal to torchvision's Resize + CenterCrop on PIL.
func (p *Pipeline) Crop(img *RGB8) (*RGB8, error) { return p.CropInto(nil, img) }

// CropInto is Crop writing into dst's buffer when it is large enough (nil:
// a new image), for a caller that keeps one crop per worker.
func (p *Pipeline) CropInto(dst, img *RGB8) (*RGB8, error) {
	s := p.pool.Get().(*scratch)
	defer p.pool.Put(s)
	return p.cropInto(dst, img, s)
}

func (p *Pipeline) cropInto(dst, img *RGB8, s *scratch) (*RGB8, error) {
	if err := img.Validate(); err != nil {
		return nil, fmt.Errorf("crop: %w", err)
	}
	// A Reduced image (a fast DCT-scaled decode) is resized with the full
	// picture's geometry, so that each output pixel samples the same place
	// as it would in the full-size image.
	fw, fh := img.FileSize()
	rw, rh := ResizedSize(fw, fh, p.resize)
	if rw <= 0 || rh <= 0 {
		return nil, fmt.Errorf("crop: %dx%d image resizes to %dx%d", fw, fh, rw, rh)
	}
	return resample.ResizeWindow(dst, img, rw, rh, p.cfg.Interpolation, p.window(rw, rh), &s.rs)
}

// window is the center crop of an rw×rh resized image.
func (p *Pipeline) window(rw, rh int) resample.Window {
	c := p.cfg.CropSize
	return resample.Window{X: CenterOffset(rw, c), Y: CenterOffset(rh, c), W: c, H: c}
}

// decodeHint is what a caller that knows how the image will be used tells
// the decoder; the zero value asks for every pixel at full size.
type decodeHint struct {
	// minSide: with DecodeOptions.Fast, JPEGs may be DCT-scaled down as far
	// as their shorter side stays at least this long (0: no scaling).
	minSide int
	// region returns the rectangle of a w×h decoded image, reduced by r,
	// that the caller will read; the decoder may leave the pixels outside it
	// unwritten. Nil: all.
	region func(w, h int, r Reduction) image.Rectangle
}

// DecodeInto decodes an image file's bytes for this pipeline, reusing dst's
// buffer when it is large enough. The image is meant for this pipeline's
// Crop, Image and Tensor only, which give exactly what they give for
// o.DecodeInto's image: JPEG pixels that the resize and crop never read are
// left out (libjpeg-turbo skips their IDCT, upsampling and colour
// conversion, though every byte is still read, so damaged files fail as
// they do whole) and their bytes in the image are undefined. With o.Fast,
// JPEGs are also DCT-scaled towards the resize target, so the image may be
// smaller than the file's. Errors are *DecodeError values with an empty Path.
func (p *Pipeline) DecodeInto(o DecodeOptions, dst *RGB8, data []byte) (*RGB8, error) {
	img, stage, err := o.decode(dst, data, p.decodeHint())
	if err != nil {
		return nil, &DecodeError{Stage: stage, Err: err}
	}
	return img, nil
}

// DecodeFileInto is DecodeInto for the image file at path, reading it into
// buf as o.DecodeFileInto does. Errors are *DecodeError values naming path.
func (p *Pipeline) DecodeFileInto(o DecodeOptions, dst *RGB8, buf *bytes.Buffer, path string) (*RGB8, error) {
	return o.decodeFile(dst, buf, path, p.decodeHint())
}

func (p *Pipeline) decodeHint() decodeHint {
	return decodeHint{minSide: p.resize, region: p.source}
}

// SharesDecode reports whether one decode of an image serves both a and b
// under o exactly as each pipeline's own DecodeInto would: always, except
// with o.Fast for pipelines of different resizes, since fast decoding
// scales a JPEG towards the resize target.
func SharesDecode(o DecodeOptions, a, b *Pipeline) bool {
	return !o.Fast || a.resize == b.resize
}

// DecodeForAll decodes an image file's bytes once for every pipeline of
// pipes (at least one), which must pairwise share a decode (SharesDecode):
// the image holds every pixel that any of their crops reads, so each
// pipeline's Crop, Image and Tensor give on it exactly what they give on
// its own DecodeInto's image. Errors are *DecodeError values with an empty
// Path, as DecodeInto's.
func DecodeForAll(o DecodeOptions, dst *RGB8, data []byte, pipes []*Pipeline) (*RGB8, error) {
	if len(pipes) == 0 {
		return nil, &DecodeError{Stage: StageDecode, Err: errors.New("no pipeline to decode for")}
	}
	for _, p := range pipes[1:] {
		if !SharesDecode(o, pipes[0], p) {
			return nil, &DecodeError{Stage: StageDecode,
				Err: fmt.Errorf("fast decoding for resizes %d and %d at once: decode once per resize", pipes[0].resize, p.resize)}
		}
	}
	if len(pipes) == 1 {
		return pipes[0].DecodeInto(o, dst, data)
	}
	hint := decodeHint{minSide: pipes[0].resize, region: func(w, h int, red Reduction) image.Rectangle {
		var r image.Rectangle
		for _, p := range pipes {
			r = r.Union(p.source(w, h, red))
		}
		return r
	}}
	img, stage, err := o.decode(dst, data, hint)
	if err != nil {
		return nil, &DecodeError{Stage: stage, Err: err}
	}
	return img, nil
}

// source is the rectangle of a w×h image, reduced by r, that Crop reads.
func (p *Pipeline) source(w, h int, r Reduction) image.Rectangle {
	fw, fh := r.FileSize(w, h)
	rw, rh := ResizedSize(fw, fh, p.resize)
	if rw <= 0 || rh <= 0 {
		return image.Rect(0, 0, w, h)
	}
	x0, y0, x1, y1 := resample.SourceReduced(w, h, r, rw, rh, p.cfg.Interpolation, p.window(rw, rh))
	return image.Rect(x0, y0, x1, y1)
}

// Image is Crop followed by the variant chain; key (the file name) seeds the
// random steps, so results do not depend on call order or goroutine.
func (p *Pipeline) Image(img *RGB8, key string) (*RGB8, error) {
	out, err := p.Crop(img)
	if err != nil {
		return nil, err
	}
	if p.variant == nil {
		return out, nil
	}
	return p.variant.Apply(out, key)
}

// Tensor runs the full pipeline on img into dst (TensorLen values) in the
// given layout.
func (p *Pipeline) Tensor(img *RGB8, key string, dst []float32, layout Layout) error {
	if len(dst) != p.TensorLen() {
		return fmt.Errorf("tensor: dst holds %d values, want %d", len(dst), p.TensorLen())
	}
	s := p.pool.Get().(*scratch)
	defer p.pool.Put(s)
	crop, err := p.cropInto(s.crop, img, s)
	if err != nil {
		return err
	}
	s.crop = crop
	if p.variant != nil {
		if crop, err = p.variant.Apply(crop, key); err != nil {
			return err
		}
	}
	return ToTensor(crop, p.cfg.Mean, p.cfg.Std, dst, layout)
}
