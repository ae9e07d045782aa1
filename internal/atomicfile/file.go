package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// File is an output in the making: write to it, then Commit, or Abort. It
// is an *os.File whose Write keeps the first error, which Commit returns.
type File struct {
	*os.File
	target Target
	// tmp is the temporary file renamed onto target.Path by Commit; ""
	// when the output is written in place.
	tmp string
	// log: a regular file written in place (CreateLog, AppendLog), which
	// Commit syncs.
	log bool
	// borrowed: os.Stdout, which Commit and Abort leave open.
	borrowed bool
	err      error
	done     bool
}

// Create starts writing the output path by the package's rule: a missing
// or regular file gets a temporary file next to it (next to the link's
// target for a symbolic link) that Commit renames into place; a device,
// FIFO, "-" or descriptor is opened for writing in place.
func Create(path string) (*File, error) {
	t, err := Resolve(path)
	if err != nil {
		return nil, err
	}
	if t.InPlace() {
		return openInPlace(t)
	}
	tmp, err := os.CreateTemp(filepath.Dir(t.Path), "."+filepath.Base(t.Path)+".tmp*")
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return nil, fmt.Errorf("create %s: %w (its folder must be writable: the file is replaced by a new one)", path, err)
		}
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return &File{File: tmp, target: t, tmp: tmp.Name()}, nil
}

// CreateLog starts an output that must stay readable while it grows, such
// as a run's predictions, which a crash leaves as a prefix for a resumed
// run to continue: a missing or regular file (behind any links) is
// created or truncated and written in place, never renamed. Everything
// else follows the package's rule. Commit syncs and closes it.
func CreateLog(path string) (*File, error) {
	t, err := Resolve(path)
	if err != nil {
		return nil, err
	}
	if t.InPlace() {
		return openInPlace(t)
	}
	// O_NOFOLLOW: t.Path has no link left to follow; one that appeared
	// since Resolve is refused rather than written through unchecked.
	f, err := os.OpenFile(t.Path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	if t.Kind == Missing {
		// As Commit does for a new file: 0644 whatever the umask.
		if err := f.Chmod(0o644); err != nil {
			f.Close()
			return nil, fmt.Errorf("create %s: %w", path, err)
		}
	}
	return &File{File: f, target: t, log: true}, nil
}

// AppendLog continues a log that CreateLog started, writing after the end
// of the regular file (behind any links), which must exist. A device, FIFO
// or descriptor holds nothing to continue: it is opened in place, as
// CreateLog does. (A program that must read its earlier output back, to
// resume, checks Resolve(path).InPlace() first.)
func AppendLog(path string) (*File, error) {
	t, err := Resolve(path)
	if err != nil {
		return nil, err
	}
	switch {
	case t.Kind == Missing:
		return nil, &fs.PathError{Op: "append to", Path: path, Err: fs.ErrNotExist}
	case t.InPlace():
		return openInPlace(t)
	}
	f, err := os.OpenFile(t.Path, os.O_WRONLY|os.O_APPEND|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, fmt.Errorf("append to %s: %w", path, err)
	}
	return &File{File: f, target: t, log: true}, nil
}

// openInPlace opens a device, FIFO or descriptor for writing. Nothing is
// created or truncated; a FIFO's open waits for a reader.
func openInPlace(t Target) (*File, error) {
	var f *os.File
	switch {
	case t.Kind == Stdout:
		// os.Stdout itself, never closed: a closed pipe ends the
		// program with SIGPIPE, as with any filter (`| head`).
		return &File{File: os.Stdout, target: t, borrowed: true}, nil
	case t.Kind == Descriptor && t.fd >= 0:
		// A duplicate shares the descriptor's offset and flags, and
		// closing it leaves the original open.
		fd, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(t.fd), syscall.F_DUPFD_CLOEXEC, 0)
		if errno != 0 {
			return nil, &fs.PathError{Op: "open", Path: t.Name, Err: errno}
		}
		f = os.NewFile(fd, t.Name)
	case t.Kind == Descriptor:
		var err error
		if f, err = os.OpenFile(t.Path, os.O_WRONLY|os.O_APPEND, 0); err != nil {
			return nil, &fs.PathError{Op: "open", Path: t.Name, Err: underlying(err)}
		}
	default:
		var err error
		if f, err = os.OpenFile(t.Path, os.O_WRONLY, 0); err != nil {
			return nil, &fs.PathError{Op: "open", Path: t.Name, Err: underlying(err)}
		}
		fi, err := f.Stat()
		if err == nil && fi.Mode().IsRegular() {
			// Replaced by a regular file since Resolve: writing it in
			// place would be the half-written file the rule prevents.
			err = fmt.Errorf("changed from a %v to a regular file while being opened", t.Kind)
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("open %s: %w", t.Name, err)
		}
	}
	return &File{File: f, target: t}, nil
}

// Target says what the file writes to.
func (f *File) Target() Target { return f.target }

// Name returns the output's path as given to Create (not the temporary
// file's name), so that messages name the file the user asked for.
func (f *File) Name() string { return f.target.Name }

// Write writes to the file. After an error every Write fails the same way,
// and Commit reports it.
func (f *File) Write(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.File.Write(p)
	if err != nil {
		f.err = &fs.PathError{Op: "write", Path: f.target.Name, Err: underlying(err)}
		return n, f.err
	}
	return n, nil
}

