package runfiles

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/imagenetx/imagenetx/internal/atomicfile"
)

// ErrLocked is returned (wrapped) by Lock when another process holds the
// outputs.
var ErrLocked = errors.New("another imagenetx process is writing these outputs")

// OutputLock keeps a second process off one run's outputs while the first
// writes them. It is an flock(2) on a lock file beside each output file, so
// the kernel releases it when its holder exits, however it dies (SIGKILL
// included); a lock file left behind by a killed run holds nothing.
type OutputLock struct {
	held []heldLock
}

type heldLock struct {
	f    *os.File
	path string
}

// Lock takes o's locks without waiting: one for every file the run
// writes (predictions, errors file, run.json), on the file itself rather
// than the name given, so that two runs writing one file under two names
// (a symbolic link) exclude each other. The predictions file's lock is
// o.Lock, or for predictions given through a link (or with no o.Lock),
// the lock the target's own name has (ForFile) (its partial files share it); any other file F's
// is F.lock beside the file F resolves to. When another process holds one,
// the error (wrapping ErrLocked) names the file and that process. Outputs
// that are not regular files (a device such as /dev/null, a FIFO) are not
// locked, since two writers there cannot damage each other's files.
func Lock(o Outputs) (*OutputLock, error) {
	l := &OutputLock{}
	for i, f := range o.files() {
		if f.path == "" {
			continue
		}
		t, err := atomicfile.Resolve(f.path)
		if err != nil || t.InPlace() || !lockable(t.Path) {
			continue
		}
		lockPath := t.Path + ".lock"
		if i == 0 {
			lockPath = o.Lock
			if t.Link || lockPath == "" {
				lockPath = ForFile(t.Path, "").Lock
			}
		}
		if l.holds(lockPath) {
			continue
		}
		if err := l.take(lockPath, f.path); err != nil {
			l.Unlock()
			return nil, err
		}
	}
	return l, nil
}

func (l *OutputLock) holds(path string) bool {
	for _, h := range l.held {
		if h.path == path {
			return true
		}
	}
	return false
}

// take locks the lock file path, which guards the output what.
func (l *OutputLock) take(path, what string) error {
	for {
		// The lock file is written in place (flock needs one inode), so
		// it is never followed through a link nor taken over from a node
		// that is not a regular file: that would truncate what it names
		// (O_NONBLOCK: opening a device or FIFO there never waits).
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o644)
		if errors.Is(err, syscall.ELOOP) {
			err = errors.New("is a symbolic link, not a lock file imagenetx made; remove it")
		}
		if err == nil {
			err = checkRegular(f)
		}
		if err != nil {
			return fmt.Errorf("lock %s: %w", path, err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			holder := readHolder(f)
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return fmt.Errorf("%w: %s is locked by %s (%s); wait for it to finish or stop it", ErrLocked, what, holder, path)
			}
			return fmt.Errorf("lock %s: %w", path, err)
		}
		// The holder before us may have removed the file between our open
		// and our flock: then we hold a lock on a name nobody else sees,
		// and must start again on the file that is there now.
		if sameInode(f, path) {
			f.Truncate(0)
			f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
			l.held = append(l.held, heldLock{f: f, path: path})
			return nil
		}
		f.Close()
	}
}

// Unlock removes the lock files and releases the locks. It is safe on a
// nil or empty lock and when called twice.
func (l *OutputLock) Unlock() error {
	if l == nil {
		return nil
	}
	var errs []error
	for _, h := range l.held {
		// Remove while still holding the lock, so that no one can take a
		// lock on the name that is about to disappear (see the inode check
		// in take).
		err := os.Remove(h.path)
		if errors.Is(err, os.ErrNotExist) {
			err = nil
		}
		errs = append(errs, err, h.f.Close())
	}
	l.held = nil
	return errors.Join(errs...)
}

// lockable reports whether path is a regular file or missing (to be made
// as one), and its folder exists.
func lockable(path string) bool {
	st, err := os.Stat(path)
	if err == nil {
		return st.Mode().IsRegular()
	}
	_, err = os.Stat(filepath.Dir(path))
	return err == nil
}

// checkRegular closes f and fails unless it is a regular file.
func checkRegular(f *os.File) error {
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = fmt.Errorf("is a %v, not a lock file imagenetx made; remove it", st.Mode().Type())
	}
	if err != nil {
		f.Close()
	}
	return err
}

func sameInode(f *os.File, path string) bool {
	a, err1 := f.Stat()
	b, err2 := os.Stat(path)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}

// readHolder says which process holds the lock, from the pid it wrote.
func readHolder(f *os.File) string {
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	pid := strings.TrimSpace(string(buf[:n]))
	if _, err := strconv.Atoi(pid); err != nil {
		return "another process"
	}
	return "process " + pid
}

// LockDir takes the lock of an output folder's own files (its factor
// table, leaderboard and report: the files no single model's lock covers),
// as Lock does.
func LockDir(dir string) (*OutputLock, error) {
	return Lock(Outputs{Predictions: filepath.Join(dir, FactorsFile), Lock: filepath.Join(dir, lockFile)})
}
