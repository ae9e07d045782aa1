package imagenetx

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/predictions"
	"github.com/imagenetx/imagenetx/preprocess"
	"github.com/imagenetx/imagenetx/runfiles"
)

// Annotations are the ImageNet-X annotations an audit scores against, with
// the class labels of the images.
type Annotations struct {
	// Dir is the annotation folder (upstream file names).
	Dir     string
	Dataset *eval.Dataset
	// Labels score top-1/top-k; empty when the folder has no LabelsFile.
	Labels Labels
}

// LoadAnnotations reads the annotation folder dir ("" for set-up's copy in
// the data home) with opts (the zero value: the val split's top factors,
// prototypes left out, as the reference does).
func LoadAnnotations(dir string, opts eval.DatasetOptions) (*Annotations, error) {
	dir, err := annotationsDir(dir)
	if err != nil {
		return nil, err
	}
	if opts.Partition == "" {
		opts.Partition = eval.Val
	}
	opts = PinDataHome(dir, opts)
	ds, err := load.Annotations(dir, opts)
	if err != nil {
		return nil, err
	}
	if err := load.CheckPin(opts.Pins, filepath.Join(dir, LabelsFile)); err != nil {
		return nil, err
	}
	labels, err := LoadLabels(dir)
	if err != nil {
		return nil, err
	}
	return &Annotations{Dir: dir, Dataset: ds, Labels: labels}, nil
}

// Score counts how often the labelled images' predictions are right.
type Score struct {
	// Labeled is the number of predicted images that have a label; Top1
	// and TopK those whose label is the first class, or among the first K.
	Labeled, Top1, TopK int
	// K is the number of classes the predictions carried (1: TopK = Top1).
	K int
}

// Top1Accuracy is Top1/Labeled (NaN-free: 0 when nothing was labelled).
func (s Score) Top1Accuracy() float64 { return ratio(s.Top1, s.Labeled) }