// WriteString is Write for a string (io.WriteString would otherwise reach
// the *os.File and bypass the kept error).
func (f *File) WriteString(s string) (int, error) { return f.Write([]byte(s)) }

// ReadFrom copies r into the file through Write (io.Copy would otherwise
// reach the *os.File and bypass the kept error).
func (f *File) ReadFrom(r io.Reader) (int64, error) {
	return io.Copy(struct{ io.Writer }{f}, r)
}

// Commit finishes the output: for a replaced file it syncs the temporary
// file, gives it the old file's mode and owner (0644 for a new one) and
// renames it into place; a log is synced and closed; an output written in
// place is closed. It returns the first write error, if any, instead of
// committing.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("%s: already committed or aborted", f.target.Name)
	}
	f.done = true
	if f.tmp == "" {
		err := f.err
		if err == nil && f.log {
			err = f.File.Sync()
		}
		if !f.borrowed {
			if cerr := f.File.Close(); err == nil && cerr != nil {
				err = cerr
			}
		}
		return f.named("write", err)
	}
	err := f.err
	if err == nil {
		err = f.adopt()
	}
	if err == nil {
		err = f.File.Sync()
	}
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.tmp, f.target.Path)
	}
	if err != nil {
		os.Remove(f.tmp)
		return f.named("write", err)
	}
	return syncDir(filepath.Dir(f.target.Path))
}

// adopt gives the temporary file the mode and owner of the file it
// replaces (0644 for a new file), so that replacing it changes nothing but
// its content. Ownership is only given away where the writer may (root); an
// unprivileged writer's new file is its own, as with any rewrite.
func (f *File) adopt() error {
	mode := fs.FileMode(0o644)
	old, err := os.Stat(f.target.Path)
	if err == nil && old.Mode().IsRegular() {
		mode = old.Mode().Perm()
		if st, ok := old.Sys().(*syscall.Stat_t); ok {
			cur, err := f.File.Stat()
			if ct, ok := cur.Sys().(*syscall.Stat_t); err == nil && ok && (ct.Uid != st.Uid || ct.Gid != st.Gid) {
				if err := f.File.Chown(int(st.Uid), int(st.Gid)); err != nil && !errors.Is(err, fs.ErrPermission) {
					return err
				}
			}
		}
	}
	return f.File.Chmod(mode)
}

// Abort discards the output: a temporary file is removed and the target is
// left as it was. What was already written in place (to a device, a FIFO, a
// log) stays written. Abort is a no-op after Commit, so it can be deferred.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	if !f.borrowed {
		f.File.Close()
	}
	if f.tmp != "" {
		os.Remove(f.tmp)
	}
}

// named makes err name the output, not the temporary file.
func (f *File) named(op string, err error) error {
	if err == nil {
		return nil
	}
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == f.target.Name {
		return err
	}
	return &fs.PathError{Op: op, Path: f.target.Name, Err: underlying(err)}
}

// underlying strips the *fs.PathError (or *os.LinkError) that names a
// temporary file.
func underlying(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// syncDir makes a rename in dir durable. File systems that cannot sync a
// folder (EINVAL) are left at that.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil // the rename happened; durability is best effort here
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// Write writes the output path by the package's rule, with the data fill
// writes to a buffered writer; nothing is put in place unless fill and
// every write succeed.
func Write(path string, fill func(w io.Writer) error) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	bw := bufio.NewWriterSize(f, 64<<10)
	if err := fill(bw); err != nil {
		return f.fillError(err)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Commit()
}

// WriteFile is Write for a fill that wants the *os.File itself. Its writes
// bypass File.Write, so fill must return their errors.
func WriteFile(path string, fill func(w *os.File) error) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := fill(f.File); err != nil {
		return f.fillError(err)
	}
	return f.Commit()
}

// fillError names the output in an error of a fill function, once.
func (f *File) fillError(err error) error {
	if f.err != nil && errors.Is(err, f.err) {
		return err
	}
	return fmt.Errorf("write %s: %w", f.target.Name, err)
}

// Remove deletes a stale output by the package's rule: a regular file is
// removed (for a symbolic link, the file it points at; the link stays);
// a missing file, a device, a FIFO, "-" and a descriptor are left alone,
// as there is nothing stale to remove; a directory is an error.
func Remove(path string) error {
	t, err := Resolve(path)
	if err != nil {
		return err
	}
	if t.Kind != Regular {
		return nil
	}
	if err := os.Remove(t.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &fs.PathError{Op: "remove", Path: path, Err: underlying(err)}
	}
	return nil
}

// Rename puts the finished file src in place of the output path by the
// package's rule: a missing or regular file (behind any links, which stay)
// is replaced in one rename(2), src taking the old file's mode and owner
// (0644 for a new one), so that a reader sees the old file or the whole
// new one. src must be on the target's file system: a file made beside
// the target, such as a run's partial predictions. An output written in
// place (a device, FIFO or descriptor) cannot be replaced: an error.
func Rename(src, path string) error {
	t, err := Resolve(path)
	if err != nil {
		return err
	}
	if t.InPlace() {
		return fmt.Errorf("replace %s: is a %v, written in place, not replaced", path, t.Kind)
	}
	f, err := os.OpenFile(src, os.O_RDWR|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	af := &File{File: f, target: t}
	err = af.adopt()
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(src, t.Path)
	}
	if err != nil {
		return &fs.PathError{Op: "replace", Path: path, Err: underlying(err)}
	}
	return syncDir(filepath.Dir(t.Path))
}
