package imagenetx

import (
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/predictions"
	"github.com/imagenetx/imagenetx/report"
	"github.com/imagenetx/imagenetx/runfiles"
)

// ScoreFile scores a predictions file against labels: top-1 over its
// labelled images, and top-k when the file has top-k columns (K is then
// the number of classes each row ranks).
func ScoreFile(path string, labels Labels) (Score, error) {
	f, err := os.Open(path)
	if err != nil {
		return Score{}, err
	}
	defer f.Close()
	r, err := predictions.NewReader(f, path)
	if err != nil {
		return Score{}, err
	}
	s := Score{K: r.Ranks()}
	err = r.Each(func(p predictions.Prediction) error {
		s.add(labels, p)
		return nil
	})
	return s, err
}

// ReportModel is what a report shows of a model beyond its predictions on
// the annotated images (report.Input.Models), read from its predictions
// file: top-1/top-k over every labelled image, and the images its run
// failed on, from errorsPath, or when that is "" from the errors file
// beside the predictions (runfiles.ErrorsBeside), if there is one.
func ReportModel(name, predsPath, errorsPath string, labels Labels) (report.Model, error) {
	m := report.Model{Name: name}
	if len(labels) > 0 {
		s, err := ScoreFile(predsPath, labels)
		if err != nil {
			return m, err
		}
		m.Score = report.Score(s)
	}
	if errorsPath == "" {
		var err error
		if errorsPath, err = runfiles.ErrorsBeside(predsPath); err != nil || errorsPath == "" {
			return m, err
		}
	}
	var err error
	m.Failed, err = Failures(errorsPath)
	return m, err
}

// ReportModels is ReportModel of every source, scored against the labels
// of the annotation folder annotations; errorsFiles gives a model's errors
// file by name (default: the one beside its predictions), and names no
// model that is not among sources.
func ReportModels(sources []load.Source, annotations string, errorsFiles map[string]string) ([]report.Model, error) {
	for name, path := range errorsFiles {
		if !slices.ContainsFunc(sources, func(s load.Source) bool { return s.Model == name }) {
			return nil, fmt.Errorf("errors file %s is for model %q, which is not among the models given", path, name)
		}
	}
	labels, err := LoadLabels(annotations)
	if err != nil {
		return nil, err
	}
	var out []report.Model
	for _, s := range sources {
		m, err := ReportModel(s.Model, s.Path, errorsFiles[s.Model], labels)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// ReportModel is what the report shows of the audited model beyond its
// predictions on the annotated images: its score over every labelled image
// and the images that failed, listed in the run's errors file errorsPath
// (none when that file does not exist).
func (a *Audit) ReportModel(errorsPath string) (report.Model, error) {
	m := report.Model{Name: a.Model, Score: report.Score(a.Score)}
	failed, err := Failures(errorsPath)
	if errors.Is(err, os.ErrNotExist) {
		return m, nil
	}
	m.Failed = failed
	return m, err
}

// Failures reads a run's errors file as the report lists failed images.
func Failures(errorsPath string) ([]report.Failure, error) {
	var out []report.Failure
	err := runfiles.ReadErrors(errorsPath, func(f runfiles.ImageFailure) error {
		out = append(out, report.Failure(f))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("failed images: %w", err)
	}
	return out, nil
}
