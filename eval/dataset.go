package eval

import (
	"errors"
	"fmt"

	"github.com/imagenetx/imagenetx/internal/clip"
)

// FactorSet selects the annotation release: the top factor per image, or
// every factor the annotators marked.
type FactorSet int

const (
	// TopFactor is the release with each image's top factor
	// (imagenet_x_*_top_factor.jsonl).
	TopFactor FactorSet = iota
	// MultiFactor is the release with every marked factor
	// (imagenet_x_*_multi_factor.jsonl).
	MultiFactor
)

func (f FactorSet) String() string {
	if f == MultiFactor {
		return "multi"
	}
	return "top"
}

// ParseFactorSet reads "top" or "multi".
func ParseFactorSet(s string) (FactorSet, error) {
	switch s {
	case "top":
		return TopFactor, nil
	case "multi":
		return MultiFactor, nil
	}
	return 0, fmt.Errorf("unknown factor set %q (want top or multi)", s)
}

// Partition is the ImageNet split the annotations cover.
type Partition string

// The annotated partitions.
const (
	Val   Partition = "val"
	Train Partition = "train"
)

// ParsePartition reads "val" or "train".
func ParsePartition(s string) (Partition, error) {
	switch p := Partition(s); p {
	case Val, Train:
		return p, nil
	}
	return "", fmt.Errorf("unknown partition %q (want val or train)", s)
}

// DatasetOptions say which annotations a Dataset holds.
type DatasetOptions struct {
	Factors   FactorSet
	Partition Partition // "" means Val
	// KeepPrototypes keeps the 3,000 prototypical images that the reference
	// excludes by default.
	KeepPrototypes bool
	// File, when set, is the annotation file read instead of the release's
	// file for Factors and Partition (eval/load): a subset of its lines,
	// such as the annotations of one's own selection of images.
	File string
	// Pins, when set, maps the name of a file of the annotation folder to
	// its sha256: each such file is checked when it is read, and one that
	// differs is refused (eval/load's PinError), never used. Set for the
	// data home's copies, which set-up installed pinned, so that a file
	// damaged since cannot change a table silently.
	Pins map[string]string
}

// Image is one annotated image.
type Image struct {
	FileName string
	Class    int
	// Factors has bit f set when factor f is annotated.
	Factors uint16
	// Metaclass indexes Metaclasses.
	Metaclass     int
	Justification string
	OneWord       string
}

// Has reports whether factor f is annotated on the image.
func (im *Image) Has(f int) bool { return im.Factors&(1<<f) != 0 }

// Dataset is the annotations with everything needed to score predictions
// against them. eval/load reads one from the ImageNet-X release files;
// NewDataset builds one from values.
type Dataset struct {
	Options DatasetOptions
	Images  []Image
	index   *nameIndex
	// ClassMetaclass maps each class to its metaclass index.
	ClassMetaclass [NumClasses]int
	// Real holds each image's ReaL labels (nil: none, so never correct);
	// nil as a whole when no ReaL labels were given (SetRealLabels).
	Real [][]int
	// ClassNames are the human-readable names of the classes, when known.
	ClassNames []string

	// What counting a prediction reads, packed: predictions come in file
	// order, a random walk over Images, and these stay in cache where
	// Images and Real do not (it halved the time of counting 2,200 files).
	packed    []packedImage
	realStart []int32  // image i's ReaL labels are realFlat[realStart[i]:realStart[i+1]]
	realFlat  []uint16 // (nil without ReaL labels)
	// valNumber[i] is Images[i]'s validation-image number (valIndex), or
	// -1: AddModelRows notes predictions by number and counts them in
	// image order.
	valNumber []int32
}

// packedImage is what counting a prediction needs of an image.
type packedImage struct {
	factors   uint16
	class     uint16
	metaclass uint8
}

// DuplicateImageError reports a file name that NewDataset was given twice.
type DuplicateImageError struct {
	FileName string
	// Index is the position in the images of the second occurrence.
	Index int
}

func (e *DuplicateImageError) Error() string {
	return fmt.Sprintf("duplicate file_name %s", clip.Quote(e.FileName))
}

