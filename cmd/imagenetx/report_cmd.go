package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/imagenetx/imagenetx"
	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/sweep"
	"github.com/imagenetx/imagenetx/internal/cli"
	"github.com/imagenetx/imagenetx/report"
)

// reportFlags are the inputs of the report and plot commands.
type reportFlags struct {
	in        inputFlags
	sweeps    []string
	errorType eval.ErrorType
}

func (r *reportFlags) register(fs *flag.FlagSet) {
	r.in.register(fs, "")
	fs.Func("sweep", "output `DIR` of an imagenetx sweep, holding "+sweep.SpilloverFile+" (repeatable)", func(s string) error {
		r.sweeps = append(r.sweeps, s)
		return nil
	})
	errorTypeVar(fs, &r.errorType)
}

// input loads the predictions and sweeps named by the flags.
func (r *reportFlags) input(ctx context.Context, e *cli.Env) (report.Input, error) {
	in := report.Input{ErrorType: r.errorType}
	if len(r.in.predictions) == 0 && len(r.sweeps) == 0 {
		return in, cli.Usagef("--predictions PATH or --sweep DIR is required")
	}
	if len(r.in.predictions) > 0 {
		var err error
		if in.Accumulator, err = r.in.accumulate(ctx, e, eval.AccumulatorOptions{}); err != nil {
			return in, err
		}
		in.Notes = report.CoverageNotes(in.Accumulator)
	}
	for _, dir := range r.sweeps {
		s, err := sweep.LoadDir(dir)
		if err != nil {
			return in, err
		}
		in.Sweeps = append(in.Sweeps, s)
	}
	return in, ctx.Err()
}

// pageFlags choose what a report page shows beyond the results: its title,
// the thumbnails per factor and the small-sample rule (report, audit).
type pageFlags struct {
	title               string
	examples, minImages int
}

// register adds --title (defaultTitle said in its help), --examples and
// --min-images.
func (p *pageFlags) register(fs *flag.FlagSet, defaultTitle string) {
	fs.StringVar(&p.title, "title", "", "page `TITLE` (default: "+defaultTitle+")")
	cli.Var(fs, &p.examples, "examples", fmt.Sprint(report.DefaultExamplesPerFactor), cli.AtLeast(1), "`N` misclassified examples per factor")
	minImagesVar(fs, &p.minImages, "images (`N`) a factor needs before it is singled out (ranked, named in the headline)")
}

// reportCommand is `imagenetx report`.
func reportCommand() *cli.Command {
	var (
		rf                    reportFlags
		decode                decodeFlags
		images, out, baseline string
		page                  pageFlags
		errorsFiles           map[string]string
	)
	return &cli.Command{
		Name: "report",
		Usage: "imagenetx report [--annotations DIR] --predictions PATH... [--images DIR] [--sweep DIR]\n" +
			"[-o report.html] [flags]",
		Short: "self-contained HTML audit report (charts, tables, examples)",
		Long: `
Writes the audit as one self-contained HTML page (inline SVG charts, one
small script that sorts tables, nothing loaded from the network): each
model's top-1 (and top-k) over every labelled image it predicted, the
factors clearly harder than average, the factor table, the paired
comparison with --baseline, every misclassified image per factor (with
thumbnails from --images), metaclass × factor heatmaps, calibration, failed
images (from the errors file beside each predictions file, or --errors) and
sweeps.`,
		Flags: func(fs *flag.FlagSet) {
			rf.register(fs)
			decode.register(fs, false)
			fs.StringVar(&images, "images", "", "`DIR` of the annotated images (searched recursively), for example strips")
			page.register(fs, "ImageNet-X audit")
			fs.StringVar(&baseline, "baseline", "", "`MODEL` the others are compared with (default: the first)")
			fs.Func("errors", "`MODEL=PATH` of a model's errors file (repeatable; default: the one beside its predictions)", func(s string) error {
				name, path, ok := strings.Cut(s, "=")
				if !ok || name == "" || path == "" {
					return fmt.Errorf("want MODEL=PATH")
				}
				if errorsFiles == nil {
					errorsFiles = map[string]string{}
				}
				errorsFiles[name] = path
				return nil
			})
			fs.StringVar(&out, "o", "report.html", "output `FILE` (- for standard output)")
		},
		Run: func(ctx context.Context, e *cli.Env, _ []string) error {
			in, err := rf.input(ctx, e)
			if err != nil {
				return err
			}
			if len(rf.in.predictions) > 0 {
				sources, err := rf.in.sources()
				if err == nil {
					in.Models, err = imagenetx.ReportModels(sources, rf.in.dataset.dir, errorsFiles)
				}
				if err != nil {
					return err
				}
			}
			in.Title, in.ImagesDir, in.ExamplesPerFactor, in.Decode = page.title, images, page.examples, decode.opts
			in.Baseline, in.MinImages = baseline, page.minImages
			in.Notes = append([]string{e.CommandLine()}, in.Notes...)
			return e.WriteOutput(out, func(w io.Writer) error { return report.Write(ctx, w, in) })
		},
	}
}
