package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/imagenetx/imagenetx"
	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/engine/ortlib"
	"github.com/imagenetx/imagenetx/models"
	"github.com/imagenetx/imagenetx/preprocess"
	"github.com/imagenetx/imagenetx/runfiles"
)

// strictDecodeUsage is the help of --strict-decode, the same on every
// command that decodes images.
const strictDecodeUsage = "refuse damaged images that Pillow decodes (JPEGs with lost blocks, which Pillow fills in) instead of decoding them as Pillow does"

// runFlags are the settings shared by `run` and `audit`.
type runFlags struct {
	model, images, ortLib, device, output, variant string
	batch, workers, threads, runners, limit, topk  int
	resume, quiet                                  bool
	pre                                            modelFlags
	// strictDecode refuses damaged images that Pillow decodes;
	// maxPixels bounds a decoded image.
	strictDecode bool
	maxPixels    int64
	// gpuMemLimit and convAlgoSearch tune the CUDA execution provider.
	gpuMemLimit    int64
	convAlgoSearch string
	// shard is the part of the image list this process runs (--shard i/n).
	shard runfiles.ShardSpec
}

// modelFlags override the model's preprocessing and label space.
type modelFlags struct {
	resize, crop       int
	cropPct            float64
	interp, mean, std  string
	layout, numClasses string
}

func (f *runFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.model, "model", models.DefaultName, "registered model `NAME` ("+models.Names()+") or .onnx FILE")
	fs.StringVar(&f.images, "images", "", "image `DIR`: flat, or one folder per wnid")
	fs.StringVar(&f.ortLib, "ort-lib", "", "libonnxruntime.so `FILE` (default $"+ortlib.EnvVar+", then set-up's place)")
	fs.StringVar(&f.device, "device", "cpu", "cpu or cuda:N")
	fs.IntVar(&f.batch, "batch", 0, fmt.Sprintf("images per inference call (default %d; fixed-batch models use theirs)", engine.DefaultBatch))
	fs.IntVar(&f.workers, "workers", 0, "decode/preprocess workers (default: one per CPU)")
	fs.IntVar(&f.threads, "threads", 0, "ONNX Runtime intra-op threads (default: one per CPU)")
	fs.IntVar(&f.runners, "runners", 1, "concurrent inference calls")
	fs.IntVar(&f.limit, "limit", 0, "only the first N images (in file-name order), taken before --shard")
	fs.Func("shard", "run only part `i/n` of the image list (0 ≤ i < n), chosen by a hash of each file name; put the parts together with imagenetx merge (deploy/README.md)", func(s string) error {
		sh, err := runfiles.ParseShard(s)
		f.shard = sh
		return err
	})
	fs.IntVar(&f.topk, "topk", 1, "write the top K classes per image")
	fs.BoolVar(&f.resume, "resume", false, "continue an interrupted run from its output files")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress on stderr")
	fs.StringVar(&f.output, "output-kind", "auto", "model output: auto, logits or probabilities")
	fs.StringVar(&f.variant, "variant", "", "preprocessing variant chain, e.g. brightness:factor=1.5")
	fs.Int64Var(&f.gpuMemLimit, "gpu-mem-limit", 0, "with --device cuda:N: cap the GPU memory arena at `BYTES` (default: no cap)")
	fs.StringVar(&f.convAlgoSearch, "cudnn-conv-algo-search", "EXHAUSTIVE", "with --device cuda:N: EXHAUSTIVE (fastest), HEURISTIC or DEFAULT (reproducible)")
	fs.BoolVar(&f.strictDecode, "strict-decode", false, strictDecodeUsage)
	fs.Int64Var(&f.maxPixels, "max-pixels", 0, "refuse images whose header declares more pixels (default: the decoder's limit)")
	fs.IntVar(&f.pre.resize, "resize", -1, "resize the shorter side to N (default: the model's)")
	fs.IntVar(&f.pre.crop, "crop", 0, "center-crop size (default: the model's)")
	fs.Float64Var(&f.pre.cropPct, "crop-pct", 0, "timm crop_pct: resize to crop/crop_pct")
	fs.StringVar(&f.pre.interp, "interpolation", "", "bilinear or bicubic (default: the model's)")
	fs.StringVar(&f.pre.mean, "mean", "", "normalisation mean r,g,b (default: the model's)")
	fs.StringVar(&f.pre.std, "std", "", "normalisation std r,g,b (default: the model's)")
	fs.StringVar(&f.pre.layout, "layout", "", "NCHW or NHWC (default: read from the model)")
	fs.StringVar(&f.pre.numClasses, "num-classes", "", "1000, or 1001 for a background class at index 0 (default: from the model)")
}