// TopKAccuracy is TopK/Labeled.
func (s Score) TopKAccuracy() float64 { return ratio(s.TopK, s.Labeled) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// add scores one prediction against labels and says how it fared: 0 for
// an image without a label, 1 wrong at top-1, 2 right.
func (s *Score) add(labels Labels, p predictions.Prediction) uint8 {
	c, ok := labels[p.FileName]
	if !ok {
		return outcomeUnlabeled
	}
	s.Labeled++
	hit := p.Class == c
	if hit {
		s.Top1++
	}
	top1 := hit
	for _, k := range p.TopK {
		hit = hit || k.Class == c
	}
	if hit {
		s.TopK++
	}
	if top1 {
		return outcomeRight
	}
	return outcomeWrong
}

// How one model fared on one image (Audit.outcomes).
const (
	outcomeUnlabeled uint8 = iota // not scored: no label, or failed
	outcomeWrong
	outcomeRight
)

// AuditOptions choose what an audit writes and how it scores.
type AuditOptions struct {
	RunOptions
	// Dir, when set, is the folder where each model's predictions, errors
	// and run.json go, named after the model (runfiles.ForModel:
	// NAME.predictions.csv, NAME.errors.csv, NAME.run.json), each locked
	// against a second writer while the audit runs. "" keeps everything in
	// memory.
	Dir string
	// Resume continues the runs whose files are in Dir (see
	// runfiles.ResumeFileSink); it refuses when a model, its
	// preprocessing, the image list or another setting changed since they
	// began. Several models resume together from the fewest images any of
	// them had done.
	Resume bool
	// Replace lets an audit write into a Dir that holds another run's
	// files (runfiles.RunFilesIn): they are all removed first, so that no
	// earlier model's predictions stay beside the new tables. Without
	// Resume or Replace such a folder is refused (ErrDirHoldsRun).
	Replace bool
	// ErrorType decides when a prediction counts as correct in Table.
	ErrorType eval.ErrorType
	// Labels score top-1/top-k; nil means the annotations' Labels (see
	// ChooseLabels for the labels of one's own images). LabelSource says
	// where they came from, for the summary (default FromAnnotations).
	Labels      Labels
	LabelSource LabelSource
	// Baseline names the model that an audit of several models compares
	// the others with (its leaderboard and report); "" means the first.
	// An unknown name is refused before anything runs.
	Baseline string
	// MinImages is the number of images a factor needs before the summary
	// and the report single it out (eval.Enough); 0 means
	// eval.DefaultMinImages.
	MinImages int
}

// Audit is the result of auditing a model.
type Audit struct {
	// Model is the model's name in the tables (Model.Name).
	Model string
	// Stats describe the run: images, failures, speed. In an audit of
	// several models, each model's Failed counts its own failures, and the
	// rest is the pass's.
	Stats engine.Stats
	// Accumulator holds the predictions joined with the annotations, for
	// further tables (metaclass, intervals, comparisons; see package eval):
	// in an audit of several models, every model's.
	Accumulator *eval.Accumulator
	// Table is the factor table for the error type asked (in an audit of
	// several models, one row per model).
	Table *eval.Table
	// Score is top-1/top-k over every labelled image.
	Score Score
	// imagesDir is where the report finds example images, decoded with
	// decode.
	imagesDir string
	decode    preprocess.DecodeOptions
	// Outputs are the paths of the model's files (zero without
	// AuditOptions.Dir).
	Outputs runfiles.Outputs
	// outcomes[i] is how the model fared on images.Items[i].
	outcomes []uint8
	failed   int
	// minImages is AuditOptions.MinImages (resolved).
	minImages int
}

// Row is the model's row of the factor table.
func (a *Audit) Row() *eval.Row {
	r, _ := a.Table.Row(a.Model)
	return r
}

// sink scores each result into the audit as it comes.
func (a *Audit) sink(labels Labels) engine.Sink {
	return engine.FuncSink(func(r engine.Result) error {
		if r.Err != nil {
			a.failed++
			return nil
		}
		o := a.Score.add(labels, r.Pred)
		if i := r.Item.Index; i >= 0 && i < len(a.outcomes) {
			a.outcomes[i] = o
		}
		return a.Accumulator.Add(a.Model, r.Pred)
	})
}

// Audits is the result of auditing several models in one pass.
type Audits struct {
	// Models are the models' audits, in the order given.
	Models []*Audit
	// Stats describe the pass.
	Stats engine.Stats
	// Accumulator holds every model's predictions joined with the
	// annotations (the report and eval.Compare take it).
	Accumulator *eval.Accumulator
	// Table is the factor table, one row per model.
	Table *eval.Table
	// Coverage is how many of the images the labels and the annotations
	// know.
	Coverage Coverage
	// Labels are the labels the models were scored against, LabelSource
	// where they came from.
	Labels      Labels
	LabelSource LabelSource
	// Baseline is the model the others are compared with
	// (AuditOptions.Baseline, by default the first model's name).
	Baseline string
	// Among, when set (PlaceAmongPaper), places the audited models among
	// the paper's published models; the summary, the report and the files
	// then show it.
	Among *Among
	// MinImages is the number of images a factor needs to be singled out
	// (AuditOptions.MinImages, by default eval.DefaultMinImages).
	MinImages int
	// models are the models audited, in order.
	models []*Model
}

// Audit runs the model over images and streams its predictions into the
// factor evaluator as they are made: it returns the factor table, top-1
// and top-k, and the run's statistics. Failed images are counted in Stats
// and left out of the tables. When neither the labels nor the annotations
// know any of the images, it runs nothing and returns an error wrapping
// ErrNothingToScore. When the run stops early (an error, ctx cancelled)
// the Audit so far is returned with the error, Table unset.
func (m *Model) Audit(ctx context.Context, images *Images, ann *Annotations, opts AuditOptions) (*Audit, error) {
	as, err := AuditModels(ctx, []*Model{m}, images, ann, opts)
	if len(as.Models) == 0 {
		return &Audit{Model: m.Name()}, err
	}
	return as.Models[0], err
}

// AuditModels audits several models in one pass over images (Model.Audit
// for each, at once): each image is read and decoded once (once per resize
// with fast decoding), resized and cropped once per distinct preprocessing
// configuration, and given to every model in the batches of its own run,
// so each model's predictions are byte for byte those of its own audit.
// Every model's predictions stream into one evaluator; the result holds
// one factor table with a row per model, each model's score, and the
// per-image outcomes that Leaderboard compares. The models must have
// distinct names and decode images alike (the same decode options).
func AuditModels(ctx context.Context, ms []*Model, images *Images, ann *Annotations, opts AuditOptions) (*Audits, error) {
	as := &Audits{Labels: opts.Labels, LabelSource: opts.LabelSource, Baseline: opts.Baseline, models: ms,
		MinImages: cmp.Or(opts.MinImages, eval.DefaultMinImages)}
	if err := eval.CheckMinImages(opts.MinImages); err != nil {
		return as, fmt.Errorf("audit: %w", err)
	}
	if as.Labels == nil {
		as.Labels, as.LabelSource = ann.Labels, FromAnnotations
	}
	if as.LabelSource == "" {
		as.LabelSource = FromAnnotations
	}
	if err := checkModels(ms, opts.Baseline); err != nil {
		return as, err
	}
	if as.Baseline == "" {
		as.Baseline = ms[0].Name()
	}
	as.Accumulator = eval.NewAccumulator(ann.Dataset)
	as.Coverage = CoverageOf(images, ann, as.Labels)
	if err := as.Coverage.check(); err != nil {
		return as, err
	}
	if opts.Dir != "" {
		if err := prepareDir(opts.Dir, opts.Resume, opts.Replace); err != nil {
			return as, err
		}
	}
	sinks := make([]engine.Sink, len(ms))
	for i, m := range ms {
		a := &Audit{Model: m.Name(), Accumulator: as.Accumulator, Score: Score{K: m.TopK()}, outcomes: make([]uint8, len(images.Items)),
			imagesDir: images.Dir, decode: m.opts.Decode, minImages: as.MinImages}
		if opts.Dir != "" {
			a.Outputs = runfiles.ForModel(opts.Dir, a.Model)
		}
		as.Models = append(as.Models, a)
		sinks[i] = a.sink(as.Labels)
	}
	var err error
	switch {
	case len(ms) > 1:
		as.Stats, err = runPass(ctx, ms, images, sinks, as.Models, opts)
	case opts.Dir != "":
		out := Output{Outputs: as.Models[0].Outputs, Resume: opts.Resume}
		as.Stats, err = ms[0].RunToFiles(ctx, images, out, sinks[0], opts.RunOptions)
	default:
		as.Stats, err = ms[0].Run(ctx, images, sinks[0], opts.RunOptions)
	}
	for i, a := range as.Models {
		a.Stats = as.Stats
		a.Stats.Failed = a.failed
		if len(as.Stats.HeadKinds) == len(as.Models) {
			a.Stats.OutputKind, a.Stats.HeadKinds = as.Stats.HeadKinds[i], nil
		}
	}
	if err != nil {
		return as, err
	}
	if as.Table, err = as.Accumulator.Table(opts.ErrorType); err != nil {
		return as, err
	}
	for _, a := range as.Models {
		a.Table = as.Table
	}
	return as, nil
}

// ErrDirHoldsRun is returned (wrapped) by an audit into a folder that
// holds another run's files, neither resumed nor replaced.
var ErrDirHoldsRun = errors.New("the output folder holds another run")

// prepareDir refuses a folder holding a run's files unless the audit
// resumes it or replaces it; replacing removes them all.
func prepareDir(dir string, resume, replace bool) error {
	if resume && replace {
		return fmt.Errorf("audit into %s: resuming a run and replacing it contradict each other", dir)
	}
	if resume {
		return nil
	}
	files, err := runfiles.RunFilesIn(dir)
	if err != nil || len(files) == 0 {
		return err
	}
	if !replace {
		return fmt.Errorf("%w: %s holds %s; resume that run, replace it (its files are removed first) or choose another folder",
			ErrDirHoldsRun, dir, trimmedList(files, 6))
	}
	for _, f := range files {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("replace the run in %s: %w", dir, err)
		}
	}
	return nil
}

// checkModels requires at least one model, distinct names, and a
// baseline ("": the first) among them.
func checkModels(ms []*Model, baseline string) error {
	if len(ms) == 0 {
		return errors.New("audit: no model given")
	}
	seen := map[string]string{}
	for _, m := range ms {
		if prev, dup := seen[m.Name()]; dup {
			return fmt.Errorf("two models are named %s (%s and %s): name them apart", m.Name(), prev, m.Spec().Path)
		}
		seen[m.Name()] = m.Spec().Path
	}
	if _, ok := seen[baseline]; baseline != "" && !ok {
		names := make([]string, len(ms))
		for i, m := range ms {
			names[i] = m.Name()
		}
		return fmt.Errorf("baseline %q is not among the models audited (%s)", baseline, trimmedList(names, 10))
	}
	return nil
}
