package eval

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// FactorSet selects the annotation release: the top factor per image, or
// every factor the annotators marked.
type FactorSet int

const (
	// TopFactor selects imagenet_x_*_top_factor.jsonl.
	TopFactor FactorSet = iota
	// MultiFactor selects imagenet_x_*_multi_factor.jsonl.
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

// DatasetOptions selects which annotations LoadDataset reads.
type DatasetOptions struct {
	Factors   FactorSet
	Partition Partition // "" means Val
	// KeepPrototypes keeps the 3,000 prototypical images that the reference
	// excludes by default.
	KeepPrototypes bool
}

// Upstream file names of the ImageNet-X release.
const (
	MetaclassFile  = "imagenet_1k_classes_to_100_metaclasses.csv"
	PrototypeFile  = "prototypical_paths.csv"
	RealLabelsFile = "imagenet_real_labels.jsonl"
	ClassNamesFile = "imagenet_labels.txt"
)

// AnnotationFile returns the upstream name of an annotation release.
func AnnotationFile(p Partition, f FactorSet) string {
	if p == "" {
		p = Val
	}
	return fmt.Sprintf("imagenet_x_%s_%s_factor.jsonl", p, f)
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

// Dataset is the loaded annotations with everything needed to score
// predictions against them.
type Dataset struct {
	Options DatasetOptions
	Images  []Image
	index   *nameIndex
	// ClassMetaclass maps each class to its metaclass index.
	ClassMetaclass [NumClasses]int
	// Real holds each image's ReaL labels (nil: none, so never correct);
	// nil as a whole when the ReaL file was not loaded.
	Real [][]int
	// ClassNames are the human-readable names of the classes, when known.
	ClassNames []string
}

// Index returns the position in Images of a file name.
func (d *Dataset) Index(fileName string) (int, bool) {
	return d.index.get(fileName)
}

// LoadDataset reads an ImageNet-X annotation folder (upstream file names).
// The ReaL labels and class names are read when present.
func LoadDataset(dir string, opts DatasetOptions) (*Dataset, error) {
	if opts.Partition == "" {
		opts.Partition = Val
	}
	d := &Dataset{Options: opts}
	var err error
	if d.ClassMetaclass, err = loadMetaclasses(filepath.Join(dir, MetaclassFile)); err != nil {
		return nil, err
	}
	var prototypes map[string]bool
	if !opts.KeepPrototypes {
		if prototypes, err = loadFileNameSet(filepath.Join(dir, PrototypeFile)); err != nil {
			return nil, err
		}
	}
	if err := d.loadAnnotations(filepath.Join(dir, AnnotationFile(opts.Partition, opts.Factors)), prototypes); err != nil {
		return nil, err
	}
	if err := d.loadReal(filepath.Join(dir, RealLabelsFile)); err != nil {
		return nil, err
	}
	if d.ClassNames, err = loadClassNames(filepath.Join(dir, ClassNamesFile)); err != nil {
		return nil, err
	}
	return d, nil
}

// loadAnnotations parses the JSON lines in parallel chunks (the file is a
// fixed 17 MB; parsing dominates an evaluation), then indexes them in file
// order so that duplicates and line numbers are reported as a sequential
// reader would.
func (d *Dataset) loadAnnotations(path string, exclude map[string]bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	chunks := splitLines(data, runtime.GOMAXPROCS(0))
	parsed := make([][]annotationLine, len(chunks))
	errs := make([]error, len(chunks))
	var wg sync.WaitGroup
	for i, c := range chunks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parsed[i], errs[i] = parseAnnotationLines(c.data, c.firstLine, d.ClassMetaclass[:])
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("%s:%w", path, err)
		}
	}
	d.index = newNameIndex()
	for _, lines := range parsed {
		for _, l := range lines {
			if d.index.has(l.FileName) {
				return fmt.Errorf("%s:%d: duplicate file_name %q", path, l.line, l.FileName)
			}
			if exclude[l.FileName] {
				d.index.put(l.FileName, excluded)
				continue
			}
			d.index.put(l.FileName, len(d.Images))
			d.Images = append(d.Images, l.Image)
		}
	}
	if len(d.Images) == 0 {
		return fmt.Errorf("%s: no annotations", path)
	}
	return nil
}

type annotationLine struct {
	Image
	line int
}

type lineChunk struct {
	data      []byte
	firstLine int
}

// splitLines cuts data into at most n chunks at line ends.
func splitLines(data []byte, n int) []lineChunk {
	var chunks []lineChunk
	line := 1
	for len(data) > 0 {
		cut := len(data)
		if n > 1 {
			want := len(data) / n
			if nl := bytes.IndexByte(data[want:], '\n'); nl >= 0 {
				cut = want + nl + 1
			}
		}
		chunks = append(chunks, lineChunk{data[:cut], line})
		line += bytes.Count(data[:cut], []byte{'\n'})
		data = data[cut:]
		n--
	}
	return chunks
}