func (f *runFlags) check(fs *flag.FlagSet) error {
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	case f.images == "":
		return errors.New("--images DIR is required")
	case f.convAlgoSearch != "EXHAUSTIVE" && f.convAlgoSearch != "HEURISTIC" && f.convAlgoSearch != "DEFAULT":
		return fmt.Errorf("--cudnn-conv-algo-search %q: want EXHAUSTIVE, HEURISTIC or DEFAULT", f.convAlgoSearch)
	case f.gpuMemLimit < 0 || f.maxPixels < 0:
		return errors.New("--gpu-mem-limit and --max-pixels must be ≥ 0")
	case f.limit < 0 || f.topk < 1 || f.batch < 0 || f.workers < 0 || f.threads < 0 || f.runners < 1:
		return errors.New("--limit, --batch, --workers and --threads must be ≥ 0, --topk and --runners ≥ 1")
	}
	return nil
}

// settings turns the preprocessing flags into model settings.
func (m *modelFlags) settings() (models.Settings, error) {
	var s models.Settings
	if m.resize >= 0 {
		s.ResizeSize = &m.resize
	}
	if m.crop > 0 {
		s.CropSize = &m.crop
	}
	if m.cropPct != 0 {
		zero := 0
		s.CropPct, s.ResizeSize = &m.cropPct, &zero
	}
	if m.interp != "" {
		in, err := preprocess.ParseInterpolation(m.interp)
		if err != nil {
			return s, fmt.Errorf("--interpolation: %w", err)
		}
		s.Interpolation = &in
	}
	for _, t := range []struct {
		name, val string
		dst       **[3]float32
	}{{"--mean", m.mean, &s.Mean}, {"--std", m.std, &s.Std}} {
		if t.val != "" {
			v, err := parseTriple(t.name, t.val)
			if err != nil {
				return s, err
			}
			*t.dst = &v
		}
	}
	return s, m.moreSettings(&s)
}

func (m *modelFlags) moreSettings(s *models.Settings) error {
	if m.layout != "" {
		l, err := models.ParseLayout(m.layout)
		if err != nil {
			return fmt.Errorf("--layout: %w", err)
		}
		s.Layout = &l
	}
	switch m.numClasses {
	case "":
	case "1000", "1001":
		n, off := 1000, 0
		if m.numClasses == "1001" {
			n, off = 1001, 1
		}
		s.Classes, s.LabelOffset = &n, &off
	default:
		return fmt.Errorf("--num-classes %s: want 1000 or 1001", m.numClasses)
	}
	return nil
}

// job is an opened model with its image list.
type job struct {
	flags  *runFlags
	model  *imagenetx.Model
	images *imagenetx.Images
}

// options turns the flags into the front door's options.
func (f *runFlags) options() (imagenetx.Options, error) {
	pre, err := f.pre.settings()
	if err != nil {
		return imagenetx.Options{}, err
	}
	return imagenetx.Options{
		Device: f.device, GPUMemLimit: f.gpuMemLimit, ConvAlgoSearch: f.convAlgoSearch,
		Batch: f.batch, Workers: f.workers, Threads: f.threads, Runners: f.runners,
		Variant: f.variant, TopK: f.topk, Output: f.output,
		Decode:     preprocess.DecodeOptions{Strict: f.strictDecode, MaxPixels: f.maxPixels},
		Preprocess: pre, RuntimeLibrary: f.ortLib,
	}, nil
}

// openJob lists the images and opens the model (loading the runtime).
func openJob(f *runFlags) (*job, error) {
	images, err := imagenetx.Folder(f.images, imagenetx.Selection{Limit: f.limit, Shard: f.shard})
	if err != nil {
		return nil, err
	}
	opts, err := f.options()
	if err != nil {
		return nil, err
	}
	model, err := imagenetx.Open(f.model, opts)
	if err != nil {
		if f.ortLib != "" && strings.Contains(err.Error(), f.ortLib) {
			return nil, fmt.Errorf("--ort-lib: %w", err)
		}
		return nil, err
	}
	return &job{flags: f, model: model, images: images}, nil
}

func (j *job) close() error { return j.model.Close() }

// config is the opened model's pipeline configuration.
func (j *job) config() engine.Config { return j.model.Classifier().Config }

