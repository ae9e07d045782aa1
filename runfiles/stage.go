package runfiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/imagenetx/imagenetx/internal/atomicfile"
)

// PartialSuffix ends the names of a run's files while the run is under
// way: FILE.partial beside each regular FILE it will replace (beside the
// file a link points at). The suffix keeps them out of every reader that
// takes a folder's *.csv files, and says what they are. A finished run
// renames them onto their targets (Promote); an interrupted or failed one
// leaves them for --resume, and the previous run's files stay untouched.
const PartialSuffix = ".partial"

// ErrSameFile is returned (wrapped) when two outputs of one command are
// one file (by name, through links, or as hard links): writing both would
// destroy one of them.
var ErrSameFile = errors.New("two outputs are the same file")

// files lists o's paths with what each is, for messages.
func (o Outputs) files() []namedPath {
	return []namedPath{{"predictions", o.Predictions}, {"errors", o.Errors}, {"run.json", o.Manifest}}
}

type namedPath struct{ what, path string }

// Check says, before anything is written, whether o can be written: each
// path must resolve (atomicfile.Resolve: not a directory, a link to one,
// "dir/", a file the user may not write, ...), a link into an existing
// folder (a file a link dangles to in a missing folder cannot be made; a
// missing folder named directly is the caller's to make), and no two of o's
// files, nor their partial files, may be one file (ErrSameFile). Outputs
// of one command that must be distinct from each other are checked
// together by CheckDistinct.
func (o Outputs) Check() error {
	for _, f := range o.files() {
		if f.path == "" {
			continue
		}
		t, err := atomicfile.Resolve(f.path)
		if err != nil {
			return fmt.Errorf("%s file: %w", f.what, err)
		}
		if t.Kind == atomicfile.Missing && t.Link {
			dir := filepath.Dir(t.Path)
			st, err := os.Stat(dir)
			if err == nil && !st.IsDir() {
				err = fmt.Errorf("%s is not a folder", dir)
			}
			if err != nil {
				return fmt.Errorf("%s file %s: its folder cannot hold it: %w", f.what, f.path, err)
			}
		}
	}
	return CheckDistinct(o)
}

// CheckDistinct refuses (ErrSameFile) when any two files of the outputs
// given are one file: the same resolved path (through any links), or one
// existing file under two names (hard links). Outputs written in place (a
// device, a FIFO, a descriptor) are streams, not files, and are not
// compared.
func CheckDistinct(sets ...Outputs) error {
	type seen struct {
		namedPath
		target string
		info   fs.FileInfo
	}
	var all []seen
	for _, o := range sets {
		for _, f := range o.files() {
			if f.path == "" {
				continue
			}
			t, err := atomicfile.Resolve(f.path)
			if err != nil || t.InPlace() {
				continue // Check names an unresolvable path
			}
			cur := seen{namedPath: f, target: t.Path}
			cur.info, _ = os.Stat(t.Path)
			for _, s := range all {
				same := s.target == cur.target || s.target+PartialSuffix == cur.target || s.target == cur.target+PartialSuffix
				if !same && s.info != nil && cur.info != nil {
					same = os.SameFile(s.info, cur.info)
				}
				if same {
					return fmt.Errorf("%w: the %s file %s and the %s file %s are both %s; give them different names",
						ErrSameFile, s.what, s.path, cur.what, cur.path, cur.target)
				}
			}
			all = append(all, cur)
		}
	}
	return nil
}

// partialOf is the partial file of the output path (see PartialSuffix), or
// path itself when it is written in place or "" (nothing to stage).
func partialOf(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	t, err := atomicfile.Resolve(path)
	if err != nil {
		return "", err
	}
	if t.InPlace() {
		return path, nil
	}
	return t.Path + PartialSuffix, nil
}

// Partial returns the files a run of o writes while it is under way: each
// regular (or missing) file's partial file beside it, and the files
// written in place (a device, /dev/stderr) as they are. The lock is o's.
func (o Outputs) Partial() (Outputs, error) {
	p := o
	var err error
	for _, f := range []*string{&p.Predictions, &p.Errors, &p.Manifest} {
		if *f, err = partialOf(*f); err != nil {
			return Outputs{}, err
		}
	}
	return p, nil
}

// Work returns the files a run of o writes to: new runs write the
// partial files (Partial). A resumed run continues the partial files when
// they hold predictions; else, when o's own predictions file exists (a run
// of an imagenetx that wrote in place, or one already finished), o itself,
// whose finished part is kept as it is; else it starts the partial files.
func (o Outputs) Work(resume bool) (Outputs, error) {
	p, err := o.Partial()
	if err != nil || !resume || p.Predictions == o.Predictions {
		return p, err
	}
	if exists(p.Predictions) || !exists(o.Predictions) {
		return p, nil
	}
	return o, nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// Promote puts a finished run's files (work, as Work returned) in place of
// o's, each by one rename (atomicfile.Rename): the errors file (or, when
// the run had no failure, the removal of o's stale one), run.json, then
// the predictions, so that until the last rename the previous predictions
// file is whole. Files that work writes in place, or that are o's own,
// stay as they are.
func Promote(work, o Outputs) error {
	if work.Errors != o.Errors {
		var err error
		if exists(work.Errors) {
			err = atomicfile.Rename(work.Errors, o.Errors)
		} else {
			err = atomicfile.Remove(o.Errors)
		}
		if err != nil {
			return fmt.Errorf("errors file: %w", err)
		}
	}
	if work.Manifest != o.Manifest && exists(work.Manifest) {
		if err := atomicfile.Rename(work.Manifest, o.Manifest); err != nil {
			return err
		}
	}
	if work.Predictions != o.Predictions {
		return atomicfile.Rename(work.Predictions, o.Predictions)
	}
	return nil
}

// Discard removes a run's partial files (work's that are not o's own):
// for a run that failed before its first result, which must leave nothing
// behind.
func Discard(work, o Outputs) error {
	var errs []error
	for i, f := range work.files() {
		if f.path == "" || f.path == o.files()[i].path {
			continue
		}
		if err := atomicfile.Remove(f.path); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
