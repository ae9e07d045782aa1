package main

import (
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
	"github.com/imagenetx/imagenetx/models"
	"github.com/imagenetx/imagenetx/preprocess"
	"github.com/imagenetx/imagenetx/runfiles"
)

// The flag groups that several commands share, each defined once, so that a
// flag has one name, one meaning and one help text wherever it appears.
// Values are parsed as the command line is read, straight into the
// library's configuration types: a malformed value is a usage error naming
// the flag, before anything runs.

// modelFlags choose the model and how it runs (imagenetx.Options): the
// model, the runtime library, the device, the pipeline's sizes, top-k, the
// output kind, a variant, and the preprocessing and decoding overrides.
// (A --name naming the model in the outputs belongs here too, filling
// imagenetx.AuditOptions.Name.)
type modelFlags struct {
	ref    string
	opts   imagenetx.Options
	pre    pipelineFlags
	decode decodeFlags
}

func (m *modelFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&m.ref, "model", models.DefaultName, "`NAME|FILE`: a registered model ("+models.Names()+") or an .onnx file")
	fs.StringVar(&m.opts.RuntimeLibrary, "ort-lib", "", "the libonnxruntime.so `FILE` to load (default: $"+ortlib.EnvVar+", then set-up's)")
	fs.StringVar(&m.opts.Device, "device", "cpu", "`DEVICE`: cpu or cuda:N")
	parsedVar(fs, &m.opts.GPUMemLimit, "gpu-mem-limit", "0", atLeast[int64](0), "with --device cuda:N: cap the GPU memory arena at `BYTES` (default: no cap)")
	parsedVar(fs, &m.opts.ConvAlgoSearch, "cudnn-conv-algo-search", "EXHAUSTIVE", oneOf("EXHAUSTIVE", "HEURISTIC", "DEFAULT"),
		"with --device cuda:N: `HOW` cuDNN picks convolution algorithms: EXHAUSTIVE (fastest), HEURISTIC or DEFAULT (reproducible)")
	parsedVar(fs, &m.opts.Batch, "batch", "0", atLeast(0), fmt.Sprintf("`N` images per inference call (default %d; fixed-batch models use theirs)", engine.DefaultBatch))
	parsedVar(fs, &m.opts.Workers, "workers", "0", atLeast(0), "`N` decode/preprocess workers (default: one per CPU)")
	parsedVar(fs, &m.opts.Threads, "threads", "0", atLeast(0), "`N` ONNX Runtime intra-op threads (default: one per CPU)")
	parsedVar(fs, &m.opts.Runners, "runners", "1", atLeast(1), "`N` concurrent inference calls")
	parsedVar(fs, &m.opts.TopK, "topk", "1", atLeast(1), "write the top `K` classes per image")
	parsedVar(fs, &m.opts.Output, "output-kind", "auto", outputKind, "what the model outputs (`KIND`): auto, logits or probabilities")
	fs.StringVar(&m.opts.Variant, "variant", "", "preprocessing variant `CHAIN`, e.g. brightness:factor=1.5")
	m.pre.register(fs, nil)
	fs.Func("layout", "the model input's `LAYOUT`: NCHW or NHWC (default: read from the model)", func(s string) error {
		l, err := models.ParseLayout(s)
		m.pre.s.Layout = &l
		return err
	})
	fs.Func("num-classes", "`N`: 1000, or 1001 for a background class at index 0 (default: from the model)", func(s string) error {
		if s != "1000" && s != "1001" {
			return errors.New("want 1000 or 1001")
		}
		n, off := 1000, 0
		if s == "1001" {
			n, off = 1001, 1
		}
		m.pre.s.Classes, m.pre.s.LabelOffset = &n, &off
		return nil
	})
	m.decode.register(fs, true)
}

// outputKind checks an output kind, keeping its text for imagenetx.Options.
func outputKind(s string) (string, error) {
	_, err := engine.ParseOutputKind(s)
	return s, err
}

// options are the front door's options the flags chose.
func (m *modelFlags) options() imagenetx.Options {
	o := m.opts
	o.Preprocess, o.Decode = m.pre.settings(), m.decode.opts
	return o
}

// open opens the model; an error about the library given by --ort-lib
// says so, and one about a registered model not yet fetched says how.
func (m *modelFlags) open() (*imagenetx.Model, error) {
	model, err := imagenetx.Open(m.ref, m.options())
	switch {
	case err == nil:
		return model, nil
	case errors.Is(err, models.ErrNotInstalled):
		return nil, fmt.Errorf("%w (`imagenetx setup --models %s` fetches it)", err, m.ref)
	case m.opts.RuntimeLibrary != "" && strings.Contains(err.Error(), m.opts.RuntimeLibrary):
		return nil, fmt.Errorf("--ort-lib: %w", err)
	}
	return nil, err
}

// pipelineFlags override parts of the preprocessing: the model's (run,
// audit, sweep), or preprocess's fixed defaults.
type pipelineFlags struct {
	s models.Settings
}