// runOptions shows progress on stderr unless --quiet.
func (j *job) runOptions() (imagenetx.RunOptions, *engine.ProgressPrinter) {
	pp := engine.NewProgressPrinter(os.Stderr, j.flags.quiet)
	return imagenetx.RunOptions{Progress: pp.Update}, pp
}

// runRun is `imagenetx run`: predictions of a model over a folder of images,
// in the reference CSV format, rows in file-name order.
func runRun(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: imagenetx run --model FILE|NAME --images DIR [-o preds.csv] [flags]")
		fs.PrintDefaults()
	}
	f := &runFlags{}
	f.register(fs)
	out := fs.String("o", "predictions.csv", "predictions CSV `FILE`")
	errorsPath := fs.String("errors", "", "errors CSV `FILE` for images that failed (default: FILE with .errors.csv)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := f.check(fs); err != nil {
		return err
	}
	o := runfiles.ForFile(*out, *errorsPath)
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	j, err := openJob(f)
	if err != nil {
		return err
	}
	defer j.close()
	ro, pp := j.runOptions()
	st, err := j.model.RunToFiles(ctx, j.images, imagenetx.Output{Outputs: o, Resume: f.resume}, nil, ro)
	pp.Finish(st.Progress)
	printRunSummary(os.Stderr, j, st, o, err)
	return runOutcome(st, err, o)
}

// printRunSummary says what the run did; after a write error it does not
// claim predictions that may never have reached the disk.
func printRunSummary(w io.Writer, j *job, st engine.Stats, o runfiles.Outputs, runErr error) {
	fmt.Fprintf(w, "%s on %d images", j.model.Name(), st.Total)
	if sh := j.images.Shard(); !sh.IsWhole() {
		fmt.Fprintf(w, " (shard %s of %d)", sh, j.images.List.Count)
	}
	if runErr != nil {
		fmt.Fprintf(w, ": stopped after %d images, %d failed: %v\n", st.Skipped+st.Done, st.Failed, runErr)
		return
	}
	fmt.Fprintf(w, ": %d predicted, %d failed", st.Skipped+st.Done-st.Failed, st.Failed)
	if st.Skipped > 0 {
		fmt.Fprintf(w, " (%d from the earlier run)", st.Skipped)
	}
	fmt.Fprintf(w, "; %.1f img/s over %s (batch %d, output %s) -> %s\n",
		st.Rate(), st.Elapsed.Round(time.Millisecond), j.config().Batch, st.OutputKind, o.Predictions)
	if u, ok := utilisationOf(st, j.config()); ok {
		fmt.Fprintln(w, u)
	}
}

// utilisation says which side of the pipeline limits a run: preprocessing
// workers that are always busy mean the model waits for images (add
// --workers, or CPUs); an inference side that is always busy means the
// model is the bottleneck (a larger --batch, another --device).
type utilisation struct {
	workers, runners int
	// prep and infer are the busy fractions, 0..1: summed busy time over
	// wall time × goroutines.
	prep, infer float64
	// prepPerImage is the mean time one worker spends on one image.
	prepPerImage time.Duration
}

func utilisationOf(st engine.Stats, cfg engine.Config) (utilisation, bool) {
	if st.Elapsed <= 0 || st.Done == 0 {
		return utilisation{}, false
	}
	wall := st.Elapsed.Seconds()
	workers, runners := max(cfg.Workers, 1), max(cfg.Runners, 1)
	return utilisation{
		workers: workers, runners: runners,
		prep:         st.PrepareTime.Seconds() / (wall * float64(workers)),
		infer:        st.InferTime.Seconds() / (wall * float64(runners)),
		prepPerImage: st.PrepareTime / time.Duration(st.Done),
	}, true
}

func (u utilisation) String() string {
	return fmt.Sprintf("busy: preprocessing workers %.0f%% (%s, %s per image each), inference %.0f%% (%s)",
		100*u.prep, plural(u.workers, "worker"), u.prepPerImage.Round(10*time.Microsecond), 100*u.infer, plural(u.runners, "runner"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// runOutcome maps a finished run to the command's error: failures make it
// incomplete (exit status 3); an interruption keeps its cause.
func runOutcome(st engine.Stats, err error, o runfiles.Outputs) error {
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("stopped after %d of %d images; continue with --resume: %w", st.Skipped+st.Done, st.Total, err)
		}
		return err
	}
	if st.Failed > 0 {
		return fmt.Errorf("%w: %d of %d images failed (see %s)", errIncomplete, st.Failed, st.Total, o.Errors)
	}
	return nil
}
