package imagenetx

import (
	"context"

	"github.com/imagenetx/imagenetx/datahome"
	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/predictions"
	"github.com/imagenetx/imagenetx/preprocess"
)

// LabelsFile is the annotation release's file of every validation image's
// class, which top-1 is scored against (the factor tables leave out the
// prototypes; this file does not).
const LabelsFile = "filename_label.csv"

// Labels maps an image's file name to its ImageNet class index.
type Labels map[string]int

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
	if dir == "" {
		var err error
		if dir, err = datahome.Annotations(); err != nil {
			return nil, err
		}
	}
	if opts.Partition == "" {
		opts.Partition = eval.Val
	}
	ds, err := load.Annotations(dir, opts)
	if err != nil {
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

// add scores one prediction against labels.
func (s *Score) add(labels Labels, p predictions.Prediction) {
	c, ok := labels[p.FileName]
	if !ok {
		return
	}
	s.Labeled++
	if p.Class == c {
		s.Top1++
	}
	hit := p.Class == c
	for _, k := range p.TopK {
		hit = hit || k.Class == c
	}
	if hit {
		s.TopK++
	}
}

// AuditOptions choose what an audit writes and how it scores.
type AuditOptions struct {
	RunOptions
	// Output, when its Predictions is set, is where the predictions,
	// errors and run.json go (resumable; see Model.RunToFiles). The zero
	// value keeps everything in memory.
	Output Output
	// ErrorType decides when a prediction counts as correct in Table.
	ErrorType eval.ErrorType
	// Name names the model in the tables (default: Model.Name).
	Name string
}

// Audit is the result of auditing a model.
type Audit struct {
	// Model is the name in the tables.
	Model string
	// Stats describe the run: images, failures, speed.
	Stats engine.Stats
	// Accumulator holds the predictions joined with the annotations, for
	// further tables (metaclass, intervals, comparisons; see package eval).
	Accumulator *eval.Accumulator
	// Table is the factor table (one row: Model) for the error type asked.
	Table *eval.Table
	// Score is top-1/top-k over every labelled image.
	Score Score
	// imagesDir is where the report finds example images, decoded with
	// decode; errorsPath is the run's errors file ("": kept in memory).
	imagesDir  string
	decode     preprocess.DecodeOptions
	errorsPath string
}

// Row is the model's row of the factor table.
func (a *Audit) Row() *eval.Row {
	r, _ := a.Table.Row(a.Model)
	return r
}

// Audit runs the model over images and streams its predictions into the
// factor evaluator as they are made: it returns the factor table, top-1
// and top-k, and the run's statistics. Failed images are counted in Stats
// and left out of the tables. When the run stops early (an error, ctx
// cancelled) the Audit so far is returned with the error, Table unset.
func (m *Model) Audit(ctx context.Context, images *Images, ann *Annotations, opts AuditOptions) (*Audit, error) {
	a := &Audit{Model: opts.Name, Accumulator: eval.NewAccumulator(ann.Dataset), Score: Score{K: m.TopK()},
		imagesDir: images.Dir, decode: m.opts.Decode}
	if a.Model == "" {
		a.Model = m.Name()
	}
	add := engine.FuncSink(func(r engine.Result) error {
		if r.Err != nil {
			return nil
		}
		a.Score.add(ann.Labels, r.Pred)
		return a.Accumulator.Add(a.Model, r.Pred)
	})
	var err error
	if opts.Output.Predictions != "" {
		a.errorsPath = opts.Output.Errors
		a.Stats, err = m.RunToFiles(ctx, images, opts.Output, add, opts.RunOptions)
	} else {
		a.Stats, err = m.Run(ctx, images, add, opts.RunOptions)
	}
	if err != nil {
		return a, err
	}
	a.Table, err = a.Accumulator.Table(opts.ErrorType)
	return a, err
}
