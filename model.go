package imagenetx

import (
	"fmt"

	"github.com/imagenetx/imagenetx/datahome"
	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/models"
	"github.com/imagenetx/imagenetx/predictions"
	"github.com/imagenetx/imagenetx/preprocess"
	"github.com/imagenetx/imagenetx/runfiles"
)

// Options choose how a model runs. The zero value runs on the CPU with the
// model's own preprocessing, a batch of engine.DefaultBatch and one worker
// per CPU.
type Options struct {
	// Name names the model in every output: its files (an audit writes
	// NAME.predictions.csv), run.json and the tables' model column.
	// Default: the registry name, or the model file's stem.
	Name string
	// Device is "cpu" (default), "webgpu", "cuda" or "cuda:N"; GPUMemLimit
	// and ConvAlgoSearch tune CUDA (see engine.Device).
	Device         string
	GPUMemLimit    int64
	ConvAlgoSearch string
	// Batch, Workers, Threads and Runners size the pipeline (0: defaults;
	// see engine.Options).
	Batch, Workers, Threads, Runners int
	// Variant is a preprocessing variant chain, e.g.
	// "brightness:factor=1.5" ("" for none).
	Variant string
	// TopK is the number of classes kept per image (≤ 1: top-1 only).
	TopK int
	// Output is "auto" (default), "logits" or "probabilities".
	Output string
	// Decode sets the image decoder's policy and limits.
	Decode preprocess.DecodeOptions
	// Preprocess overrides parts of the model's preprocessing (resize,
	// crop, interpolation, mean/std, layout, classes).
	Preprocess models.Settings
	// RuntimeLibrary is the libonnxruntime.so to load; "" finds set-up's:
	// for a CUDA device the CUDA-enabled one `setup --gpu` installed, when
	// there is one (see engine.InitForDevice).
	RuntimeLibrary string
}

// Model is an opened classifier, ready to run over images. Its methods may
// not be called concurrently.
type Model struct {
	clf  *engine.Classifier
	opts Options
}

// Open loads the ONNX Runtime library (once per process) and opens the
// model ref: a registered model's name (see models.Known), looked for in
// the data home and the mirror, or the path of any .onnx file.
func Open(ref string, opts Options) (*Model, error) {
	spec, err := models.Resolve(ref, datahome.ModelDirs())
	if err != nil {
		return nil, err
	}
	if opts.Name == "" {
		opts.Name = spec.Name
	}
	if err := predictions.CheckName(opts.Name); err != nil {
		return nil, err
	}
	if spec.Model, err = opts.Preprocess.Apply(spec.Model); err != nil {
		return nil, err
	}
	device := opts.Device
	if device == "" {
		device = "cpu"
	}
	dev, err := engine.ParseDevice(device)
	if err != nil {
		return nil, err
	}
	dev.MemLimit, dev.ConvAlgoSearch = opts.GPUMemLimit, opts.ConvAlgoSearch
	output := opts.Output
	if output == "" {
		output = engine.OutputAuto.String()
	}
	kind, err := engine.ParseOutputKind(output)
	if err != nil {
		return nil, err
	}
	if err := engine.InitForDevice(opts.RuntimeLibrary, dev); err != nil {
		return nil, err
	}
	clf, err := engine.OpenClassifier(spec, engine.Options{
		Batch: opts.Batch, Workers: opts.Workers, Threads: opts.Threads, Runners: opts.Runners,
		Device: dev, Variant: opts.Variant, TopK: opts.TopK, Output: kind, Decode: opts.Decode,
	})
	if err != nil {
		return nil, err
	}
	return &Model{clf: clf, opts: opts}, nil
}

// Name is the model's name in the outputs: Options.Name, by default the
// registry name or the file's stem.
func (m *Model) Name() string { return m.opts.Name }

// Spec is the model's resolved description: file, sha256, preprocessing.
func (m *Model) Spec() models.Spec { return m.clf.Spec }

// Classifier is the engine's classifier, for programs that drive the
// pipeline themselves (a sweep's views).
func (m *Model) Classifier() *engine.Classifier { return m.clf }

// Close releases the session.
func (m *Model) Close() error { return m.clf.Close() }

// TopK is the number of classes the model's predictions carry (at least 1).
func (m *Model) TopK() int { return max(m.opts.TopK, 1) }

// Manifest describes a run of m over images, as run.json records it.
func (m *Model) Manifest(images *Images) runfiles.Manifest {
	c := m.clf
	pl := c.Session.Placement()
	return runfiles.Manifest{
		Version: runfiles.ManifestVersion, Name: m.Name(), Model: c.Spec.Name, ModelSHA256: c.Spec.SHA256, Sidecar: c.Spec.Sidecar,
		Preprocess: runfiles.RecordPreprocess(c.Spec.Preprocess), Variant: m.opts.Variant,
		Decode: m.opts.Decode.Policy(), FastDecode: m.opts.Decode.Fast, MaxPixels: m.opts.Decode.MaxPixels, MaxFileBytes: m.opts.Decode.MaxFileBytes,
		Layout: c.Preparer.Layout.String(), ConvAlgoSearch: convAlgoSearch(m.opts), Batch: c.Config.Batch, TopK: m.TopK(), LabelOffset: c.Config.Scorer.LabelOffset,
		OutputKind: c.Config.Scorer.Kind.String(), Device: deviceKind(m.opts.Device), Runtime: engine.RuntimeVersion(),
		ExecutionProvider: pl.Provider.ORTName(), Nodes: pl.Total(), CPUNodes: pl.OnCPU(),
		Images: images.List.Count, ImagesSHA256: images.List.Fingerprint, Shard: images.Shard(), ShardImages: len(images.Items),
	}
}

// convAlgoSearch is the cuDNN algorithm search a CUDA device uses (as
// engine's default, EXHAUSTIVE, when not set), "" on other devices.
func convAlgoSearch(opts Options) string {
	if deviceKind(opts.Device) != "cuda" {
		return ""
	}
	if opts.ConvAlgoSearch == "" {
		return "EXHAUSTIVE"
	}
	return opts.ConvAlgoSearch
}

// deviceKind drops the GPU number: cuda:0 on one machine and cuda:1 on
// another compute the same scores.
func deviceKind(device string) string {
	d, err := engine.ParseDevice(device)
	if err != nil {
		return "cpu"
	}
	return d.Provider.String()
}

// adoptOutputKind makes the model score as kind (a resumed run's decision).
func (m *Model) adoptOutputKind(kind string) error {
	k, err := engine.ParseOutputKind(kind)
	if err != nil {
		return fmt.Errorf("output kind %q: %w", kind, err)
	}
	m.clf.Config.Scorer.Kind = k
	return nil
}
