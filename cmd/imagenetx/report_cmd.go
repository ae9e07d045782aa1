package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/imagenetx/imagenetx/eval"
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

Writes the audit as one self-contained HTML page (inline SVG charts, no
script, nothing loaded from the network): error ratio and accuracy per
factor, metaclass × factor heatmaps, calibration, sweeps, and with --images
strips of misclassified examples.

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
	in.Title, in.ImagesDir, in.ExamplesPerFactor = *title, *images, *examples
	in.Decode.Strict = *strict
	in.Notes = append([]string{"imagenetx report " + strings.Join(args, " ")}, in.Notes...)
	return writeOutput(*out, func(w io.Writer) error { return report.Write(ctx, w, in) })
}
