package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/imagenetx/imagenetx"
	"github.com/imagenetx/imagenetx/datahome"
	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/engine/ortlib"
	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/eval/tabular"
	"github.com/imagenetx/imagenetx/internal/cli"
	"github.com/imagenetx/imagenetx/models"
	"github.com/imagenetx/imagenetx/predictions"
	"github.com/imagenetx/imagenetx/preprocess"
	"github.com/imagenetx/imagenetx/runfiles"
)

// The flag groups that several commands share, each defined once, so that a
// flag has one name, one meaning and one help text wherever it appears.
// Values are parsed as the command line is read, straight into the
// library's configuration types: a malformed value is a usage error naming
// the flag, before anything runs.

// modelFlags choose the model and how it runs (imagenetx.Options): the
// model and its name in the outputs, the runtime library, the device, the
// pipeline's sizes, top-k, the output kind, and the preprocessing and
// decoding overrides. (--variant is run's and audit's; a sweep takes a
// family instead.) With several, --model and --name may be given once per
// model (audit).
type modelFlags struct {
	refs, names []string
	opts        imagenetx.Options
	pre         pipelineFlags
	decode      decodeFlags
}

// register adds the flags; several lets --model and --name repeat.
func (m *modelFlags) register(fs *flag.FlagSet, several bool) {
	add := func(list *[]string) func(string) error {
		return func(s string) error {
			if !several {
				*list = nil // the last one given, as for any flag
			}
			*list = append(*list, s)
			return nil
		}
	}
	modelUsage := "`NAME|FILE`: a registered model (" + models.Names() + ") or an .onnx file (default " + models.DefaultName + ")"
	nameUsage := "`NAME` of the model in the outputs: its files, run.json and the tables (default: the registered name or the file's stem)"
	if several {
		modelUsage += "; repeat for several models in one pass"
		nameUsage += "; repeat, one per --model, in order"
	}
	fs.Func("model", modelUsage, add(&m.refs))
	fs.Func("name", nameUsage, func(s string) error {
		if err := predictions.CheckName(s); err != nil {
			return err
		}
		return add(&m.names)(s)
	})
	fs.StringVar(&m.opts.RuntimeLibrary, "ort-lib", "", "the libonnxruntime.so `FILE` to load (default: $"+ortlib.EnvVar+", then set-up's)")
	fs.StringVar(&m.opts.Device, "device", "cpu", "`DEVICE`: cpu, webgpu (any GPU with a Vulkan driver) or cuda:N (after imagenetx setup --gpu)")
	cli.Var(fs, &m.opts.GPUMemLimit, "gpu-mem-limit", "0", cli.AtLeast[int64](0), "with --device cuda:N: cap the GPU memory arena at `BYTES` (default: no cap)")
	cli.Var(fs, &m.opts.ConvAlgoSearch, "cudnn-conv-algo-search", "EXHAUSTIVE", cli.OneOf("EXHAUSTIVE", "HEURISTIC", "DEFAULT"),
		"with --device cuda:N: `HOW` cuDNN picks convolution algorithms: EXHAUSTIVE (fastest), HEURISTIC or DEFAULT (reproducible)")
	cli.Var(fs, &m.opts.Batch, "batch", "0", cli.AtLeast(0), fmt.Sprintf("`N` images per inference call (default %d; fixed-batch models use theirs)", engine.DefaultBatch))
	cli.Var(fs, &m.opts.Workers, "workers", "0", cli.AtLeast(0), "`N` decode/preprocess workers (default: one per CPU)")
	cli.Var(fs, &m.opts.Threads, "threads", "0", cli.AtLeast(0), "`N` ONNX Runtime intra-op threads (default: one per CPU)")
	cli.Var(fs, &m.opts.Runners, "runners", "1", cli.AtLeast(1), "`N` concurrent inference calls")
	cli.Var(fs, &m.opts.TopK, "topk", "1", cli.AtLeast(1), "write the top `K` classes per image")
	cli.Var(fs, &m.opts.Output, "output-kind", "auto", outputKind, "what the model outputs (`KIND`): auto, logits or probabilities")
	m.pre.register(fs, nil)
	m.pre.add(fs, "layout", "the model input's `LAYOUT`: NCHW or NHWC (default: read from the model)")
	m.pre.add(fs, "num-classes", "`N`: 1000, or 1001 for a background class at index 0 (default: from the model)")
	m.decode.register(fs, true)
}

// variantVar adds --variant, a preprocessing variant chain.
func variantVar(fs *flag.FlagSet, p *string) {
	fs.StringVar(p, "variant", "", "preprocessing variant `CHAIN`, e.g. brightness:factor=1.5")
}

// outputKind checks an output kind, keeping its text for imagenetx.Options.
func outputKind(s string) (string, error) {
	_, err := engine.ParseOutputKind(s)
	return s, err
}

