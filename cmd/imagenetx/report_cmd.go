package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/imagenetx/imagenetx"
	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/eval/sweep"
	"github.com/imagenetx/imagenetx/report"
)

// reportFlags are the inputs of the report and plot commands.
type reportFlags struct {
	ds          datasetFlags
	predictions stringList
	sweeps      stringList
	errorType   string
	quiet       bool
}

func (r *reportFlags) register(fs *flag.FlagSet) {
	r.ds.register(fs)
	fs.Var(&r.predictions, "predictions", predictionsFlagUsage)
	fs.Var(&r.sweeps, "sweep", "output `DIR` of an imagenetx sweep, holding "+sweep.SpilloverFile+" (repeatable)")
	fs.StringVar(&r.errorType, "error-type", "class", "when a prediction is correct: class, metaclass or real")
	fs.BoolVar(&r.quiet, "quiet", false, "no coverage notes on stderr")
}

// input loads the predictions and sweeps named by the flags.
func (r *reportFlags) input(ctx context.Context) (report.Input, error) {
	var in report.Input
	if len(r.predictions) == 0 && len(r.sweeps) == 0 {
		return in, fmt.Errorf("--predictions PATH or --sweep DIR is required")
	}
	et, err := eval.ParseErrorType(r.errorType)
	if err != nil {
		return in, err
	}
	in.ErrorType = et
	if len(r.predictions) > 0 {
		if in.Accumulator, err = loadAccumulator(ctx, &r.ds, r.predictions, r.quiet); err != nil {
			return in, err
		}
		in.Notes = coverageNotes(in.Accumulator)
	}
	for _, dir := range r.sweeps {
		if err := ctx.Err(); err != nil {
			return in, err
		}
		s, err := sweep.LoadDir(dir)
		if err != nil {
			return in, err
		}
		in.Sweeps = append(in.Sweeps, s)
	}
	return in, nil
}

// coverageNotes says, for the page, how each model's predictions joined the
// annotations, so a reader sees when numbers rest on part of the data.
func coverageNotes(acc *eval.Accumulator) []string {
	var notes []string
	for _, name := range acc.Models() {
		m, _ := acc.Model(name)
		c := m.Coverage()
		notes = append(notes, fmt.Sprintf("%s: %d of %d annotated images have a prediction (%d missing)", name, c.Joined, c.Annotated, c.Missing))
	}
	return notes
}

const reportUsage = `usage: imagenetx report --predictions PATH... --annotations DIR [--images DIR] [--sweep DIR] [-o report.html]

Writes the audit as one self-contained HTML page (inline SVG charts, one
small script that sorts tables, nothing loaded from the network): each
model's top-1 (and top-k) over every labelled image it predicted, the
factors clearly harder than average, the factor table, the paired
comparison with --baseline, every misclassified image per factor (with
thumbnails from --images), metaclass × factor heatmaps, calibration, failed
images (from the errors file beside each predictions file, or --errors) and
sweeps.

flags:
`

// runReport implements "imagenetx report".
func runReport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), reportUsage)
		fs.PrintDefaults()
	}
	var rf reportFlags
	rf.register(fs)
	images := fs.String("images", "", "`DIR` of the annotated images (searched recursively), for example strips")
	examples := fs.Int("examples", report.DefaultExamplesPerFactor, "misclassified examples per factor")
	title := fs.String("title", "", "page title (default \"ImageNet-X audit\")")
	strict := fs.Bool("strict-decode", false, strictDecodeUsage)
	baseline := fs.String("baseline", "", "`MODEL` the others are compared with (default: the first)")
	minImages := fs.Int("min-images", eval.DefaultMinImages, "images a factor needs before the headline singles it out")
	var errorsFiles stringList
	fs.Var(&errorsFiles, "errors", "`MODEL=PATH` of a model's errors file (repeatable; default: the one beside its predictions)")
	out := fs.String("o", "report.html", "output `FILE` (- for stdout)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *examples < 1 {
		return fmt.Errorf("--examples must be at least 1, got %d", *examples)
	}
	in, err := rf.input(ctx)
	if err != nil {
		return err
	}
	if len(rf.predictions) > 0 {
		if in.Models, err = reportModels(rf.predictions, rf.ds.dir, errorsFiles); err != nil {
			return err
		}
	}
	in.Title, in.ImagesDir, in.ExamplesPerFactor, in.Baseline, in.MinImages = *title, *images, *examples, *baseline, *minImages
	in.Decode.Strict = *strict
	in.Notes = append([]string{"imagenetx report " + strings.Join(args, " ")}, in.Notes...)
	return writeOutput(*out, func(w io.Writer) error { return report.Write(ctx, w, in) })
}

// reportModels reads, per model, what the page shows beyond the annotated
// images: top-1/top-k over every labelled image, and the failed images.
func reportModels(preds []string, annotations string, errorsFiles []string) ([]report.Model, error) {
	sources, err := load.Sources(preds)
	if err != nil {
		return nil, err
	}
	labels, err := imagenetx.LoadLabels(annotations)
	if err != nil {
		return nil, err
	}
	named := map[string]string{}
	for _, e := range errorsFiles {
		name, path, ok := strings.Cut(e, "=")
		if !ok || !slices.ContainsFunc(sources, func(s load.Source) bool { return s.Model == name }) {
			return nil, fmt.Errorf("--errors %q: want MODEL=PATH, MODEL one of the models given", e)
		}
		named[name] = path
	}
	var out []report.Model
	for _, s := range sources {
		m, err := imagenetx.ReportModel(s.Model, s.Path, named[s.Model], labels)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}