// register adds the flags; base holds the defaults they override (nil:
// the model's own).
func (p *pipelineFlags) register(fs *flag.FlagSet, base *preprocess.Config) {
	def := func(fixed func(c *preprocess.Config) string) string {
		if base == nil {
			return " (default: the model's)"
		}
		return " (default " + fixed(base) + ")"
	}
	fs.Func("resize", "resize the shorter side to `N` pixels (0: crop / crop-pct)"+
		def(func(c *preprocess.Config) string { return strconv.Itoa(c.ResizeSize) }), func(s string) error {
		n, err := nonNegative(s)
		p.s.ResizeSize = &n
		return err
	})
	fs.Func("crop", "center-crop to `N`×N pixels"+def(func(c *preprocess.Config) string { return strconv.Itoa(c.CropSize) }), func(s string) error {
		n, err := nonNegative(s)
		p.s.CropSize = &n
		return err
	})
	fs.Func("crop-pct", "timm's crop_pct `FRACTION`: resize to crop/crop-pct, in place of --resize", func(s string) error {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || !(v > 0 && v <= 1) {
			return errors.New("want a fraction in (0, 1]")
		}
		p.s.CropPct = &v
		return nil
	})
	fs.Func("interpolation", "resize `FILTER`: bilinear or bicubic"+def(func(c *preprocess.Config) string { return c.Interpolation.String() }), func(s string) error {
		in, err := preprocess.ParseInterpolation(s)
		p.s.Interpolation = &in
		return err
	})
	for _, t := range []struct {
		name, what string
		dst        **[3]float32
		fixed      func(c *preprocess.Config) string
	}{
		{"mean", "normalisation mean", &p.s.Mean, func(c *preprocess.Config) string { return formatTriple(c.Mean) }},
		{"std", "normalisation standard deviation", &p.s.Std, func(c *preprocess.Config) string { return formatTriple(c.Std) }},
	} {
		fs.Func(t.name, t.what+" `R,G,B`"+def(t.fixed), func(s string) error {
			v, err := parseTriple(s)
			*t.dst = &v
			return err
		})
	}
}

// settings are the overrides given; a crop-pct replaces the resize.
func (p *pipelineFlags) settings() models.Settings {
	s := p.s
	if s.CropPct != nil {
		zero := 0
		s.ResizeSize = &zero
	}
	return s
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
		fs.BoolVar(&d.opts.Fast, "fast-decode", false, "decode JPEGs fast (DCT scaling, fast IDCT, plain upsampling) instead of exactly as Pillow does: for feeding a GPU; recorded in run.json")
	}
	parsedVar(fs, &d.opts.MaxPixels, "max-pixels", "0", atLeast[int64](0), "refuse images whose header declares more than `N` pixels (default: the decoder's limit)")
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
		parsedVar(fs, &f.sel.Shard, "shard", "", runfiles.ParseShard, "run only part `i/n` of the image list (0 ≤ i < n), chosen by a hash of each file name; put the parts together with imagenetx merge (deploy/README.md)")
	}
	parsedVar(fs, &f.sel.Limit, "limit", "0", atLeast(0), limit)
}

// list lists the images.
func (f *imageFlags) list() (*imagenetx.Images, error) {
	if f.dir == "" {
		return nil, usagef("--images DIR is required")
	}
	return imagenetx.Folder(f.dir, f.sel)
}

// datasetFlags choose the annotations: the folder, the release, the split,
// and whether the prototypes stay.
type datasetFlags struct {
	dir  string
	opts eval.DatasetOptions
	// setUp: without --annotations, set-up's copy in the data home.
	setUp bool
}

// register adds the flags with factors as the default release; setUp
// makes --annotations optional.
func (d *datasetFlags) register(fs *flag.FlagSet, factors string, setUp bool) {
	d.registerAs(fs, "factors", factors, setUp)
}

// registerAs is register with the release flag named releaseFlag
// (spillover's --factors lists factors).
func (d *datasetFlags) registerAs(fs *flag.FlagSet, releaseFlag, factors string, setUp bool) {
	d.setUp = setUp
	usage := "ImageNet-X annotations `DIR` (upstream file names)"
	if setUp {
		usage += " (default: set-up's, in the data home)"
	}
	fs.StringVar(&d.dir, "annotations", "", usage)
	parsedVar(fs, &d.opts.Factors, releaseFlag, factors, eval.ParseFactorSet, "annotation `RELEASE`: top or multi")
	parsedVar(fs, &d.opts.Partition, "partition", "val", eval.ParsePartition, "annotated `SPLIT`: val or train")
	fs.BoolVar(&d.opts.KeepPrototypes, "keep-prototypes", false, "keep the 3,000 prototypical images (left out by default, as in the reference)")
}