// options are the front door's options the flags chose.
func (m *modelFlags) options() imagenetx.Options {
	o := m.opts
	o.Preprocess, o.Decode = m.pre.s, m.decode.opts
	return o
}

// refsOrDefault are the model references given (the default model when
// none).
func (m *modelFlags) refsOrDefault() []string {
	if len(m.refs) == 0 {
		return []string{models.DefaultName}
	}
	return m.refs
}

// open opens the model (the last --model given, under the last --name),
// saying on e's stderr when a sidecar config was applied to it.
func (m *modelFlags) open(e *cli.Env) (*imagenetx.Model, error) {
	refs := m.refsOrDefault()
	name := ""
	if len(m.names) > 0 {
		name = m.names[len(m.names)-1]
	}
	return m.openOne(e, refs[len(refs)-1], name)
}

// openAll opens every model given, each named by its --name (in order).
func (m *modelFlags) openAll(e *cli.Env) ([]*imagenetx.Model, error) {
	refs := m.refsOrDefault()
	if len(m.names) > 0 && len(m.names) != len(refs) {
		return nil, cli.Usagef("%d --name for %d --model: give one name per model, in order, or none", len(m.names), len(refs))
	}
	var out []*imagenetx.Model
	for i, ref := range refs {
		name := ""
		if len(m.names) > 0 {
			name = m.names[i]
		}
		model, err := m.openOne(e, ref, name)
		if err != nil {
			for _, o := range out {
				o.Close()
			}
			return nil, err
		}
		out = append(out, model)
	}
	return out, nil
}

// openOne opens the model ref under name ("": its own); an error about the
// library given by --ort-lib says so, and one about a registered model not
// yet fetched says how. A sidecar config applied to the model changes its
// preprocessing unasked: it is announced, and run.json records its path.
func (m *modelFlags) openOne(e *cli.Env, ref, name string) (*imagenetx.Model, error) {
	opts := m.options()
	opts.Name = name
	model, err := imagenetx.Open(ref, opts)
	switch {
	case err == nil:
		if sc := model.Spec().Sidecar; sc != "" {
			fmt.Fprintf(e.Stderr, "%s: sidecar config %s applied (recorded in run.json)\n", model.Name(), sc)
		}
		return model, nil
	case errors.Is(err, models.ErrNotInstalled):
		return nil, fmt.Errorf("%w (`imagenetx setup --models %s` fetches it)", err, ref)
	case errors.Is(err, engine.ErrTopKBeyondClasses):
		return nil, cli.UsageError{Err: fmt.Errorf("--topk: %w", err)}
	case errors.Is(err, engine.ErrNoCUDAProvider):
		return nil, fmt.Errorf("%w (`imagenetx setup --gpu` installs one and checks the CUDA libraries it needs)", err)
	case m.opts.RuntimeLibrary != "" && strings.Contains(err.Error(), m.opts.RuntimeLibrary):
		return nil, fmt.Errorf("--ort-lib: %w", err)
	}
	return nil, err
}

// pipelineFlags override parts of the preprocessing (models.Settings):
// the model's (run, audit, sweep), or preprocess's fixed defaults.
type pipelineFlags struct {
	s models.Settings
}

// register adds the flags; base holds the defaults they override (nil:
// the model's own).
func (p *pipelineFlags) register(fs *flag.FlagSet, base *preprocess.Config) {
	def := func(fixed func(c *preprocess.Config) any) string {
		if base == nil {
			return " (default: the model's)"
		}
		return fmt.Sprintf(" (default %v)", fixed(base))
	}
	triple := func(v [3]float32) string { return strings.Trim(fmt.Sprint(v[0], ",", v[1], ",", v[2]), " ") }
	p.add(fs, "resize", "resize the shorter side to `N` pixels (0: crop / crop-pct)"+def(func(c *preprocess.Config) any { return c.ResizeSize }))
	p.add(fs, "crop", "center-crop to `N`×N pixels"+def(func(c *preprocess.Config) any { return c.CropSize }))
	p.add(fs, "crop-pct", "timm's crop_pct `FRACTION`: resize to crop/crop-pct, in place of --resize")
	p.add(fs, "interpolation", "resize `FILTER`: bilinear or bicubic"+def(func(c *preprocess.Config) any { return c.Interpolation }))
	p.add(fs, "mean", "normalisation mean `R,G,B`"+def(func(c *preprocess.Config) any { return triple(c.Mean) }))
	p.add(fs, "std", "normalisation standard deviation `R,G,B`"+def(func(c *preprocess.Config) any { return triple(c.Std) }))
}

// add adds the flag of one setting (models.Settings.Set, its name spelt
// with "_" for "-").
func (p *pipelineFlags) add(fs *flag.FlagSet, name, usage string) {
	fs.Func(name, usage, func(text string) error { return p.s.Set(strings.ReplaceAll(name, "-", "_"), text) })
}