// NewDataset indexes images by file name and sets each image's Metaclass
// from classMetaclass; classes must lie within 0..NumClasses-1. It keeps
// images, which the caller must not change afterwards.
func NewDataset(opts DatasetOptions, classMetaclass [NumClasses]int, images []Image) (*Dataset, error) {
	if opts.Partition == "" {
		opts.Partition = Val
	}
	for c, mc := range classMetaclass {
		if mc < 0 || mc >= NumMetaclasses {
			return nil, fmt.Errorf("class %d: metaclass %d outside 0..%d", c, mc, NumMetaclasses-1)
		}
	}
	d := &Dataset{Options: opts, Images: images, ClassMetaclass: classMetaclass, index: newNameIndex()}
	for i := range images {
		im := &images[i]
		if im.Class < 0 || im.Class >= NumClasses {
			return nil, fmt.Errorf("%s: class %d outside 0..%d", im.FileName, im.Class, NumClasses-1)
		}
		im.Metaclass = classMetaclass[im.Class]
		d.packed = append(d.packed, packedImage{factors: im.Factors, class: uint16(im.Class), metaclass: uint8(im.Metaclass)})
		d.valNumber = append(d.valNumber, -1)
		if n, ok := valIndex(im.FileName); ok && n < maxValIndex {
			d.valNumber[i] = int32(n)
		}
		if _, dup := d.index.get(im.FileName); dup {
			return nil, &DuplicateImageError{FileName: im.FileName, Index: i}
		}
		d.index.put(im.FileName, i)
	}
	return d, nil
}

// Index returns the position in Images of a file name.
func (d *Dataset) Index(fileName string) (int, bool) {
	return d.index.get(fileName)
}

// SetRealLabels attaches the ReaL labels, whose entry i lists the labels
// of ILSVRC2012_val_{i+1:08d}.JPEG. Images without an entry (the train
// partition, other names) get none, so no prediction of theirs is correct,
// as in the reference.
func (d *Dataset) SetRealLabels(byValImage [][]int) error {
	for i, labels := range byValImage {
		for _, c := range labels {
			if c < 0 || c >= NumClasses {
				return fmt.Errorf("entry %d: label %d outside 0..%d", i, c, NumClasses-1)
			}
		}
	}
	d.Real = make([][]int, len(d.Images))
	d.realStart, d.realFlat = make([]int32, 0, len(d.Images)+1), nil
	for i := range d.Images {
		if n, ok := valIndex(d.Images[i].FileName); ok && n < len(byValImage) {
			d.Real[i] = byValImage[n]
		}
		d.realStart = append(d.realStart, int32(len(d.realFlat)))
		for _, c := range d.Real[i] {
			d.realFlat = append(d.realFlat, uint16(c))
		}
	}
	d.realStart = append(d.realStart, int32(len(d.realFlat)))
	return nil
}

// ErrNoRealLabels is returned for the real error type on a dataset
// without ReaL labels.
var ErrNoRealLabels = errors.New("error type real needs the ReaL labels (imagenet_real_labels.jsonl beside the annotations), and the dataset has none")

// Supports reports whether predictions can be scored under et: the real
// error type needs ReaL labels (ErrNoRealLabels).
func (d *Dataset) Supports(et ErrorType) error {
	if et == ErrorReal && d.Real == nil {
		return ErrNoRealLabels
	}
	return nil
}

// valIndex returns i for ILSVRC2012_val_{i+1:08d}.JPEG, exactly that
// spelling (eight digits), so that no two names share an index: pandas
// joins on the names, and the ReaL labels are keyed by this one.
// It takes the name as a string or as bytes (AddModelRows).
func valIndex[T string | []byte](name T) (int, bool) {
	const prefix, suffix, digits = "ILSVRC2012_val_", ".JPEG", 8
	if len(name) != len(prefix)+digits+len(suffix) || string(name[:len(prefix)]) != prefix || string(name[len(prefix)+digits:]) != suffix {
		return 0, false
	}
	n := 0
	for i := len(prefix); i < len(prefix)+digits; i++ {
		c := name[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n < 1 {
		return 0, false
	}
	return n - 1, true
}
