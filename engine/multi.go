package engine

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/imagenetx/imagenetx/preprocess"
	"github.com/imagenetx/imagenetx/preprocess/variant"
)

// VariantPreparer reads and decodes each image once, resizes and crops it
// once, and fills one tensor per variant: the variant applied to a copy of
// the crop, back to back in the order of Variants. A nil variant is the
// identity, so its tensor equals ImagePreparer's for the same pipeline.
// Use it with Config.Views = len(Variants) and a ViewInferer.
type VariantPreparer struct {
	// Pipeline supplies the resize, crop and normalisation; its own variant
	// chain, if any, is not used.
	Pipeline *preprocess.Pipeline
	Layout   preprocess.Layout
	// Variants are applied to the crop, one tensor each (nil: identity).
	Variants []*variant.Chain
	// Decode holds the decoder's limits and policy, as ImagePreparer's.
	Decode preprocess.DecodeOptions
}

// NewWorker returns a PrepareFunc with its own file and pixel buffers; dst
// must hold len(Variants) tensors.
func (p *VariantPreparer) NewWorker() PrepareFunc {
	var buf bytes.Buffer
	var img, crop, scratch *preprocess.RGB8
	L := p.Pipeline.TensorLen()
	return func(item Item, dst []float32) error {
		if len(dst) != L*len(p.Variants) {
			return fmt.Errorf("variant tensors: dst holds %d values, want %d×%d", len(dst), len(p.Variants), L)
		}
		decoded, ierr := decodeItem(p.Pipeline, p.Decode, img, &buf, item.Path)
		if ierr != nil {
			return ierr
		}
		img = decoded
		cropped, err := p.Pipeline.CropInto(crop, img)
		if err != nil {
			return &ImageError{Stage: StagePreprocess, Err: err}
		}
		crop = cropped
		for v, chain := range p.Variants {
			if scratch, err = p.view(crop, scratch, chain, item.Name, dst[v*L:(v+1)*L]); err != nil {
				return &ImageError{Stage: StagePreprocess, Err: err}
			}
		}
		return nil
	}
}

// view turns one variant of crop into a tensor (see variantTensor).
func (p *VariantPreparer) view(crop, scratch *preprocess.RGB8, chain *variant.Chain, key string, dst []float32) (*preprocess.RGB8, error) {
	return variantTensor(p.Pipeline.Config(), p.Layout, chain, crop, scratch, key, dst)
}

// variantTensor normalises crop, with chain applied when there is one, into
// dst under cfg's mean and std. The chain works on a copy in scratch
// (returned for reuse), since chains may change their input in place and
// the crop feeds other tensors too; key (the file name) seeds its random
// steps.
func variantTensor(cfg preprocess.Config, layout preprocess.Layout, chain *variant.Chain, crop, scratch *preprocess.RGB8, key string, dst []float32) (*preprocess.RGB8, error) {
	if chain == nil {
		return scratch, preprocess.ToTensor(crop, cfg.Mean, cfg.Std, dst, layout)
	}
	scratch = copyImage(scratch, crop)
	out, err := chain.Apply(scratch, key)
	if err != nil {
		return scratch, err
	}
	return scratch, preprocess.ToTensor(out, cfg.Mean, cfg.Std, dst, layout)
}

// copyImage copies src into dst's buffer (reallocated when too small).
func copyImage(dst, src *preprocess.RGB8) *preprocess.RGB8 {
	if dst == nil {
		dst = &preprocess.RGB8{}
	}
	n := 3 * src.W * src.H
	if cap(dst.Pix) < n {
		dst.Pix = make([]uint8, n)
	}
	dst.Pix, dst.Stride, dst.W, dst.H = dst.Pix[:n], 3*src.W, src.W, src.H
	for y := 0; y < src.H; y++ {
		copy(dst.Row(y), src.Row(y))
	}
	return dst
}