// decodeFlags set the image decoder's policy and limits.
type decodeFlags struct {
	opts preprocess.DecodeOptions
}

// register adds the decode flags; fast adds --fast-decode, for the
// commands that run a model (run, audit, sweep).
func (d *decodeFlags) register(fs *flag.FlagSet, fast bool) {
	fs.BoolVar(&d.opts.Strict, "strict-decode", false, "refuse damaged images that Pillow decodes (JPEGs with lost blocks, which Pillow fills in) instead of decoding them as Pillow does")
	if fast {
		fs.BoolVar(&d.opts.Fast, "fast-decode", false, "decode large JPEGs at reduced size (DCT scaling towards the resize target) instead of exactly as Pillow does: for feeding a GPU; recorded in run.json")
	}
	cli.Var(fs, &d.opts.MaxPixels, "max-pixels", "0", cli.AtLeast[int64](0), "refuse images whose header declares more than `N` pixels (default: the decoder's limit)")
}

// imageFlags choose a run's images: a folder, the first N, and (where the
// command can be sharded) one shard of them.
type imageFlags struct {
	dir string
	sel imagenetx.Selection
}

func (f *imageFlags) register(fs *flag.FlagSet, sharded bool) {
	fs.StringVar(&f.dir, "images", "", "image `DIR`: flat, or one folder per wnid")
	limit := "only the first `N` images (in file-name order)"
	if sharded {
		limit += ", taken before --shard"
		cli.Var(fs, &f.sel.Shard, "shard", "", runfiles.ParseShard, "run only part `i/n` of the image list (0 ≤ i < n), chosen by a hash of each file name; put the parts together with imagenetx merge (deploy/README.md)")
	}
	cli.Var(fs, &f.sel.Limit, "limit", "0", cli.AtLeast(0), limit)
}

// list lists the images.
func (f *imageFlags) list() (*imagenetx.Images, error) {
	if f.dir == "" {
		return nil, cli.Usagef("--images DIR is required")
	}
	return imagenetx.Folder(f.dir, f.sel)
}

// datasetFlags choose the annotations: the folder, the release, the split,
// and whether the prototypes stay.
type datasetFlags struct {
	dir  string
	opts eval.DatasetOptions
}

// register adds the flags with factors as the default release. Every
// command finds set-up's annotations without --annotations, as audit does.
func (d *datasetFlags) register(fs *flag.FlagSet, factors string) {
	fs.StringVar(&d.dir, "annotations", "", "ImageNet-X annotations `DIR` (upstream file names; default: set-up's, in the data home)")
	cli.Var(fs, &d.opts.Factors, "factors", factors, parseRelease, "annotation `RELEASE`: top or multi")
	cli.Var(fs, &d.opts.Partition, "partition", "val", eval.ParsePartition, "annotated `SPLIT`: val or train")
	fs.BoolVar(&d.opts.KeepPrototypes, "keep-prototypes", false, "keep the 3,000 prototypical images (left out by default, as in the reference)")
	fs.StringVar(&d.opts.File, "annotations-file", "", "annotation `FILE` (JSON lines, a subset of a release's) read instead of the release's file in the annotations folder, which still gives the classes and metaclasses")
}

// OnlyFactorsFlag is the flag of spillover's list of factors to analyse;
// --factors is the annotation release in every command.
const OnlyFactorsFlag = "only-factors"

// parseRelease reads --factors, the annotation release. A list of factor
// names there (spillover's --factors before it meant the release) is
// refused naming the flag that takes one.
func parseRelease(s string) (eval.FactorSet, error) {
	set, err := eval.ParseFactorSet(s)
	if err != nil {
		if list, lerr := eval.ParseFactors(s); lerr == nil && len(list) > 0 {
			return set, fmt.Errorf("--factors is the annotation release (top or multi) in every command; "+
				"the factors spillover analyses are --%s %s", OnlyFactorsFlag, s)
		}
	}
	return set, err
}

// folder is the annotation folder: --annotations, or set-up's.
func (d *datasetFlags) folder() (string, error) {
	if d.dir != "" {
		return d.dir, nil
	}
	return datahome.Annotations()
}

// annotations reads the annotations with the images' labels (for
// top-1); a failure says how to get them.
func (d *datasetFlags) annotations() (*imagenetx.Annotations, error) {
	dir, err := d.folder()
	if err == nil {
		var ann *imagenetx.Annotations
		if ann, err = imagenetx.LoadAnnotations(dir, d.opts); err == nil {
			return ann, nil
		}
	}
	return nil, fmt.Errorf("annotations: %w (run `bash scripts/setup.sh` to fetch them, or pass --annotations DIR)", err)
}

