package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Kind is what an output path names once its links are followed; it
// decides how the output is written (see the package documentation).
type Kind int

const (
	// Missing: nothing is there yet; the output is created atomically.
	Missing Kind = iota
	// Regular: a regular file, replaced atomically.
	Regular
	// CharDevice: a character device such as /dev/null, written in place.
	CharDevice
	// FIFO: a named pipe, written in place.
	FIFO
	// Stdout: "-", standard output.
	Stdout
	// Descriptor: a link to one of this process's open descriptors
	// (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N), written
	// through a duplicate of that descriptor.
	Descriptor
)

func (k Kind) String() string {
	switch k {
	case Missing:
		return "missing file"
	case Regular:
		return "regular file"
	case CharDevice:
		return "character device"
	case FIFO:
		return "FIFO"
	case Stdout:
		return "standard output"
	case Descriptor:
		return "open descriptor"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Target is what writing to a path would write to.
type Target struct {
	// Name is the path as given ("-" for standard output).
	Name string
	// Path is the file that is written or replaced: Name with every
	// symbolic link followed and its folder made physical ("" for
	// standard output; for a Descriptor, the descriptor's /proc path).
	Path string
	// Kind says what Path is.
	Kind Kind
	// Link is true when Name is a symbolic link (which stays as it is).
	Link bool
	// fd is the descriptor a Descriptor target duplicates.
	fd int
}

// InPlace reports whether the target is written in place, streaming: a
// device, a FIFO, standard output or an inherited descriptor. Such an
// output cannot be replaced, read back, resumed or removed, and a program
// that writes files next to its output (a run's run.json) should not
// write them next to this one.
func (t Target) InPlace() bool { return t.Kind != Missing && t.Kind != Regular }

// maxLinks bounds a chain of symbolic links, as the kernel's ELOOP does.
const maxLinks = 40

// procSuperMagic is the file system type of /proc (statfs(2)).
const procSuperMagic = 0x9fa0

// Resolve says what name would write to, following symbolic links the way
// the kernel does. A directory, a block device, a socket, a link loop and a
// path the writer may not write are errors naming name; a missing folder
// is not (Create reports it).
func Resolve(name string) (Target, error) {
	switch name {
	case "-":
		return Target{Name: name, Kind: Stdout, fd: 1}, nil
	case "":
		return Target{}, errors.New("output: empty path")
	case "/dev/stdout", "/dev/stderr":
		// Named, as awk does, whether or not /dev has the links (a
		// bare container may not): never a file made in /dev.
		return Target{Name: name, Path: name, Kind: Descriptor, fd: map[string]int{"/dev/stdout": 1, "/dev/stderr": 2}[name]}, nil
	}
	t := Target{Name: name}
	path := name
	for hops := 0; ; hops++ {
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			t.Kind = Missing
			return t.physical(path)
		}
		if err != nil {
			return Target{}, fmt.Errorf("output %s: %w", name, err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return t.classify(path, fi)
		}
		if hops == maxLinks {
			return Target{}, &fs.PathError{Op: "open", Path: name, Err: syscall.ELOOP}
		}
		dest, err := os.Readlink(path)
		if err != nil {
			return Target{}, fmt.Errorf("output %s: %w", name, err)
		}
		t.Link = true
		dir := parent(path)
		if onProc(dir) {
			// A kernel-made link (/proc/self/fd/1, which /dev/stdout
			// points at): its text ("pipe:[123]", "/dev/pts/0") is not
			// a path to follow.
			return t.procLink(dir, path[strings.LastIndexByte(path, filepath.Separator)+1:])
		}
		if !filepath.IsAbs(dest) {
			// Kept unclean on purpose: ".." in a link is resolved from
			// the link's physical folder, by the kernel and by
			// filepath.EvalSymlinks alike, not lexically.
			dest = dir + string(filepath.Separator) + dest
		}
		path = dest
	}
}

// classify takes a path that is not a symbolic link.
func (t Target) classify(path string, fi fs.FileInfo) (Target, error) {
	m := fi.Mode()
	switch {
	case m.IsRegular():
		t.Kind = Regular
		if err := syscall.Access(path, 2 /* W_OK */); err != nil {
			// A shell's `>` would fail here; the rename would not, and
			// would replace a file the writer may not write.
			return Target{}, &fs.PathError{Op: "open", Path: t.Name, Err: err}
		}
		return t.physical(path)
	case m.IsDir():
		return Target{}, &fs.PathError{Op: "write", Path: t.Name, Err: syscall.EISDIR}
	case m&fs.ModeCharDevice != 0:
		t.Kind, t.Path = CharDevice, path
	case m&fs.ModeNamedPipe != 0:
		t.Kind, t.Path = FIFO, path
	case m&fs.ModeDevice != 0:
		return Target{}, fmt.Errorf("output %s: is a block device; imagenetx writes no output onto a disk", t.Name)
	case m&fs.ModeSocket != 0:
		return Target{}, fmt.Errorf("output %s: is a socket, which cannot be opened as a file", t.Name)
	default:
		return Target{}, fmt.Errorf("output %s: is a %v, not a file", t.Name, m.Type())
	}
	return t, nil
}

// physical sets t.Path to path with its folder's links resolved, so that a
// temporary file made in that folder lands on the same file system as the
// file it replaces.
func (t Target) physical(path string) (Target, error) {
	dir, base := ".", path
	if i := strings.LastIndexByte(path, filepath.Separator); i >= 0 {
		dir, base = parent(path), path[i+1:]
	}
	if base == "" || base == "." || base == ".." {
		return Target{}, &fs.PathError{Op: "write", Path: t.Name, Err: syscall.EISDIR}
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		// The folder is missing or unreadable: Create names the error
		// when it tries to make its temporary file there.
		real = dir
	}
	t.Path = filepath.Join(real, base)
	return t, nil
}

// procLink classifies a link that lives on /proc. One to this process's
// own descriptor is written through a duplicate of that descriptor; any
// other is opened in place.
func (t Target) procLink(dir, base string) (Target, error) {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real // /dev/fd → /proc/<pid>/fd
	}
	path := filepath.Join(dir, base)
	fi, err := os.Stat(path)
	if err != nil {
		return Target{}, fmt.Errorf("output %s: %w", t.Name, err)
	}
	t.Path = path
	if fd, ok := ownDescriptor(path); ok {
		if fi.IsDir() {
			return Target{}, &fs.PathError{Op: "write", Path: t.Name, Err: syscall.EISDIR}
		}
		t.Kind, t.fd = Descriptor, fd
		return t, nil
	}
	if fi.Mode().IsRegular() {
		// Another process's descriptor: never replaced, written in
		// place, appending.
		t.Kind = Descriptor
		t.fd = -1
		return t, nil
	}
	return t.classify(path, fi)
}

// ownDescriptor recognises /proc/self/fd/N, /proc/thread-self/fd/N and
// /proc/<this pid>/fd/N.
func ownDescriptor(path string) (int, bool) {
	parts := strings.Split(filepath.Clean(path), string(filepath.Separator))
	// "", "proc", who, "fd", N
	if len(parts) != 5 || parts[0] != "" || parts[1] != "proc" || parts[3] != "fd" {
		return 0, false
	}
	switch who := parts[2]; who {
	case "self", "thread-self", strconv.Itoa(os.Getpid()):
	default:
		return 0, false
	}
	fd, err := strconv.Atoi(parts[4])
	return fd, err == nil && fd >= 0
}

// parent is path's folder without cleaning path lexically ("a/b/../c" →
// "a/b/.."), so that the kernel resolves it.
func parent(path string) string {
	i := strings.LastIndexByte(path, filepath.Separator)
	switch {
	case i < 0:
		return "."
	case i == 0:
		return string(filepath.Separator)
	}
	return path[:i]
}

// onProc reports whether dir is on a /proc file system.
func onProc(dir string) bool {
	var st syscall.Statfs_t
	return syscall.Statfs(dir, &st) == nil && st.Type == procSuperMagic
}
