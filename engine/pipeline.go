package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/imagenetx/imagenetx/predictions"
)

// Stage names where an image failed.
const (
	StageRead       = "read"
	StageDecode     = "decode"
	StagePreprocess = "preprocess"
	StageInference  = "inference"
)

// ImageError is one image's failure; the run goes on without it.
type ImageError struct {
	Stage string
	Err   error
}

func (e *ImageError) Error() string { return e.Stage + ": " + e.Err.Error() }
func (e *ImageError) Unwrap() error { return e.Err }

// Result is the outcome for one image, handed to the sink in list order:
// either a prediction or an error.
type Result struct {
	Item Item
	Pred predictions.Prediction
	// Err is non-nil (an *ImageError) when the image failed.
	Err *ImageError
	// Views holds one prediction per view when Config.Views > 1 (Pred is
	// then Views[0]); nil otherwise.
	Views []predictions.Prediction
	// HeadErrs, with Config.Heads, is non-nil when some head could not
	// score the image: HeadErrs[h] is head h's failure (nil for the heads
	// whose Views[h] holds a prediction).
	HeadErrs []*ImageError
}

// Sink receives results one by one, in list order, from one goroutine.
type Sink interface {
	Put(r Result) error
	// Flush makes everything put so far durable.
	Flush() error
}

// PrepareFunc fills dst with one image's input tensor. Errors should be
// *ImageError naming the stage; others count as StagePreprocess.
type PrepareFunc func(item Item, dst []float32) error

// Preparer makes a PrepareFunc per worker goroutine, so each can keep its
// own reusable buffers.
type Preparer interface {
	NewWorker() PrepareFunc
}

// Inferer runs n input tensors (back to back in in) and writes n rows of
// scores to out. *Session is one; it must be safe for concurrent calls.
type Inferer interface {
	Run(in []float32, n int, out []float32) error
}

// Config shapes a pipeline run.
type Config struct {
	// Batch is the number of images per inference call. Batches are aligned
	// to multiples of Batch in the full list, so that a resumed run forms
	// exactly the batches of an uninterrupted one (some quantised models'
	// scores depend on their batch-mates).
	Batch int
	// PadBatch runs every batch at full size, zero-filling missing images:
	// for models whose batch dimension is fixed.
	PadBatch bool
	// Workers is the number of decode/preprocess goroutines (0: NumCPU).
	Workers int
	// Runners is the number of concurrent inference calls (0: 1).
	Runners int
	// InputLen is one image's tensor length; Classes its number of scores.
	InputLen, Classes int
	// Views (0 or 1: one) lets one image yield several predictions, e.g.
	// one per variant strength: its InputLen values are then Views tensors
	// back to back, its Classes scores Views rows of Classes/Views, and each
	// row is scored into Result.Views (see ViewInferer).
	Views int
	// Heads, when set, are the views of a run whose views differ (several
	// models fed by one pass, see ModelsInferer): view h has Heads[h].Classes
	// scores, scored by Heads[h].Scorer, and Heads[h].KindDecided is told
	// its output kind; Views is then len(Heads) and Classes their sum, and
	// Scorer and KindDecided are not used.
	Heads []Head
	// Scorer makes predictions; a Kind of OutputAuto is decided on the
	// first batch and reported in Stats.
	Scorer Scorer
	// Progress, when set, is called after each committed batch.
	Progress func(Progress)
	// KindDecided, when set, is told the output kind OutputAuto resolved
	// to, before any result scored with it is committed (so a resumable run
	// can record it).
	KindDecided func(OutputKind) error
}

// Progress is a snapshot of a running pipeline.
type Progress struct {
	// Done counts images committed in this run (predictions and failures);
	// Failed the failures among them; Skipped the images done by an earlier
	// run; Total the whole list.
	Done, Failed, Skipped, Total int
	Elapsed                      time.Duration
}