// load reads the annotations; a failure to find set-up's says how to get
// them.
func (d *datasetFlags) load() (*eval.Dataset, error) {
	dir, err := d.folder()
	if err != nil {
		return nil, err
	}
	ds, err := load.Annotations(dir, imagenetx.PinDataHome(dir, d.opts))
	if err != nil && d.dir == "" {
		return nil, fmt.Errorf("annotations: %w (run `bash scripts/setup.sh` to fetch them, or pass --annotations DIR)", err)
	}
	return ds, err
}

// inputFlags are the inputs of the commands that score prediction files:
// the annotations, the predictions (--predictions, repeatable, each a CSV,
// NAME=PATH or a folder of CSVs) and --quiet for the coverage notes.
type inputFlags struct {
	dataset     datasetFlags
	predictions []string
	quiet       bool
}

// register adds the flags; predictionsUsage is --predictions' help ("" for
// the usual).
func (in *inputFlags) register(fs *flag.FlagSet, predictionsUsage string) {
	in.dataset.register(fs, "top")
	fs.Func("predictions", cmp.Or(predictionsUsage, "predictions CSV `PATH`, NAME=PATH (the file, as model NAME) or folder of CSVs, one model each (repeatable)"),
		func(s string) error {
			in.predictions = append(in.predictions, s)
			return nil
		})
	quietVar(fs, &in.quiet, "coverage notes")
}

// sources are the prediction files, one model each.
func (in *inputFlags) sources() ([]load.Source, error) {
	if len(in.predictions) == 0 {
		return nil, cli.Usagef("--predictions PATH is required")
	}
	return load.Sources(in.predictions)
}

// accumulate joins the predictions with the annotations.
func (in *inputFlags) accumulate(ctx context.Context, e *cli.Env, opt eval.AccumulatorOptions) (*eval.Accumulator, error) {
	sources, err := in.sources()
	if err != nil {
		return nil, err
	}
	return in.accumulateSources(ctx, e, sources, opt)
}

// accumulateSources joins the given sources' predictions with the
// annotations, noting each model's coverage on stderr unless --quiet.
func (in *inputFlags) accumulateSources(ctx context.Context, e *cli.Env, sources []load.Source, opt eval.AccumulatorOptions) (*eval.Accumulator, error) {
	dataset, err := in.dataset.load()
	if err != nil {
		return nil, err
	}
	acc := eval.NewAccumulatorWith(dataset, opt)
	if err := load.Predictions(ctx, acc, sources); err != nil {
		return nil, err
	}
	writeCoverage(e, acc, in.quiet)
	return acc, nil
}

// writeCoverage notes on stderr, unless quiet, how each model's predictions
// joined the annotations.
func writeCoverage(e *cli.Env, acc *eval.Accumulator, quiet bool) {
	for _, note := range acc.CoverageNotes() {
		if !quiet {
			fmt.Fprintln(e.Stderr, note)
		}
	}
}

// tableFlags are -o and --format of the commands that write a table.
type tableFlags struct {
	path   string
	format tabular.Format
}

// register adds -o and --format, which takes one of formats.
func (t *tableFlags) register(fs *flag.FlagSet, formats ...tabular.Format) {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.String()
	}
	fs.StringVar(&t.path, "o", "", "output `FILE` (default: standard output)")
	cli.Var(fs, &t.format, "format", "csv", func(s string) (tabular.Format, error) {
		f, err := tabular.ParseFormat(s)
		for _, ok := range formats {
			if err == nil && f == ok {
				return f, nil
			}
		}
		return f, fmt.Errorf("want %s", cli.OrList(names))
	}, "output `FORMAT`: "+cli.OrList(names))
}

// minImagesVar adds --min-images (eval.CheckMinImages; default
// eval.DefaultMinImages).
func minImagesVar(fs *flag.FlagSet, p *int, usage string) {
	cli.Var(fs, p, "min-images", strconv.Itoa(eval.DefaultMinImages), func(s string) (int, error) {
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, errors.New("want an integer")
		}
		return n, eval.CheckMinImages(n)
	}, usage)
}

// quietVar adds --quiet, which silences what on stderr.
func quietVar(fs *flag.FlagSet, p *bool, what string) {
	fs.BoolVar(p, "quiet", false, "no "+what+" on stderr")
}

// errorTypeVar adds --error-type.
func errorTypeVar(fs *flag.FlagSet, p *eval.ErrorType) {
	cli.Var(fs, p, "error-type", "class", eval.ParseErrorType, "when a prediction is correct (`TYPE`): class, metaclass or real")
}

// correctionVar adds --correction.
func correctionVar(fs *flag.FlagSet, p *eval.Correction) {
	cli.Var(fs, p, "correction", "holm", eval.ParseCorrection, "multiple-testing `CORRECTION` across factors: holm, bh or none")
}
