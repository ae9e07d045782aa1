package engine

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/imagenetx/imagenetx/preprocess"
)

// Input is one way of preparing an image for a model: its preprocessing
// pipeline (with any variant) and the tensor layout the model takes.
type Input struct {
	Pipeline *preprocess.Pipeline
	Layout   preprocess.Layout
}

// SharedPreparer prepares each image once for several models with
// different inputs: it reads the file once, decodes it once (once per
// resize with fast decoding, which scales JPEGs towards the resize target;
// preprocess.SharesDecode), resizes and crops it once per distinct
// preprocessing configuration, and fills one tensor per Input, back to back
// in the order of Inputs. Each tensor equals ImagePreparer's for its input.
// Use it with MultiModel.
type SharedPreparer struct {
	// Inputs must be distinct: one tensor each, whichever models take it.
	Inputs []Input
	// Decode holds the decoder's limits and policy, as ImagePreparer's.
	Decode preprocess.DecodeOptions
}

// decodeGroup is the inputs one decode serves, by crop configuration.
type decodeGroup struct {
	pipes []*preprocess.Pipeline // one per crop
	crops []cropGroup
}

// cropGroup is the inputs one resize and crop serve.
type cropGroup struct {
	pipe   *preprocess.Pipeline
	inputs []int
}

// groups plans the decodes and crops: inputs whose pipelines share a
// decode, and within those, inputs of one preprocessing configuration.
func (p *SharedPreparer) groups() []decodeGroup {
	var out []decodeGroup
	for i, in := range p.Inputs {
		g := 0
		for g < len(out) && !preprocess.SharesDecode(p.Decode, out[g].pipes[0], in.Pipeline) {
			g++
		}
		if g == len(out) {
			out = append(out, decodeGroup{})
		}
		dg := &out[g]
		c := 0
		for c < len(dg.crops) && dg.crops[c].pipe.Config() != in.Pipeline.Config() {
			c++
		}
		if c == len(dg.crops) {
			dg.crops = append(dg.crops, cropGroup{pipe: in.Pipeline})
			dg.pipes = append(dg.pipes, in.Pipeline)
		}
		dg.crops[c].inputs = append(dg.crops[c].inputs, i)
	}
	return out
}

// TensorLens are the lengths of the Inputs' tensors, in order.
func (p *SharedPreparer) TensorLens() []int {
	lens := make([]int, len(p.Inputs))
	for i, in := range p.Inputs {
		lens[i] = in.Pipeline.TensorLen()
	}
	return lens
}

// NewWorker returns a PrepareFunc with its own file and pixel buffers; dst
// must hold every input's tensor (the sum of TensorLens).
func (p *SharedPreparer) NewWorker() PrepareFunc {
	groups := p.groups()
	lens := p.TensorLens()
	offsets, total := prefixSums(lens)
	var buf bytes.Buffer
	decoded := make([]*preprocess.RGB8, len(groups))
	crops := make([][]*preprocess.RGB8, len(groups))
	for g := range groups {
		crops[g] = make([]*preprocess.RGB8, len(groups[g].crops))
	}
	var scratch *preprocess.RGB8
	return func(item Item, dst []float32) error {
		if len(dst) != total {
			return fmt.Errorf("shared tensors: dst holds %d values, want %d", len(dst), total)
		}
		if err := p.Decode.ReadFile(&buf, item.Path); err != nil {
			return decodeFailure(err)
		}
		for g, group := range groups {
			img, err := preprocess.DecodeForAll(p.Decode, decoded[g], buf.Bytes(), group.pipes)
			if err != nil {
				return decodeFailure(err)
			}
			decoded[g] = img
			for c, cg := range group.crops {
				crop, err := cg.pipe.CropInto(crops[g][c], img)
				if err != nil {
					return &ImageError{Stage: StagePreprocess, Err: err}
				}
				crops[g][c] = crop
				for _, i := range cg.inputs {
					in := p.Inputs[i]
					if scratch, err = tensorOf(in, crop, scratch, item.Name, dst[offsets[i]:offsets[i]+lens[i]]); err != nil {
						return &ImageError{Stage: StagePreprocess, Err: err}
					}
				}
			}
		}
		return nil
	}
}

// tensorOf turns crop into in's tensor (see variantTensor).
func tensorOf(in Input, crop, scratch *preprocess.RGB8, key string, dst []float32) (*preprocess.RGB8, error) {
	return variantTensor(in.Pipeline.Config(), in.Layout, in.Pipeline.Variant(), crop, scratch, key, dst)
}

// prefixSums returns each length's offset in the concatenation, and the
// total.
func prefixSums(lens []int) ([]int, int) {
	offsets := make([]int, len(lens))
	total := 0
	for i, n := range lens {
		offsets[i] = total
		total += n
	}
	return offsets, total
}

// Feed is one model of several that one pass feeds (MultiModel).
type Feed struct {
	// Inferer runs the model (its *Session).
	Inferer Inferer
	// Input is the index, among each image's tensors (SharedPreparer's
	// Inputs), of the one this model takes.
	Input int
	// Batch is the model's own batch size: each of its calls holds the
	// images of one batch of its own run (aligned to multiples of Batch in
	// the list), so scores that depend on batch-mates (dynamic
	// quantisation) are the ones its own run gives. Pad fills a short
	// batch with zeros up to Batch, for a model whose batch is fixed.
	Batch int
	Pad   bool
	// Head is the model's number of scores and how they are scored.
	Head Head
}