// Stats summarises a finished (or stopped) run.
type Stats struct {
	Progress
	// OutputKind is what the scores were taken to be (the first head's,
	// with Config.Heads).
	OutputKind OutputKind
	// HeadKinds are each head's output kinds, with Config.Heads.
	HeadKinds []OutputKind
	// PrepareTime and InferTime are the summed time spent preparing images
	// and in inference calls (across goroutines), to see which side limits.
	PrepareTime, InferTime time.Duration
}

// batch is one inference call's worth of images and buffers, reused.
type batch struct {
	seq, first, n int
	in, out       []float32
	errs          []*ImageError
	pending       atomic.Int32
	cancelled     atomic.Bool
}

type job struct {
	b    *batch
	slot int
}

// pipeline holds one Run's shared state.
type pipeline struct {
	cfg     Config
	items   []Item
	start   int
	prep    Preparer
	inf     Inferer
	free    chan *batch
	jobs    chan job
	ready   chan *batch
	done    chan *batch
	prepNS  atomic.Int64
	inferNS atomic.Int64
}

// Run processes items[start:] (start a multiple of cfg.Batch, or len(items))
// and puts every result into sink in list order. It returns when all are
// committed, on the first fatal error (inference or sink), or when ctx is
// cancelled — then everything committed so far is flushed and kept, and the
// error wraps ctx.Err().
func Run(ctx context.Context, items []Item, start int, prep Preparer, inf Inferer, sink Sink, cfg Config) (Stats, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Stats{}, err
	}
	if start < 0 || start > len(items) || (start%cfg.Batch != 0 && start != len(items)) {
		return Stats{}, fmt.Errorf("start %d is not a batch boundary (batch %d, %d images)", start, cfg.Batch, len(items))
	}
	p := newPipeline(cfg, items, start, prep, inf)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go p.dispatch(ctx)
	p.startWorkers(ctx)
	p.startRunners(ctx, cancel)
	c := committer{p: p, sink: sink, scorer: cfg.Scorer, heads: append([]Head(nil), cfg.Heads...), began: time.Now()}
	c.stats.Skipped, c.stats.Total = start, len(items)
	err = c.loop(ctx, cancel)
	for range p.done { // let every goroutine finish before returning
	}
	st := c.snapshot()
	if ferr := sink.Flush(); ferr != nil && err == nil {
		err = fmt.Errorf("flush results: %w", ferr)
	}
	if err == nil && ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	return st, err
}

func (c Config) withDefaults() (Config, error) {
	if c.Batch <= 0 {
		return c, fmt.Errorf("batch size %d: must be positive", c.Batch)
	}
	if c.InputLen <= 0 || c.Classes <= 0 {
		return c, fmt.Errorf("input length %d and classes %d must be positive", c.InputLen, c.Classes)
	}
	if c.Workers <= 0 {
		c.Workers = runtime.NumCPU()
	}
	if c.Runners <= 0 {
		c.Runners = 1
	}
	if len(c.Heads) > 0 {
		return c.withHeads()
	}
	if c.Views <= 0 {
		c.Views = 1
	}
	if c.InputLen%c.Views != 0 || c.Classes%c.Views != 0 {
		return c, fmt.Errorf("input length %d and classes %d must split into %d views", c.InputLen, c.Classes, c.Views)
	}
	return c, nil
}

func newPipeline(cfg Config, items []Item, start int, prep Preparer, inf Inferer) *pipeline {
	// One batch per runner in inference, one being filled, one ready, one
	// being committed: the preparers never wait for a buffer in steady state.
	pool := cfg.Runners + 3
	p := &pipeline{
		cfg: cfg, items: items, start: start, prep: prep, inf: inf,
		free:  make(chan *batch, pool),
		jobs:  make(chan job, cfg.Batch),
		ready: make(chan *batch, pool),
		done:  make(chan *batch, pool),
	}
	for i := 0; i < pool; i++ {
		p.free <- &batch{
			in:   make([]float32, cfg.Batch*cfg.InputLen),
			out:  make([]float32, cfg.Batch*cfg.Classes),
			errs: make([]*ImageError, cfg.Batch),
		}
	}
	return p
}

