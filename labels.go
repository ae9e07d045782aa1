package imagenetx

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/imagenetx/imagenetx/datahome"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/models"
)

// LabelsFile is the annotation release's file of every validation image's
// class, which top-1 is scored against (the factor tables leave out the
// prototypes; this file does not).
const LabelsFile = "filename_label.csv"

// Labels maps an image's file name to its ImageNet class index.
type Labels map[string]int

// ClassIndex maps ImageNet's WordNet ids (synsets, e.g. n01440764) to
// class indices (0 for n01440764).
type ClassIndex map[string]int

// LoadClassIndex reads the class list of the annotation folder dir ("" for
// set-up's copy): imagenet_labels.txt, whose line i is class i's
// "wnid,name".
func LoadClassIndex(dir string) (ClassIndex, error) {
	dir, err := annotationsDir(dir)
	if err != nil {
		return nil, err
	}
	wnids, err := load.ClassWnids(dir)
	if err != nil {
		return nil, fmt.Errorf("class list: %w", err)
	}
	index := make(ClassIndex, len(wnids))
	for c, w := range wnids {
		index[w] = c
	}
	return index, nil
}

// LoadLabels reads every image's class from LabelsFile in the annotation
// folder dir; a folder without that file gives no labels and no error.
func LoadLabels(dir string) (Labels, error) {
	labels, err := models.ReadFileLabels(filepath.Join(dir, LabelsFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return labels, nil
}

// ReadLabels reads a labels CSV, file_name,label, each label a class index
// (0..999) or a wnid of classes (n01440764): the labels of one's own
// images, whatever their file names.
func ReadLabels(path string, classes ClassIndex) (Labels, error) {
	return models.ReadLabels(path, classes)
}

// FolderLabels labels each image that lies in a folder named after an
// ImageNet wnid (train/n01440764/x.JPEG, or a folder of one class given
// whole) with that wnid's class. It also returns, sorted, the names of the
// images' folders inside the image folder that are not wnids (their images
// get no label), so that a caller can say so.
func FolderLabels(images *Images, classes ClassIndex) (Labels, []string) {
	labels := Labels{}
	other := map[string]bool{}
	for _, it := range images.Items {
		parent := filepath.Dir(it.Path)
		name := filepath.Base(parent)
		if c, ok := classes[name]; ok {
			labels[it.Name] = c
		} else if images.Dir != "" && filepath.Clean(parent) != filepath.Clean(images.Dir) {
			other[name] = true
		}
	}
	var names []string
	for n := range other {
		names = append(names, n)
	}
	sort.Strings(names)
	return labels, names
}

// LabelSource says where an audit's labels came from.
type LabelSource string

// The label sources ChooseLabels picks from.
const (
	FromLabelsFile  LabelSource = "labels file"
	FromWnidFolders LabelSource = "wnid folders"
	FromAnnotations LabelSource = LabelsFile
)

// ChooseLabels picks the labels of images the way a researcher auditing
// their own data expects: the labels CSV at labelsPath when given (see
// ReadLabels); else, when any image lies in a folder named after a wnid,
// those folders (FolderLabels); else the annotations' LabelsFile, which
// labels the ImageNet validation images by their file names. It returns
// the labels, their source and the image folders that are not wnids.
func ChooseLabels(images *Images, ann *Annotations, labelsPath string) (Labels, LabelSource, []string, error) {
	classes, err := LoadClassIndex(ann.Dir)
	if err != nil {
		return nil, "", nil, err
	}
	if labelsPath != "" {
		labels, err := ReadLabels(labelsPath, classes)
		return labels, FromLabelsFile, nil, err
	}
	labels, other := FolderLabels(images, classes)
	if len(labels) > 0 {
		return labels, FromWnidFolders, other, nil
	}
	return ann.Labels, FromAnnotations, other, nil
}

// Coverage is how many of a run's images have a label and how many an
// annotation (the factor tables cover those).
type Coverage struct {
	Images, Labeled, Annotated int
	// Example is an image with neither, when there is one.
	Example string
}

// CoverageOf counts the images of images that labels and the annotations
// know.
func CoverageOf(images *Images, ann *Annotations, labels Labels) Coverage {
	c := Coverage{Images: len(images.Items)}
	for _, it := range images.Items {
		_, labeled := labels[it.Name]
		_, annotated := ann.Dataset.Index(it.Name)
		if labeled {
			c.Labeled++
		}
		if annotated {
			c.Annotated++
		}
		if !labeled && !annotated && c.Example == "" {
			c.Example = it.Name
		}
	}
	return c
}

// AnnotatedNames describes the file names the ImageNet-X annotations know,
// for a message that says why none of a run's images is annotated.
const AnnotatedNames = "ILSVRC2012_val_NNNNNNNN.JPEG (the ImageNet validation images' names, e.g. ILSVRC2012_val_00000001.JPEG)"

// ErrNothingToScore is returned (wrapped) by an audit whose images neither
// the labels nor the annotations know: it would measure nothing.
var ErrNothingToScore = errors.New("nothing to score")

// check refuses a coverage with nothing to score, saying what would help.
func (c Coverage) check() error {
	if c.Images == 0 || c.Labeled > 0 || c.Annotated > 0 {
		return nil
	}
	return fmt.Errorf("%w: none of the %d images (e.g. %s) has a label or an ImageNet-X annotation. "+
		"The annotations know images named %s; label other images by putting them in one folder per ImageNet wnid (e.g. n01440764/) "+
		"or with a labels file (file_name,label; label a class index or a wnid)",
		ErrNothingToScore, c.Images, c.Example, AnnotatedNames)
}

// annotationsDir is dir, or set-up's annotation folder when dir is "".
func annotationsDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	return datahome.Annotations()
}

// trimmedList is names joined for a message, at most n of them.
func trimmedList(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + fmt.Sprintf(" and %d more", len(names)-n)
}
