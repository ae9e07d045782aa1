package preprocess

import (
	"fmt"
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
func (p *Pipeline) Crop(img *RGB8) (*RGB8, error) {
	s := p.pool.Get().(*scratch)
	defer p.pool.Put(s)
	return p.cropInto(nil, img, s)
}

func (p *Pipeline) cropInto(dst, img *RGB8, s *scratch) (*RGB8, error) {
	if err := img.Validate(); err != nil {
		return nil, fmt.Errorf("crop: %w", err)
	}
	rw, rh := ResizedSize(img.W, img.H, p.resize)
	if rw <= 0 || rh <= 0 {
		return nil, fmt.Errorf("crop: %dx%d image resizes to %dx%d", img.W, img.H, rw, rh)
	}
	c := p.cfg.CropSize
	win := resample.Window{X: CenterOffset(rw, c), Y: CenterOffset(rh, c), W: c, H: c}
	return resample.ResizeWindow(dst, img, rw, rh, p.cfg.Interpolation, win, &s.rs)
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
