package imagenetx

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/imagenetx/imagenetx/datahome"
	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/population"
	"github.com/imagenetx/imagenetx/models"
	"github.com/imagenetx/imagenetx/models/fetch"
)

// ErrNoPublished is wrapped by LoadPublished when the data home has no
// published results (set-up has not installed them).
var ErrNoPublished = errors.New("the paper's published results are not installed")

// PublishedResults returns the data home's copy of the paper's published
// results, where set-up installs them.
func PublishedResults() (string, error) {
	d, err := datahome.Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, models.ResultsDir), nil
}

// LoadPublished reads the paper's published factor tables (the ImageNet
// testbed, model-vs-human and the base models) of a release and error
// type, with every model's type and architecture, from dir, a folder laid
// out as the reference toolkit's results/. With dir "" it reads set-up's
// copy in the data home, and checks every file it reads against its pinned
// sha256 first: a file changed since set-up is refused, naming the file
// and the fix.
func LoadPublished(dir string, release eval.FactorSet, et eval.ErrorType) (*population.Published, error) {
	if dir == "" {
		home, err := PublishedResults()
		if err != nil {
			return nil, err
		}
		if err := verifyPublished(home, release, et); err != nil {
			return nil, err
		}
		dir = home
	}
	return population.LoadPublished(dir, release, et)
}

// verifyPublished checks the pinned files LoadPublished reads from the
// data home's results folder.
func verifyPublished(home string, release eval.FactorSet, et eval.ErrorType) error {
	want := map[string]bool{population.ModelTypesPath(home): true}
	for _, src := range population.Sources {
		want[population.TablePath(home, release, et, src)] = true
	}
	for _, a := range models.ResultAssets() {
		path := filepath.Join(filepath.Dir(home), filepath.FromSlash(a.Path))
		if !want[path] {
			continue
		}
		err := fetch.VerifyFile(path, a.SHA256)
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%w: %s is missing (run `%s` to install them)", ErrNoPublished, path, datahome.SetupCommand)
		}
		if err != nil {
			return fmt.Errorf("published results: %w (run `%s` to re-install it)", err, datahome.SetupCommand)
		}
	}
	return nil
}

// Among is models placed among the paper's published models: the
// model-type population (Published.ByType), each factor's fit of error
// ratio on accuracy over it, and each model's placement.
type Among struct {
	Published  *population.Published
	Population *population.Population
	Reference  *population.Reference
	// Scatter are the models of the paper's high-level scatter, and Order
	// its panels' factor order (population.ScatterOrder).
	Scatter []population.Model
	Order   []int
	// Rows are the placed models' rows and Placements their placements,
	// in the same order.
	Rows       []eval.Row
	Placements [][]population.Placement
}

// PlaceAmong places every model of a factor table (one row per model, over
// the whole data set) among the published population of the same release
// and error type. The table's error type must be pub's.
func PlaceAmong(pub *population.Published, t *eval.Table) (*Among, error) {
	if t.ByMetaclass {
		return nil, errors.New("placement: a by-metaclass table cannot be placed (want one row per model)")
	}
	if t.ErrorType != pub.ErrorType {
		return nil, fmt.Errorf("placement: the table scores %s errors but the published results are for %s errors", t.ErrorType, pub.ErrorType)
	}
	a := &Among{Published: pub, Population: pub.ByType(), Scatter: pub.Scatter()}
	a.Order = population.ScatterOrder(a.Scatter)
	var err error
	if a.Reference, err = population.NewReference(a.Population); err != nil {
		return nil, err
	}
	for _, r := range t.Rows {
		a.Rows = append(a.Rows, r)
		a.Placements = append(a.Placements, a.Reference.Place(&r))
	}
	return a, nil
}

// AllPlacements returns every model's placements, model after model.
func (a *Among) AllPlacements() []population.Placement {
	var out []population.Placement
	for _, ps := range a.Placements {
		out = append(out, ps...)
	}
	return out
}

// Notes says, per model, what its placement shows (population.Notes).
func (a *Among) Notes() []string {
	var out []string
	for i := range a.Rows {
		out = append(out, population.Notes(&a.Rows[i], a.Placements[i], len(a.Population.Models))...)
	}
	return out
}

// Comparable reports whether annotations of these options can be placed
// among the published results, and why not: those are scored on the
// validation set without the prototypical images.
func Comparable(opts eval.DatasetOptions) error {
	if opts.Partition != "" && opts.Partition != eval.Val {
		return fmt.Errorf("the published results are over the validation images, not %s", opts.Partition)
	}
	if opts.KeepPrototypes {
		return errors.New("the published results leave out the prototypical images, which these annotations keep")
	}
	return nil
}