// folder is the annotation folder: --annotations, or set-up's.
func (d *datasetFlags) folder() (string, error) {
	switch {
	case d.dir != "":
		return d.dir, nil
	case !d.setUp:
		return "", usagef("--annotations DIR is required")
	}
	return datahome.Annotations()
}

// load reads the annotations.
func (d *datasetFlags) load() (*eval.Dataset, error) {
	dir, err := d.folder()
	if err != nil {
		return nil, err
	}
	return load.Annotations(dir, d.opts)
}

// predictionFlags name prediction files: --predictions, repeatable, each a
// CSV or a folder of them.
type predictionFlags struct {
	paths []string
}

// register adds --predictions with usage ("" for the usual text).
func (p *predictionFlags) register(fs *flag.FlagSet, usage string) {
	if usage == "" {
		usage = "predictions CSV `PATH`, NAME=PATH (the file, as model NAME) or folder of CSVs, one model each (repeatable)"
	}
	fs.Func("predictions", usage, func(s string) error {
		p.paths = append(p.paths, s)
		return nil
	})
}

// sources are the prediction files, one model each.
func (p *predictionFlags) sources() ([]load.Source, error) {
	if len(p.paths) == 0 {
		return nil, usagef("--predictions PATH is required")
	}
	return load.Sources(p.paths)
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
	parsedVar(fs, &t.format, "format", "csv", func(s string) (tabular.Format, error) {
		f, err := tabular.ParseFormat(s)
		for _, ok := range formats {
			if err == nil && f == ok {
				return f, nil
			}
		}
		return f, fmt.Errorf("want %s", orList(names))
	}, "output `FORMAT`: "+orList(names))
}

// quietVar adds --quiet, which silences what on stderr.
func quietVar(fs *flag.FlagSet, p *bool, what string) {
	fs.BoolVar(p, "quiet", false, "no "+what+" on stderr")
}

// errorTypeVar adds --error-type.
func errorTypeVar(fs *flag.FlagSet, p *eval.ErrorType) {
	parsedVar(fs, p, "error-type", "class", eval.ParseErrorType, "when a prediction is correct (`TYPE`): class, metaclass or real")
}

// correctionVar adds --correction.
func correctionVar(fs *flag.FlagSet, p *eval.Correction) {
	parsedVar(fs, p, "correction", "holm", eval.ParseCorrection, "multiple-testing `CORRECTION` across factors: holm, bh or none")
}

// parsed is a flag whose text is parsed into *p as the flag is read.
type parsed[T any] struct {
	p     *T
	text  string
	parse func(string) (T, error)
}

func (v *parsed[T]) String() string {
	if v == nil {
		return ""
	}
	return v.text
}

func (v *parsed[T]) Set(s string) error {
	x, err := v.parse(s)
	if err != nil {
		return err
	}
	*v.p, v.text = x, s
	return nil
}

// parsedVar adds a parsed flag whose default is the text def ("": the
// zero value).
func parsedVar[T any](fs *flag.FlagSet, p *T, name, def string, parse func(string) (T, error), usage string) {
	v := &parsed[T]{p: p, parse: parse}
	if def != "" {
		if err := v.Set(def); err != nil {
			panic(fmt.Sprintf("flag --%s: default %q: %v", name, def, err)) // a mistake in this file, not in input
		}
	}
	fs.Var(v, name, usage)
}

// atLeast parses an integer not below min.
func atLeast[T int | int64](min T) func(string) (T, error) {
	return func(s string) (T, error) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || T(n) < min || int64(T(n)) != n {
			return 0, fmt.Errorf("want an integer ≥ %d", min)
		}
		return T(n), nil
	}
}

func nonNegative(s string) (int, error) { return atLeast(0)(s) }

// oneOf accepts one of the given words.
func oneOf(words ...string) func(string) (string, error) {
	return func(s string) (string, error) {
		for _, w := range words {
			if s == w {
				return s, nil
			}
		}
		return "", fmt.Errorf("want %s", orList(words))
	}
}

// orList is "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// parseTriple parses "a,b,c" into three float32s.
func parseTriple(s string) ([3]float32, error) {
	var out [3]float32
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return out, errors.New("want three comma-separated numbers")
	}
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 32)
		if err != nil {
			return out, fmt.Errorf("%q is not a number", p)
		}
		out[i] = float32(v)
	}
	return out, nil
}

func formatTriple(v [3]float32) string {
	s := make([]string, 3)
	for i, x := range v {
		s[i] = strconv.FormatFloat(float64(x), 'g', -1, 32)
	}
	return strings.Join(s, ",")
}

// level parses a probability level in (0, 1), or (0, 1] with closed.
func level(closed bool) func(string) (float64, error) {
	return func(s string) (float64, error) {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || !(v > 0 && (v < 1 || closed && v == 1)) {
			if closed {
				return 0, errors.New("want a level in (0, 1]")
			}
			return 0, errors.New("want a level between 0 and 1")
		}
		return v, nil
	}
}