// MaxPassBatch bounds a pass's batch, the least common multiple of its
// models' batches.
const MaxPassBatch = 4096

// MultiModel sets up one pass over images that feeds every model of feeds:
// the pass's Config, whose batch is the least common multiple of the
// models' batches, so that each batch of the pass splits into whole
// batches of every model's own run (workers and runners as given, 0:
// defaults), and the Inferer that runs each model on its tensor of the
// images (inputLens: SharedPreparer.TensorLens) and lays their scores side
// by side, one head per model. A Result's Views then hold one prediction
// per model, in the order of feeds (ViewSinks splits them).
func MultiModel(inputLens []int, feeds []Feed, workers, runners int) (Config, *ModelsInferer, error) {
	if len(feeds) == 0 {
		return Config{}, nil, fmt.Errorf("no model to feed")
	}
	inf := &ModelsInferer{feeds: feeds, inputLens: inputLens}
	inf.inputOffsets, inf.inputStride = prefixSums(inputLens)
	cfg := Config{Batch: 1, Workers: workers, Runners: runners, InputLen: inf.inputStride}
	for i, f := range feeds {
		if f.Input < 0 || f.Input >= len(inputLens) {
			return Config{}, nil, fmt.Errorf("model %d takes input %d of %d", i, f.Input, len(inputLens))
		}
		if f.Batch <= 0 {
			return Config{}, nil, fmt.Errorf("model %d: batch %d: must be positive", i, f.Batch)
		}
		cfg.Batch = lcm(cfg.Batch, f.Batch)
		if cfg.Batch > MaxPassBatch {
			return Config{}, nil, fmt.Errorf("the models' batch sizes make a pass batch of %d (their least common multiple), over %d: give batch sizes that divide one another", cfg.Batch, MaxPassBatch)
		}
		inf.outOffsets = append(inf.outOffsets, cfg.Classes)
		cfg.Classes += f.Head.Classes
		cfg.Heads = append(cfg.Heads, f.Head)
	}
	return cfg, inf, nil
}

func lcm(a, b int) int {
	x, y := a, b
	for y != 0 {
		x, y = y, x%y
	}
	return a / x * b
}

// ModelsInferer runs several models on the images' tensors, each in the
// batches of its own run (see MultiModel). It is safe for concurrent calls
// when the models' Inferers are.
type ModelsInferer struct {
	feeds                   []Feed
	inputLens, inputOffsets []int
	outOffsets              []int
	inputStride             int
	pool                    sync.Pool // *feedBuffers
}

// feedBuffers hold one model call's gathered inputs and outputs.
type feedBuffers struct{ in, out []float32 }

// Run infers n images: in holds each image's tensors back to back
// (image-major), out receives each image's models' scores back to back.
func (m *ModelsInferer) Run(in []float32, n int, out []float32) error {
	classes := 0
	for _, f := range m.feeds {
		classes += f.Head.Classes
	}
	if len(in) != n*m.inputStride || len(out) != n*classes {
		return fmt.Errorf("models inferer: %d inputs and %d outputs for %d images", len(in), len(out), n)
	}
	b, _ := m.pool.Get().(*feedBuffers)
	if b == nil {
		b = &feedBuffers{}
	}
	defer m.pool.Put(b)
	for i, f := range m.feeds {
		for start := 0; start < n; start += f.Batch {
			if err := m.runChunk(b, f, m.outOffsets[i], classes, in, start, min(f.Batch, n-start), out); err != nil {
				return fmt.Errorf("model %d, images %d..%d of the batch: %w", i, start, start+min(f.Batch, n-start)-1, err)
			}
		}
	}
	return nil
}

// runChunk runs model f on the k images from start: their tensors
// gathered (padded with zeros to a fixed batch), their scores scattered to
// the model's place in each image's row of out.
func (m *ModelsInferer) runChunk(b *feedBuffers, f Feed, outOffset, classes int, in []float32, start, k int, out []float32) error {
	L, C := m.inputLens[f.Input], f.Head.Classes
	calls := k
	if f.Pad {
		calls = f.Batch
	}
	var tensors []float32
	if m.inputStride == L && calls == k {
		tensors = in[start*L : (start+k)*L] // one input: already contiguous
	} else {
		b.in = grow(b.in, calls*L)
		for i := 0; i < k; i++ {
			src := (start+i)*m.inputStride + m.inputOffsets[f.Input]
			copy(b.in[i*L:(i+1)*L], in[src:src+L])
		}
		clear(b.in[k*L : calls*L])
		tensors = b.in[:calls*L]
	}
	b.out = grow(b.out, calls*C)
	if err := f.Inferer.Run(tensors, calls, b.out[:calls*C]); err != nil {
		return err
	}
	for i := 0; i < k; i++ {
		dst := (start+i)*classes + outOffset
		copy(out[dst:dst+C], b.out[i*C:(i+1)*C])
	}
	return nil
}

// grow returns s with at least n elements (its contents not kept).
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}
