package load

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

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/internal/clip"
)

// Upstream file names of the ImageNet-X release.
const (
	MetaclassFile  = "imagenet_1k_classes_to_100_metaclasses.csv"
	PrototypeFile  = "prototypical_paths.csv"
	RealLabelsFile = "imagenet_real_labels.jsonl"
	ClassNamesFile = "imagenet_labels.txt"
)

// AnnotationFile returns the upstream name of an annotation release.
func AnnotationFile(p eval.Partition, f eval.FactorSet) string {
	if p == "" {
		p = eval.Val
	}
	return fmt.Sprintf("imagenet_x_%s_%s_factor.jsonl", p, f)
}

// Annotations reads an ImageNet-X annotation folder (upstream file names)
// into a Dataset: the metaclass mapping, the annotation release chosen by
// opts (or opts.File, a subset of one; prototypes left out unless kept),
// and the ReaL labels and class names when present.
func Annotations(dir string, opts eval.DatasetOptions) (*eval.Dataset, error) {
	if opts.Partition == "" {
		opts.Partition = eval.Val
	}
	// The small tables are hashed apart; the large files as they are read
	// (in memory), so that a pin costs one pass of sha256 over them.
	small := []string{MetaclassFile, ClassNamesFile}
	if !opts.KeepPrototypes {
		small = append(small, PrototypeFile)
	}
	for _, name := range small {
		if err := CheckPin(opts.Pins, filepath.Join(dir, name)); err != nil {
			return nil, err
		}
	}
	classMetaclass, err := loadMetaclasses(filepath.Join(dir, MetaclassFile))
	if err != nil {
		return nil, err
	}
	var prototypes map[string]bool
	if !opts.KeepPrototypes {
		if prototypes, err = loadFileNameSet(filepath.Join(dir, PrototypeFile)); err != nil {
			return nil, err
		}
	}
	file, pins := opts.File, opts.Pins
	if file == "" {
		file = filepath.Join(dir, AnnotationFile(opts.Partition, opts.Factors))
	} else {
		pins = nil // one's own file, pinned by no one
	}
	d, err := loadAnnotations(file, opts, classMetaclass, prototypes, pins)
	if err != nil {
		return nil, err
	}
	if err := loadReal(d, filepath.Join(dir, RealLabelsFile), opts.Pins); err != nil {
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
func loadAnnotations(path string, opts eval.DatasetOptions, classMetaclass [eval.NumClasses]int, exclude map[string]bool, pins map[string]string) (*eval.Dataset, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := checkPin(pins, path, data); err != nil {
		return nil, err
	}
	chunks := splitLines(data, runtime.GOMAXPROCS(0))
	parsed := make([][]annotationLine, len(chunks))
	errs := make([]error, len(chunks))
	var wg sync.WaitGroup
	for i, c := range chunks {
		wg.Go(func() { parsed[i], errs[i] = parseAnnotationLines(c.data, c.firstLine) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s:%w", path, err)
		}
	}
	var images []eval.Image
	var lines []int
	excluded := map[string]int{} // name → line
	for _, chunk := range parsed {
		for _, l := range chunk {
			if !exclude[l.FileName] {
				images, lines = append(images, l.Image), append(lines, l.line)
				continue
			}
			if _, dup := excluded[l.FileName]; dup {
				return nil, fmt.Errorf("%s:%d: duplicate file_name %s", path, l.line, clip.Quote(l.FileName))
			}
			excluded[l.FileName] = l.line
		}
	}
	if len(images) == 0 {
		return nil, fmt.Errorf("%s: no annotations", path)
	}
	d, err := eval.NewDataset(opts, classMetaclass, images)
	if dup, ok := err.(*eval.DuplicateImageError); ok {
		return nil, fmt.Errorf("%s:%d: %w", path, lines[dup.Index], err)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

type annotationLine struct {
	eval.Image
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
func parseAnnotationLines(data []byte, line int) ([]annotationLine, error) {
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
		im, err := parseAnnotation(b)
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

func parseAnnotation(b []byte) (eval.Image, error) {
	var im eval.Image
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
				err = fmt.Errorf("factor %s is %d, want 0 or 1", eval.Factors[k], v)
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
		return im, fmt.Errorf("%s: missing \"class\"", clip.String(im.FileName))
	}
	if im.Class < 0 || im.Class >= eval.NumClasses {
		return im, fmt.Errorf("%s: class %d outside 0..%d", clip.String(im.FileName), im.Class, eval.NumClasses-1)
	}
	for f := range eval.Factors {
		if seen&(1<<f) == 0 {
			return im, fmt.Errorf("%s: missing factor %q", clip.String(im.FileName), eval.Factors[f])
		}
	}
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
func loadMetaclasses(path string) (m [eval.NumClasses]int, err error) {
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
		return m, fmt.Errorf("%s:1: missing column \"name\" (header %s)", path, clip.Quotes(header))
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
		if n >= eval.NumClasses {
			return m, fmt.Errorf("%s:%d: more than %d classes", path, n+2, eval.NumClasses)
		}
		m[n] = eval.OtherMetaclass
		if i, err := eval.MetaclassIndex(rec[name]); err == nil {
			m[n] = i
		}
	}
	if n != eval.NumClasses {
		return m, fmt.Errorf("%s: %d classes, want %d", path, n, eval.NumClasses)
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
	_, names, err := readClassList(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return names, err
}

// ClassWnids reads the ImageNet class list of the annotation folder dir
// (ClassNamesFile, "wnid,name" lines, line i for class i): each class's
// WordNet id (synset, e.g. n01440764 for class 0), by which folders of
// images are often named.
func ClassWnids(dir string) ([]string, error) {
	wnids, _, err := readClassList(filepath.Join(dir, ClassNamesFile))
	return wnids, err
}

// readClassList reads "wnid,name" lines, requiring one per class.
func readClassList(path string) (wnids, names []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) < 2 {
			return nil, nil, fmt.Errorf("%s:%d: want wnid,name", path, line)
		}
		wnids = append(wnids, rec[0])
		names = append(names, strings.Join(rec[1:], ","))
	}
	if len(names) != eval.NumClasses {
		return nil, nil, fmt.Errorf("%s: %d classes, want %d", path, len(names), eval.NumClasses)
	}
	return wnids, names, nil
}