// parseAnnotationLines parses one chunk; errors start with "line: ".
func parseAnnotationLines(data []byte, line int, metaclass []int) ([]annotationLine, error) {
	out := make([]annotationLine, 0, bytes.Count(data, []byte{'\n'})+1)
	for ; len(data) > 0; line++ {
		b := data
		if nl := bytes.IndexByte(data, '\n'); nl >= 0 {
			b, data = data[:nl], data[nl+1:]
		} else {
			data = nil
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		im, err := parseAnnotation(b, metaclass)
		if err != nil {
			return nil, fmt.Errorf("%d: %w", line, err)
		}
		out = append(out, annotationLine{im, line})
	}
	return out, nil
}

// Keys of an annotation line that are not factors.
const (
	keyUnknown = -1 - iota
	keyFile
	keyClass
	keyJustification
	keyOneWord
)

// annotationKey maps a key of an annotation line to its factor index or one
// of the key constants. A switch, not a map: it runs twenty times a line.
func annotationKey(key []byte) int {
	switch string(key) {
	case "file_name":
		return keyFile
	case "class":
		return keyClass
	case "justification":
		return keyJustification
	case "one_word":
		return keyOneWord
	case "pose":
		return 0
	case "background":
		return 1
	case "pattern":
		return 2
	case "color":
		return 3
	case "smaller":
		return 4
	case "shape":
		return 5
	case "partial_view":
		return 6
	case "subcategory":
		return 7
	case "texture":
		return 8
	case "larger":
		return 9
	case "darker":
		return 10
	case "object_blocking":
		return 11
	case "person_blocking":
		return 12
	case "style":
		return 13
	case "brighter":
		return 14
	case "multiple_objects":
		return 15
	}
	return keyUnknown
}

func parseAnnotation(b []byte, metaclass []int) (Image, error) {
	var im Image
	var seen uint32 // bit f for factors, bits 16 and 17 for file_name and class
	s := jsonScanner{b: b}
	err := s.object(func(key []byte) error {
		k := annotationKey(key)
		var err error
		switch k {
		case keyUnknown:
			err = s.skip()
		case keyFile:
			im.FileName, err = s.str()
			seen |= 1 << 16
		case keyClass:
			im.Class, err = s.integer()
			seen |= 1 << 17
		case keyJustification:
			im.Justification, err = s.stringOrNull()
		case keyOneWord:
			im.OneWord, err = s.stringOrNull()
		default:
			var v int
			if v, err = s.integer(); err == nil && v != 0 && v != 1 {
				err = fmt.Errorf("factor %s is %d, want 0 or 1", Factors[k], v)
			}
			if v == 1 {
				im.Factors |= 1 << k
			}
			seen |= 1 << k
		}
		return err
	})
	if err != nil {
		return im, describeJSONError(b, err)
	}
	if seen&(1<<16) == 0 || im.FileName == "" {
		return im, errors.New(`missing "file_name" (is this an ImageNet-X annotation file?)`)
	}
	if seen&(1<<17) == 0 {
		return im, fmt.Errorf("%s: missing \"class\"", im.FileName)
	}
	if im.Class < 0 || im.Class >= NumClasses {
		return im, fmt.Errorf("%s: class %d outside 0..%d", im.FileName, im.Class, NumClasses-1)
	}
	for f := range Factors {
		if seen&(1<<f) == 0 {
			return im, fmt.Errorf("%s: missing factor %q", im.FileName, Factors[f])
		}
	}
	im.Metaclass = metaclass[im.Class]
	return im, nil
}

func (s *jsonScanner) stringOrNull() (string, error) {
	if s.peek() == 'n' {
		return "", s.literal("null")
	}
	return s.str()
}

// loadMetaclasses reads wnid,name,metaclass rows, row i being class i. As in
// the reference, a class's metaclass is its name when that is one of the
// Metaclasses, else "other".
func loadMetaclasses(path string) (m [NumClasses]int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return m, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	header, err := cr.Read()
	if err != nil {
		return m, fmt.Errorf("%s: %w", path, err)
	}
	name := indexOf(header, "name")
	if name < 0 {
		return m, fmt.Errorf("%s:1: missing column \"name\" (header %q)", path, header)
	}
	n := 0
	for ; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return m, fmt.Errorf("%s: %w", path, err)
		}
		if n >= NumClasses {
			return m, fmt.Errorf("%s:%d: more than %d classes", path, n+2, NumClasses)
		}
		m[n] = OtherMetaclass
		if i, err := MetaclassIndex(rec[name]); err == nil {
			m[n] = i
		}
	}
	if n != NumClasses {
		return m, fmt.Errorf("%s: %d classes, want %d", path, n, NumClasses)
	}
	return m, nil
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if strings.TrimPrefix(v, "\ufeff") == s {
			return i
		}
	}
	return -1
}

// loadFileNameSet reads a CSV with a file_name column.
func loadFileNameSet(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	col := indexOf(header, "file_name")
	if col < 0 {
		return nil, fmt.Errorf("%s:1: missing column \"file_name\"", path)
	}
	set := map[string]bool{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return set, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if col < len(rec) {
			set[rec[col]] = true
		}
	}
}

// loadClassNames reads "wnid,name" lines; a missing file is not an error.
func loadClassNames(path string) ([]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	var names []string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) < 2 {
			return nil, fmt.Errorf("%s:%d: want wnid,name", path, line)
		}
		names = append(names, strings.Join(rec[1:], ","))
	}
	if len(names) != NumClasses {
		return nil, fmt.Errorf("%s: %d classes, want %d", path, len(names), NumClasses)
	}
	return names, nil
}
