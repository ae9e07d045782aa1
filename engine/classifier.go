package engine

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/imagenetx/imagenetx/models"
	"github.com/imagenetx/imagenetx/preprocess"
)

// DefaultBatch is the batch size when none is asked for: large enough to
// amortise a call's overhead, small enough that a batch's tensor (19 MB at
// 224²) and its preparation stay short.
const DefaultBatch = 16

// Options choose how a classifier runs.
type Options struct {
	// Batch is the requested batch size (0: DefaultBatch); the model may
	// force another (fixed batch) or cap it (models.Model.MaxBatch).
	Batch int
	// Workers prepare images (0: one per CPU); Threads are ONNX Runtime's
	// intra-op threads (0: one per CPU); Runners are concurrent inference
	// calls (0: 1).
	Workers, Threads, Runners int
	Device                    Device
	// Variant is a preprocess variant spec ("" for none).
	Variant string
	// TopK is the number of classes per prediction (≤ 1: top-1 only).
	TopK int
	// Output overrides the model's output kind when not OutputAuto.
	Output OutputKind
	// Decode sets the image decoder's limits (pixels, file size) and its
	// policy (Pillow 9.4's by default, or Strict).
	Decode preprocess.DecodeOptions
}

// Classifier is an opened model with its preprocessing, ready to run.
type Classifier struct {
	Spec     models.Spec
	IO       ModelIO
	Session  *Session
	Preparer *ImagePreparer
	Config   Config
}

// OpenClassifier inspects spec's file, completes its description from it,
// and opens the session. Init must have run.
func OpenClassifier(spec models.Spec, opts Options) (*Classifier, error) {
	io, err := Inspect(spec.Path)
	if err != nil {
		return nil, err
	}
	if err := spec.FitInput(io.Layout, io.Height); err != nil {
		return nil, err
	}
	if err := checkClasses(spec, io); err != nil {
		return nil, err
	}
	pipe, err := preprocess.NewPipeline(spec.Preprocess, opts.Variant)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", spec.Name, err)
	}
	cfg, err := runConfig(spec, io, opts)
	if err != nil {
		return nil, err
	}
	sess, err := OpenSession(spec.Path, io, spec.Preprocess.CropSize, SessionOptions{Threads: opts.Threads, Device: opts.Device})
	if err != nil {
		return nil, err
	}
	return &Classifier{
		Spec: spec, IO: io, Session: sess,
		Preparer: &ImagePreparer{Pipeline: pipe, Layout: io.Layout, Decode: opts.Decode},
		Config:   cfg,
	}, nil
}

// checkClasses requires an ImageNet-1k output: 1000 scores, or 1001 with a
// background class at index 0 (TF-slim convention; dropped by the scorer),
// agreeing with whatever the description states.
func checkClasses(spec models.Spec, io ModelIO) error {
	if io.Classes != 1000 && io.Classes != 1001 {
		return fmt.Errorf("model %s outputs %d scores per image; imagenetx needs ImageNet-1k classifiers (1000, or 1001 with background first)",
			spec.Path, io.Classes)
	}
	if spec.Classes != 0 && spec.Classes != io.Classes {
		return fmt.Errorf("model %s outputs %d scores per image but is described with %d classes", spec.Path, io.Classes, spec.Classes)
	}
	if spec.LabelOffset != io.Classes-1000 && spec.Classes != 0 {
		return fmt.Errorf("model %s: label offset %d with %d classes", spec.Path, spec.LabelOffset, io.Classes)
	}
	return nil
}

// ErrTopKBeyondClasses is returned (wrapped) when more top classes are
// asked for than the model has: every row would carry columns of classes
// that do not exist.
var ErrTopKBeyondClasses = errors.New("more top classes than the model has")

func runConfig(spec models.Spec, io ModelIO, opts Options) (Config, error) {
	kind := opts.Output
	if kind == OutputAuto {
		var err error
		if kind, err = ParseOutputKind(spec.Output); err != nil {
			return Config{}, err
		}
	}
	offset := io.Classes - 1000 // checkClasses allowed 1000 or 1001
	if classes := io.Classes - offset; opts.TopK > classes {
		return Config{}, fmt.Errorf("%w: top-k %d asked of model %s, which has %d classes", ErrTopKBeyondClasses, opts.TopK, spec.Path, classes)
	}
	batch := opts.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	if spec.MaxBatch > 0 {
		batch = min(batch, spec.MaxBatch)
	}
	if io.FixedBatch > 0 {
		batch = io.FixedBatch
	}
	return Config{
		Batch: batch, PadBatch: io.FixedBatch > 0,
		Workers: defaultCount(opts.Workers), Runners: max(opts.Runners, 1),
		InputLen: 3 * spec.Preprocess.CropSize * spec.Preprocess.CropSize, Classes: io.Classes,
		Scorer: Scorer{Kind: kind, LabelOffset: offset, TopK: opts.TopK},
	}, nil
}

func defaultCount(n int) int {
	if n > 0 {
		return n
	}
	return runtime.NumCPU()
}

// Close releases the session.
func (c *Classifier) Close() error { return c.Session.Close() }