// ViewInferer runs batches of images that hold Views tensors each (as
// VariantPreparer fills them) through Inner with one call per view. Each
// call therefore holds exactly the images, in the same order and number, of
// a plain run's batch: models whose scores depend on their batch-mates
// (dynamic quantisation) or whose batch size is fixed give every view the
// scores a plain run of that view would. It is safe for concurrent calls
// when Inner is.
type ViewInferer struct {
	Inner Inferer
	// Views is the number of tensors per image; InputLen and Classes are
	// one view's tensor length and number of scores.
	Views, InputLen, Classes int
	pool                     sync.Pool // *viewBuffers
}

// viewBuffers hold one view's gathered inputs and outputs for one call.
type viewBuffers struct{ in, out []float32 }

// Run infers n images: in holds n×Views tensors (image-major), out receives
// n×Views rows of scores in the same order.
func (v *ViewInferer) Run(in []float32, n int, out []float32) error {
	V, L, C := v.Views, v.InputLen, v.Classes
	if V <= 0 || L <= 0 || C <= 0 {
		return fmt.Errorf("view inferer: views %d, input length %d, classes %d must be positive", V, L, C)
	}
	if len(in) != n*V*L || len(out) != n*V*C {
		return fmt.Errorf("view inferer: %d inputs and %d outputs for %d images of %d views", len(in), len(out), n, V)
	}
	b, _ := v.pool.Get().(*viewBuffers)
	if b == nil || len(b.in) < n*L {
		b = &viewBuffers{in: make([]float32, n*L), out: make([]float32, n*C)}
	}
	defer v.pool.Put(b)
	for view := 0; view < V; view++ {
		for i := 0; i < n; i++ {
			copy(b.in[i*L:(i+1)*L], in[(i*V+view)*L:])
		}
		if err := v.Inner.Run(b.in[:n*L], n, b.out[:n*C]); err != nil {
			return fmt.Errorf("view %d: %w", view, err)
		}
		for i := 0; i < n; i++ {
			copy(out[(i*V+view)*C:(i*V+view+1)*C], b.out[i*C:(i+1)*C])
		}
	}
	return nil
}

// WithViews returns cfg (set up for one tensor per image) set up for views
// tensors per image, and the ViewInferer to run it with through inner.
func WithViews(cfg Config, views int, inner Inferer) (Config, *ViewInferer, error) {
	if views <= 0 {
		return cfg, nil, fmt.Errorf("views %d: must be positive", views)
	}
	if cfg.Views > 1 {
		return cfg, nil, fmt.Errorf("config already has %d views", cfg.Views)
	}
	inf := &ViewInferer{Inner: inner, Views: views, InputLen: cfg.InputLen, Classes: cfg.Classes}
	cfg.InputLen *= views
	cfg.Classes *= views
	cfg.Views = views
	return cfg, inf, nil
}

// ViewSinks is a Sink for a run with views: sink v receives view v's
// prediction as a plain Result (Pred set, Views nil), so each behaves as
// the sink of a plain run of that view; a failed image goes to every sink,
// and an image that only head v failed (Result.HeadErrs) to sink v as
// failed.
type ViewSinks []Sink

// Put splits r by view; r must carry one prediction per sink.
func (s ViewSinks) Put(r Result) error {
	if r.Err == nil && len(r.Views) != len(s) {
		return fmt.Errorf("%s: %d views for %d sinks", r.Item.Name, len(r.Views), len(s))
	}
	for v, sink := range s {
		one := Result{Item: r.Item, Err: r.Err}
		if one.Err == nil && r.HeadErrs != nil {
			one.Err = r.HeadErrs[v]
		}
		if one.Err == nil {
			one.Pred = r.Views[v]
		}
		if err := sink.Put(one); err != nil {
			return err
		}
	}
	return nil
}

// Flush flushes every sink, returning the first error.
func (s ViewSinks) Flush() error {
	var first error
	for _, sink := range s {
		if err := sink.Flush(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
