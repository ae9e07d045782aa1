package imagenetx

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/imagenetx/imagenetx/datahome"
	"github.com/imagenetx/imagenetx/eval"
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

// FolderLabels labels each image that lies below a folder named after an
// ImageNet wnid (train/n01440764/x.JPEG, n01440764/batch1/x.JPEG, or a
// folder of one class given whole) with the class of the nearest such
// folder above it. It also returns, sorted, the folders (paths below the
// image folder) holding images with no wnid folder above them (those get
// no label), so that a caller can say so.
func FolderLabels(images *Images, classes ClassIndex) (Labels, []string) {
	labels := Labels{}
	other := map[string]bool{}
	for _, it := range images.Items {
		if c, ok := nearestWnid(images.Dir, it.Path, classes); ok {
			labels[it.Name] = c
		} else if images.Dir != "" && strings.Contains(it.Rel, "/") {
			other[it.Rel[:strings.LastIndex(it.Rel, "/")]] = true
		}
	}
	var names []string
	for n := range other {
		names = append(names, n)
	}
	sort.Strings(names)
	return labels, names
}

// nearestWnid is the class of the nearest folder named after a wnid above
// path, up to and including root (the image folder itself may be one
// class's folder).
func nearestWnid(root, path string, classes ClassIndex) (int, bool) {
	root = filepath.Clean(root)
	for dir := filepath.Dir(path); ; dir = filepath.Dir(dir) {
		if c, ok := classes[filepath.Base(dir)]; ok {
			return c, true
		}
		if dir == root || root == "" || dir == filepath.Dir(dir) || !strings.HasPrefix(dir, root) {
			return 0, false
		}
	}
}

// LabelSource says where an audit's labels came from.
type LabelSource string

// The label sources ChooseLabels picks from.
const (
	FromLabelsFile  LabelSource = "labels file"
	FromWnidFolders LabelSource = "wnid folders"
	FromAnnotations LabelSource = LabelsFile
)

// LabelChoice is what ChooseLabels picked.
type LabelChoice struct {
	// Labels are keyed by the images' names (Images.Items[i].Name).
	Labels Labels
	Source LabelSource
	// OtherFolders are the image folders with no wnid folder above them
	// (see FolderLabels).
	OtherFolders []string
	// Match is how the rows of a labels file matched the images (zero
	// for the other sources).
	Match LabelMatch
}

// ChooseLabels picks the labels of images the way a researcher auditing
// their own data expects: the labels CSV at labelsPath when given (see
// ReadLabels), its rows matched to the images by MatchLabels; else, when
// any image lies below a folder named after a wnid, those folders
// (FolderLabels); else the annotations' LabelsFile, which labels the
// ImageNet validation images by their file names.
func ChooseLabels(images *Images, ann *Annotations, labelsPath string) (LabelChoice, error) {
	classes, err := LoadClassIndex(ann.Dir)
	if err != nil {
		return LabelChoice{}, err
	}
	if labelsPath != "" {
		rows, err := ReadLabels(labelsPath, classes)
		if err != nil {
			return LabelChoice{}, err
		}
		labels, match := MatchLabels(images, rows)
		return LabelChoice{Labels: labels, Source: FromLabelsFile, Match: match}, nil
	}
	labels, other := FolderLabels(images, classes)
	if len(labels) > 0 {
		return LabelChoice{Labels: labels, Source: FromWnidFolders, OtherFolders: other}, nil
	}
	return LabelChoice{Labels: ann.Labels, Source: FromAnnotations, OtherFolders: other}, nil
}

// LabelMatch is how the rows of a labels file matched a run's images.
type LabelMatch struct {
	// Rows is the number of label rows, Matched those that name an image.
	Rows, Matched int
	// Unmatched are the first rows that name no image (at most
	// MaxUnmatched), in the file's name order, each with the name to use
	// where one can be told.
	Unmatched []UnmatchedLabel
}

// MaxUnmatched is how many unmatched label rows a LabelMatch names.
const MaxUnmatched = 5

