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
	predictions predictionFlags
	sweeps      []string
	errorType   eval.ErrorType
	quiet       bool
}

func (r *reportFlags) register(fs *flag.FlagSet) {
	r.ds.register(fs, "top", false)
	r.predictions.register(fs, "")
	fs.Func("sweep", "output `DIR` of an imagenetx sweep, holding "+sweep.SpilloverFile+" (repeatable)", func(s string) error {
		r.sweeps = append(r.sweeps, s)
		return nil
	})
	errorTypeVar(fs, &r.errorType)
	quietVar(fs, &r.quiet, "coverage notes")
}

// input loads the predictions and sweeps named by the flags.
func (r *reportFlags) input(ctx context.Context, e *env) (report.Input, error) {
	in := report.Input{ErrorType: r.errorType}
	if len(r.predictions.paths) == 0 && len(r.sweeps) == 0 {
		return in, usagef("--predictions PATH or --sweep DIR is required")
	}
	if len(r.predictions.paths) > 0 {
		var err error
		if in.Accumulator, err = loadAccumulator(ctx, e, &r.ds, &r.predictions, r.quiet); err != nil {
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

// reportCommand is `imagenetx report`.
func reportCommand() *command {
	var (
		rf          reportFlags
		images      string
		examples    int
		title       string
		out         string
		decode      decodeFlags
		baseline    string
		minImages   int
		errorsFiles []string
	)
	return &command{
		name:  "report",
		usage: "imagenetx report --annotations DIR --predictions PATH... [--images DIR] [--sweep DIR] [-o report.html] [flags]",
		short: "self-contained HTML audit report (charts, tables, examples)",
		long: `
Writes the audit as one self-contained HTML page (inline SVG charts, one
small script that sorts tables, nothing loaded from the network): each
model's top-1 (and top-k) over every labelled image it predicted, the
factors clearly harder than average, the factor table, the paired
comparison with --baseline, every misclassified image per factor (with
thumbnails from --images), metaclass × factor heatmaps, calibration, failed
images (from the errors file beside each predictions file, or --errors) and
sweeps.`,
		flags: func(fs *flag.FlagSet) {
			rf.register(fs)
			decode.register(fs, false)
			fs.StringVar(&images, "images", "", "`DIR` of the annotated images (searched recursively), for example strips")
			parsedVar(fs, &examples, "examples", fmt.Sprint(report.DefaultExamplesPerFactor), atLeast(1), "`N` misclassified examples per factor")
			fs.StringVar(&title, "title", "", "page `TITLE` (default: ImageNet-X audit)")
			fs.StringVar(&baseline, "baseline", "", "`MODEL` the others are compared with (default: the first)")
			parsedVar(fs, &minImages, "min-images", fmt.Sprint(eval.DefaultMinImages), minImagesValue, "images (`N`) a factor needs before the headline singles it out")
			fs.Func("errors", "`MODEL=PATH` of a model's errors file (repeatable; default: the one beside its predictions)", func(s string) error {
				errorsFiles = append(errorsFiles, s)
				return nil
			})
			fs.StringVar(&out, "o", "report.html", "output `FILE` (- for standard output)")
		},
		run: func(ctx context.Context, e *env, _ []string) error {
			in, err := rf.input(ctx, e)
			if err != nil {
				return err
			}
			if len(rf.predictions.paths) > 0 {
				if in.Models, err = reportModels(rf.predictions.paths, rf.ds.dir, errorsFiles); err != nil {
					return err
				}
			}
			in.Title, in.ImagesDir, in.ExamplesPerFactor, in.Decode = title, images, examples, decode.opts
			in.Baseline, in.MinImages = baseline, minImages
			in.Notes = append([]string{e.commandLine()}, in.Notes...)
			return e.writeOutput(out, func(w io.Writer) error { return report.Write(ctx, w, in) })
		},
	}
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