// dispatch hands out batches in list order, one job per image.
func (p *pipeline) dispatch(ctx context.Context) {
	defer close(p.jobs)
	seq := 0
	for first := p.start; first < len(p.items); first += p.cfg.Batch {
		var b *batch
		select {
		case b = <-p.free:
		case <-ctx.Done():
			return
		}
		b.seq, b.first, b.n = seq, first, min(p.cfg.Batch, len(p.items)-first)
		b.cancelled.Store(false)
		clear(b.errs)
		clear(b.in[b.n*p.cfg.InputLen:]) // padding rows of a fixed-size batch
		b.pending.Store(int32(b.n))
		seq++
		for slot := 0; slot < b.n; slot++ {
			p.jobs <- job{b, slot} // workers drain jobs even when cancelled
		}
	}
}

func (p *pipeline) startWorkers(ctx context.Context) {
	var wg sync.WaitGroup
	for w := 0; w < p.cfg.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.work(ctx, p.prep.NewWorker())
		}()
	}
	go func() {
		wg.Wait()
		close(p.ready)
	}()
}

// work prepares images into their batch's input buffer; the worker finishing
// a batch's last image passes the batch on.
func (p *pipeline) work(ctx context.Context, prepare PrepareFunc) {
	L := p.cfg.InputLen
	for j := range p.jobs {
		b := j.b
		dst := b.in[j.slot*L : (j.slot+1)*L]
		if ctx.Err() != nil {
			b.cancelled.Store(true)
		} else {
			t0 := time.Now()
			if err := prepareSafely(prepare, p.items[b.first+j.slot], dst); err != nil {
				b.errs[j.slot] = asImageError(err)
				clear(dst) // failed images feed zeros: batches stay reproducible
			}
			p.prepNS.Add(int64(time.Since(t0)))
		}
		if b.pending.Add(-1) == 0 {
			p.ready <- b
		}
	}
}

// prepareSafely is the last line of defence of "one bad image never kills a
// run": a panic while preparing one image (a decoder bug on some input)
// fails that image, with the panic as its reason, and the run goes on.
func prepareSafely(prepare PrepareFunc, item Item, dst []float32) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &ImageError{Stage: StagePreprocess, Err: fmt.Errorf("internal error (please report): panic: %v", r)}
		}
	}()
	return prepare(item, dst)
}

func asImageError(err error) *ImageError {
	var ie *ImageError
	if errors.As(err, &ie) {
		return ie
	}
	return &ImageError{Stage: StagePreprocess, Err: err}
}

func (p *pipeline) startRunners(ctx context.Context, cancel context.CancelCauseFunc) {
	var wg sync.WaitGroup
	for r := 0; r < p.cfg.Runners; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range p.ready {
				p.infer(ctx, b, cancel)
				p.done <- b
			}
		}()
	}
	go func() {
		wg.Wait()
		close(p.done)
	}()
}

// infer runs one batch, unless the run is stopping.
func (p *pipeline) infer(ctx context.Context, b *batch, cancel context.CancelCauseFunc) {
	if b.cancelled.Load() || ctx.Err() != nil {
		b.cancelled.Store(true)
		return
	}
	n := b.n
	if p.cfg.PadBatch {
		n = p.cfg.Batch
	}
	t0 := time.Now()
	err := p.inf.Run(b.in[:n*p.cfg.InputLen], n, b.out[:n*p.cfg.Classes])
	p.inferNS.Add(int64(time.Since(t0)))
	if err != nil {
		b.cancelled.Store(true)
		cancel(fmt.Errorf("images %s..%s: %w", p.items[b.first].Name, p.items[b.first+b.n-1].Name, err))
	}
}