// UnmatchedLabel is a label row that names no image.
type UnmatchedLabel struct {
	// Row is the name the labels file gives.
	Row string
	// Use are the names of the images it may have meant (none when no
	// image has its file name; several when its bare name is ambiguous).
	Use []string
}

// Fraction is Matched/Rows (1 for a file without rows).
func (m LabelMatch) Fraction() float64 {
	if m.Rows == 0 {
		return 1
	}
	return float64(m.Matched) / float64(m.Rows)
}

// MinLabelMatch is the fraction of a labels file's rows that must name an
// image for its labels to be used without a warning.
const MinLabelMatch = 0.95

// Poor reports whether fewer than MinLabelMatch of the rows matched.
func (m LabelMatch) Poor() bool { return m.Fraction() < MinLabelMatch }

// String says how the rows matched, naming the first unmatched rows and
// the names to use.
func (m LabelMatch) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d label rows name an image (%.1f%%)", m.Matched, m.Rows, 100*m.Fraction())
	if m.Matched == m.Rows {
		return b.String()
	}
	fmt.Fprintf(&b, "; %d match none", m.Rows-m.Matched)
	var parts []string
	for _, u := range m.Unmatched {
		switch len(u.Use) {
		case 0:
			parts = append(parts, fmt.Sprintf("%s (no image of that file name)", u.Row))
		case 1:
			parts = append(parts, fmt.Sprintf("%s (use %s)", u.Row, u.Use[0]))
		default:
			parts = append(parts, fmt.Sprintf("%s (%d images have that file name: use one of %s)", u.Row, len(u.Use), trimmedList(u.Use, 3)))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(&b, ", e.g. %s", strings.Join(parts, "; "))
	}
	b.WriteString(". A row names an image by its path below the image folder (cats/001.jpg) or, where no other image has that file name, by the file name alone")
	return b.String()
}

// MatchLabels keys the rows of a labels file by the images' names. A row
// names an image by the image's name, by its path below the image folder
// (cats/002.jpg, whether or not another folder has a 002.jpg), or, where
// only one image has that file name, by the bare file name (002.jpg). The
// rows that name no image are counted, and the first few returned with the
// names they may have meant.
func MatchLabels(images *Images, rows Labels) (Labels, LabelMatch) {
	byName := make(map[string]string, 2*len(images.Items))
	byBase := map[string][]string{}
	for _, it := range images.Items {
		byName[it.Name] = it.Name
		if it.Rel != "" {
			byName[it.Rel] = it.Name
		}
		base := it.Name[strings.LastIndex(it.Name, "/")+1:]
		byBase[base] = append(byBase[base], it.Name)
	}
	for base, names := range byBase {
		if _, taken := byName[base]; !taken && len(names) == 1 {
			byName[base] = names[0]
		}
	}
	keys := make([]string, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	labels := make(Labels, len(rows))
	m := LabelMatch{Rows: len(rows)}
	for _, k := range keys {
		if name, ok := byName[filepath.ToSlash(k)]; ok {
			labels[name] = rows[k]
			m.Matched++
			continue
		}
		if len(m.Unmatched) < MaxUnmatched {
			base := k[strings.LastIndexAny(k, `/\`)+1:]
			m.Unmatched = append(m.Unmatched, UnmatchedLabel{Row: k, Use: byBase[base]})
		}
	}
	return labels, m
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

// PinDataHome returns opts with the annotation files' pins
// (eval.DatasetOptions.Pins) when dir is the data home's annotation folder,
// whose files set-up installed sha256-checked: each is checked again when
// it is read, so that one damaged since is refused, never used. Other
// folders are one's own and are read as they are.
func PinDataHome(dir string, opts eval.DatasetOptions) eval.DatasetOptions {
	home, err := datahome.Annotations()
	if err != nil {
		return opts
	}
	a, err1 := os.Stat(dir)
	b, err2 := os.Stat(home)
	if err1 == nil && err2 == nil && os.SameFile(a, b) {
		opts.Pins = models.AnnotationSHA256s()
	}
	return opts
}

// trimmedList is names joined for a message, at most n of them.
func trimmedList(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + fmt.Sprintf(" and %d more", len(names)-n)
}
