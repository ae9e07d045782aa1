package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/imagenetx/imagenetx/internal/atomicfile/atomicfiletest"
)

const (
	nullDev = atomicfiletest.NullDev
	fullDev = atomicfiletest.FullDev
)

// unprivilegedEnv marks the copy of this test binary that
// TestRuleAsUnprivilegedUser runs as uid 65534.
const unprivilegedEnv = "ATOMICFILE_TEST_UNPRIVILEGED"

var (
	isRoot       = atomicfiletest.IsRoot
	snapshot     = atomicfiletest.Snapshot
	sameTree     = atomicfiletest.SameTree
	deviceNode   = atomicfiletest.DeviceNode
	isCharDevice = atomicfiletest.IsCharDevice
	mkfifo       = atomicfiletest.Mkfifo
)

// readAll reads a FIFO or pipe concurrently with the writer.
func readAll(_ *testing.T, open func() (io.ReadCloser, error)) <-chan string {
	return atomicfiletest.ReadAll(open)
}

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

func mustWrite(t *testing.T, p, s string, perm fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, perm); err != nil { // whatever the umask
		t.Fatal(err)
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func statOf(t *testing.T, p string) *syscall.Stat_t {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t)
}

// fixture is a target a case made: the path to write, a channel with what
// a concurrent reader read (FIFOs, pipes), and a file the check needs.
type fixture struct {
	path string
	read <-chan string
	file *os.File
}

// ruleCase is one kind of target. setup makes it in dir and returns the
// path to write and, for a reader, a channel with what it read; check
// looks at the result. replaced names the entries (relative to dir) that
// the write may replace by a new regular file.
type ruleCase struct {
	name     string
	setup    func(t *testing.T, dir string) fixture
	fill     func(io.Writer) error
	wantErr  string // "" for success
	replaced []string
	check    func(t *testing.T, dir string, fx fixture)
	rootOnly bool
}

const content = "file_name,predicted_class\nILSVRC2012_val_00000001.JPEG,65\n"

func ruleCases() []ruleCase {
	contentIs := func(rel string) func(*testing.T, string, fixture) {
		return func(t *testing.T, dir string, _ fixture) {
			if got := readFile(t, filepath.Join(dir, rel)); got != content {
				t.Errorf("%s holds %q, want the new content", rel, got)
			}
		}
	}
	received := func(t *testing.T, _ string, fx fixture) {
		if got := atomicfiletest.Received(t, fx.read); got != content {
			t.Errorf("the reader got %q, want the content", got)
		}
	}
	return []ruleCase{{
		name:     "missing file is created",
		setup:    func(t *testing.T, dir string) fixture { return fixture{path: filepath.Join(dir, "out.csv")} },
		replaced: []string{"out.csv"},
		check: func(t *testing.T, dir string, fx fixture) {
			contentIs("out.csv")(t, dir, fx)
			if fi, _ := os.Stat(fx.path); fi.Mode().Perm() != 0o644 {
				t.Errorf("new file mode %v, want 0644", fi.Mode())
			}
		},
	}, {
		name: "regular file is replaced, keeping its mode",
		setup: func(t *testing.T, dir string) fixture {
			p := filepath.Join(dir, "out.csv")
			mustWrite(t, p, "old", 0o640)
			return fixture{path: p}
		},
		replaced: []string{"out.csv"},
		check: func(t *testing.T, dir string, fx fixture) {
			contentIs("out.csv")(t, dir, fx)
			if fi, _ := os.Stat(fx.path); fi.Mode().Perm() != 0o640 {
				t.Errorf("mode %v, want the old 0640", fi.Mode())
			}
		},
	}, {
		name: "failed fill leaves the regular file as it was",
		setup: func(t *testing.T, dir string) fixture {
			p := filepath.Join(dir, "out.csv")
			mustWrite(t, p, "old", 0o644)
			return fixture{path: p}
		},
		fill: func(w io.Writer) error {
			io.WriteString(w, "partial")
			return errors.New("half-way failure")
		},
		wantErr: "half-way failure",
		check: func(t *testing.T, dir string, fx fixture) {
			if got := readFile(t, fx.path); got != "old" {
				t.Errorf("a failed write changed the file to %q", got)
			}
		},
	}, {
		name: "read-only file: refused unless root, as a shell's > would be",
		setup: func(t *testing.T, dir string) fixture {
			p := filepath.Join(dir, "out.csv")
			mustWrite(t, p, "old", 0o444)
			return fixture{path: p}
		},
		wantErr:  map[bool]string{false: "permission denied"}[isRoot()],
		replaced: map[bool][]string{true: {"out.csv"}}[isRoot()],
		check: func(t *testing.T, dir string, fx fixture) {
			want := map[bool]string{true: content, false: "old"}[isRoot()]
			if got := readFile(t, fx.path); got != want {
				t.Errorf("holds %q, want %q", got, want)
			}
			if fi, _ := os.Stat(fx.path); fi.Mode().Perm() != 0o444 {
				t.Errorf("mode %v, want the old 0444", fi.Mode())
			}
		},
	}, {
		name:     "another user's file keeps its owner (root)",
		rootOnly: true,
		setup: func(t *testing.T, dir string) fixture {
			p := filepath.Join(dir, "out.csv")
			mustWrite(t, p, "old", 0o644)
			if err := os.Chown(p, 65534, 65534); err != nil {
				t.Fatal(err)
			}
			return fixture{path: p}
		},
		replaced: []string{"out.csv"},
		check: func(t *testing.T, dir string, fx fixture) {
			contentIs("out.csv")(t, dir, fx)
			if st := statOf(t, fx.path); st.Uid != 65534 || st.Gid != 65534 {
				t.Errorf("owner %d:%d, want 65534:65534", st.Uid, st.Gid)
			}
		},
	}, {
		name: "character device is written in place",
		setup: func(t *testing.T, dir string) fixture {
			return fixture{path: deviceNode(t, dir, "null", nullDev, "/dev/null")}
		},
		check: func(t *testing.T, _ string, fx fixture) { isCharDevice(t, fx.path, nullDev) },
	}, {
		name: "full device: the write error is reported, the node stays",
		setup: func(t *testing.T, dir string) fixture {
			return fixture{path: deviceNode(t, dir, "full", fullDev, "/dev/full")}
		},
		wantErr: "no space left on device",
		check:   func(t *testing.T, _ string, fx fixture) { isCharDevice(t, fx.path, fullDev) },
	}, {
		name: "full device: an error the fill ignores is still reported",
		setup: func(t *testing.T, dir string) fixture {
			return fixture{path: deviceNode(t, dir, "full", fullDev, "/dev/full")}
		},
		fill: func(w io.Writer) error {
			for range 100 {
				io.WriteString(w, strings.Repeat("x", 4096)) // error ignored
			}
			return nil
		},
		wantErr: "no space left on device",
		check:   func(t *testing.T, _ string, fx fixture) { isCharDevice(t, fx.path, fullDev) },
	}, {
		name: "FIFO is streamed to its reader",
		setup: func(t *testing.T, dir string) fixture {
			p := filepath.Join(dir, "pipe")
			mkfifo(t, p)
			return fixture{path: p, read: readAll(t, func() (io.ReadCloser, error) { return os.Open(p) })}
		},
		check: func(t *testing.T, dir string, fx fixture) {
			received(t, dir, fx)
			if fi, _ := os.Lstat(fx.path); fi.Mode()&fs.ModeNamedPipe == 0 {
				t.Errorf("%s is no longer a FIFO: %v", fx.path, fi.Mode())
			}
		},
	}, {
		name: "symlink to a regular file: the target is replaced, the link stays",
		setup: func(t *testing.T, dir string) fixture {
			os.Mkdir(filepath.Join(dir, "real"), 0o755)
			mustWrite(t, filepath.Join(dir, "real", "out.csv"), "old", 0o600)
			p := filepath.Join(dir, "link.csv")
			mustSymlink(t, "real/out.csv", p)
			return fixture{path: p}
		},
		replaced: []string{"real/out.csv"},
		check: func(t *testing.T, dir string, fx fixture) {
			contentIs("real/out.csv")(t, dir, fx)
			if fi, _ := os.Stat(fx.path); fi.Mode().Perm() != 0o600 {
				t.Errorf("target mode %v, want the old 0600", fi.Mode())
			}
		},
	}, {
		name: "chain of relative links through a linked folder",
		setup: func(t *testing.T, dir string) fixture {
			// a/b/link -> ../target.csv, where a/b is a link to x/y: the
			// kernel resolves ".." physically (x/target.csv), not
			// lexically (a/target.csv).
			for _, d := range []string{"a", "x/y"} {
				os.MkdirAll(filepath.Join(dir, d), 0o755)
			}
			mustSymlink(t, "../x/y", filepath.Join(dir, "a", "b"))
			mustWrite(t, filepath.Join(dir, "x", "target.csv"), "old", 0o644)
			mustSymlink(t, "../target.csv", filepath.Join(dir, "x", "y", "link"))
			p := filepath.Join(dir, "first")
			mustSymlink(t, "a/b/link", p)
			return fixture{path: p}
		},
		replaced: []string{"x/target.csv"},
		check:    func(t *testing.T, dir string, fx fixture) { contentIs("x/target.csv")(t, dir, fx) },
	}, {
		name: "dangling symlink: its target is created, the link stays",
		setup: func(t *testing.T, dir string) fixture {
			os.Mkdir(filepath.Join(dir, "real"), 0o755)
			p := filepath.Join(dir, "link.csv")
			mustSymlink(t, filepath.Join(dir, "real", "new.csv"), p)
			return fixture{path: p}
		},
		replaced: []string{"real/new.csv"},
		check:    func(t *testing.T, dir string, fx fixture) { contentIs("real/new.csv")(t, dir, fx) },
	}, {
		name: "symlink to a device: written through, both stay",
		setup: func(t *testing.T, dir string) fixture {
			p := filepath.Join(dir, "link")
			mustSymlink(t, deviceNode(t, dir, "null", nullDev, "/dev/null"), p)
			return fixture{path: p}
		},
		check: func(t *testing.T, _ string, fx fixture) { isCharDevice(t, fx.path, nullDev) },
	}, {
		name: "symlink to a FIFO: streamed, both stay",
		setup: func(t *testing.T, dir string) fixture {
			fifo := filepath.Join(dir, "pipe")
			mkfifo(t, fifo)
			p := filepath.Join(dir, "link")
			mustSymlink(t, "pipe", p)
			return fixture{path: p, read: readAll(t, func() (io.ReadCloser, error) { return os.Open(fifo) })}
		},
		check: received,
	}, {
		name:    "directory is an error",
		setup:   func(t *testing.T, dir string) fixture { return fixture{path: dir} },
		wantErr: "is a directory",
	}, {
		name: "symlink to a directory is an error",
		setup: func(t *testing.T, dir string) fixture {
			os.Mkdir(filepath.Join(dir, "d"), 0o755)
			p := filepath.Join(dir, "link")
			mustSymlink(t, "d", p)
			return fixture{path: p}
		},
		wantErr: "is a directory",
	}, {
		name: "link loop is an error",
		setup: func(t *testing.T, dir string) fixture {
			p := filepath.Join(dir, "a")
			mustSymlink(t, "b", p)
			mustSymlink(t, "a", filepath.Join(dir, "b"))
			return fixture{path: p}
		},
		wantErr: "too many levels of symbolic links",
	}, {
		name:     "block device is an error (root)",
		rootOnly: true,
		setup: func(t *testing.T, dir string) fixture {
			p := filepath.Join(dir, "disk")
			if err := syscall.Mknod(p, syscall.S_IFBLK|0o600, 7<<8|200); err != nil { // a loop device number
				t.Fatal(err)
			}
			return fixture{path: p}
		},
		wantErr: "block device",
	}, {
		name: "socket is an error",
		setup: func(t *testing.T, dir string) fixture {
			p := filepath.Join(dir, "sock")
			l, err := net.Listen("unix", p)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
			return fixture{path: p}
		},
		wantErr: "socket",
	}, {
		name: "missing folder is an error naming the path",
		setup: func(t *testing.T, dir string) fixture {
			return fixture{path: filepath.Join(dir, "no", "such", "out.csv")}
		},
		wantErr: "no such file or directory",
	}, {
		name: "folder the writer may not write: refused unless root",
		setup: func(t *testing.T, dir string) fixture {
			ro := filepath.Join(dir, "ro")
			os.Mkdir(ro, 0o755)
			p := filepath.Join(ro, "out.csv")
			mustWrite(t, p, "old", 0o666)
			os.Chmod(ro, 0o555)
			t.Cleanup(func() { os.Chmod(ro, 0o755) })
			return fixture{path: p}
		},
		wantErr:  map[bool]string{false: "its folder must be writable"}[isRoot()],
		replaced: map[bool][]string{true: {"ro/out.csv"}}[isRoot()],
	}, {
		name: "descriptor link (/proc/self/fd/N) writes through the descriptor",
		setup: func(t *testing.T, dir string) fixture {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			read := readAll(t, func() (io.ReadCloser, error) { return r, nil })
			t.Cleanup(func() { w.Close() })
			// The write end must close for the reader to finish: check
			// closes it.
			return fixture{path: fmt.Sprintf("/proc/self/fd/%d", w.Fd()), read: read, file: w}
		},
		check: func(t *testing.T, dir string, fx fixture) {
			fx.file.Close()
			received(t, dir, fx)
		},
	}, {
		name: "/dev/fd/N of a regular file is appended at the shared offset, never replaced",
		setup: func(t *testing.T, dir string) fixture {
			p := filepath.Join(dir, "log")
			f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString("before\n")
			t.Cleanup(func() { f.Close() })
			return fixture{path: fmt.Sprintf("/dev/fd/%d", f.Fd()), file: f}
		},
		check: func(t *testing.T, dir string, fx fixture) {
			fx.file.WriteString("after\n")
			if got := readFile(t, filepath.Join(dir, "log")); got != "before\n"+content+"after\n" {
				t.Errorf("log holds %q", got)
			}
		},
	}}
}

// TestRuleForEachKindOfTarget writes every kind of target by the rule, as
// whoever runs the test (root under CI and in containers; see
// TestRuleAsUnprivilegedUser for the other side), and checks that nothing
// but the named path (or, for a link, its target) changed.
func TestRuleForEachKindOfTarget(t *testing.T) {
	who := "root"
	if !isRoot() {
		who = fmt.Sprintf("uid %d", os.Geteuid())
	}
	t.Logf("running as %s", who)
	for _, tc := range ruleCases() {
		t.Run(tc.name, func(t *testing.T) {
			if tc.rootOnly && !isRoot() {
				t.Skip("needs root (mknod, chown); covered where the tests run as root")
			}
			dir := t.TempDir()
			fx := tc.setup(t, dir)
			path := fx.path
			before := snapshot(t, dir)
			fill := tc.fill
			if fill == nil {
				fill = writeString(content)
			}
			err := Write(path, fill)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Write(%s): %v", path, err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Write(%s) = %v, want an error with %q", path, err, tc.wantErr)
			case err != nil && !strings.Contains(err.Error(), path):
				t.Errorf("error %q does not name %s", err, path)
			}
			sameTree(t, before, snapshot(t, dir), tc.replaced...)
			if tc.check != nil {
				tc.check(t, dir, fx)
			}
		})
	}
}

// TestRuleAsUnprivilegedUser runs TestRuleForEachKindOfTarget again as uid
// 65534 (nobody) when the tests run as root, so that both sides are always
// covered: root bypasses permissions and may mknod and chown; an
// unprivileged user writes the real /dev/null and /dev/full and meets
// permission errors.
func TestRuleAsUnprivilegedUser(t *testing.T) {
	if os.Getenv(unprivilegedEnv) != "" {
		t.Skip("this is the unprivileged run")
	}
	if !isRoot() {
		t.Skip("already unprivileged: TestRuleForEachKindOfTarget covers this user")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// A copy the other user can reach (go test's folders are private).
	dir, err := os.MkdirTemp("", "atomicfile-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "atomicfile.test")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestRuleForEachKindOfTarget$", "-test.v", "-test.count=1")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), unprivilegedEnv+"=1", "TMPDIR=/tmp", "HOME="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{}}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("as uid 65534: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "running as uid 65534") {
		t.Fatalf("the copy did not run as uid 65534:\n%s", out)
	}
	t.Logf("as uid 65534:\n%s", out)
}

func TestStandardOutput(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	read := readAll(t, func() (io.ReadCloser, error) { return r, nil })
	saved := os.Stdout
	os.Stdout = w
	err = Write("-", writeString(content))
	os.Stdout = saved
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(nil); err != nil {
		t.Fatalf("standard output was closed by the write: %v", err)
	}
	w.Close()
	if got := atomicfiletest.Received(t, read); got != content {
		t.Errorf("standard output got %q", got)
	}
}

func TestResolveKinds(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "f"), "x", 0o644)
	mustSymlink(t, "f", filepath.Join(dir, "l"))
	mustSymlink(t, "missing", filepath.Join(dir, "dangling"))
	tests := []struct {
		name     string
		wantKind Kind
		wantPath string
		inPlace  bool
	}{
		{"-", Stdout, "", true},
		{filepath.Join(dir, "f"), Regular, filepath.Join(dir, "f"), false},
		{filepath.Join(dir, "l"), Regular, filepath.Join(dir, "f"), false},
		{filepath.Join(dir, "dangling"), Missing, filepath.Join(dir, "missing"), false},
		{filepath.Join(dir, "new"), Missing, filepath.Join(dir, "new"), false},
		{"/dev/null", CharDevice, "/dev/null", true},
		{"/dev/stderr", Descriptor, "", true},
	}
	for _, tc := range tests {
		got, err := Resolve(tc.name)
		if err != nil {
			t.Errorf("Resolve(%s): %v", tc.name, err)
			continue
		}
		if got.Kind != tc.wantKind || (tc.wantPath != "" && got.Path != tc.wantPath) || got.InPlace() != tc.inPlace {
			t.Errorf("Resolve(%s) = %+v, want kind %v path %s in place %v", tc.name, got, tc.wantKind, tc.wantPath, tc.inPlace)
		}
	}
}

func TestCreateLogAndAppendLog(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "real"), 0o755)
	target := filepath.Join(dir, "real", "preds.csv")
	mustWrite(t, target, "stale", 0o644)
	link := filepath.Join(dir, "preds.csv")
	mustSymlink(t, "real/preds.csv", link)
	ino := statOf(t, target).Ino
	before := snapshot(t, dir)

	f, err := CreateLog(link)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(f, "a\n")
	if got := readFile(t, target); got != "a\n" {
		t.Errorf("a log is written in place as it grows: %q", got)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	g, err := AppendLog(link)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(g, "b\n")
	if err := g.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, target); got != "a\nb\n" {
		t.Errorf("after append: %q", got)
	}
	if statOf(t, target).Ino != ino {
		t.Error("the log was replaced, not written in place")
	}
	sameTree(t, before, snapshot(t, dir))

	if _, err := AppendLog(filepath.Join(dir, "missing.csv")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("AppendLog of a missing file: %v", err)
	}
	nul := deviceNode(t, dir, "null", nullDev, "/dev/null")
	for _, open := range []func(string) (*File, error){CreateLog, AppendLog} {
		h, err := open(nul)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(h, "x")
		if err := h.Commit(); err != nil {
			t.Fatalf("a log on a device: %v", err)
		}
		isCharDevice(t, nul, nullDev)
	}
}

func TestRemove(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "real"), 0o755)
	mustWrite(t, filepath.Join(dir, "stale.csv"), "x", 0o644)
	mustWrite(t, filepath.Join(dir, "real", "target.csv"), "x", 0o644)
	mustSymlink(t, "real/target.csv", filepath.Join(dir, "link.csv"))
	mkfifo(t, filepath.Join(dir, "pipe"))
	nul := deviceNode(t, dir, "null", nullDev, "/dev/null")
	before := snapshot(t, dir)
	for _, p := range []string{"stale.csv", "link.csv", "pipe", "missing.csv"} {
		if err := Remove(filepath.Join(dir, p)); err != nil {
			t.Errorf("Remove(%s): %v", p, err)
		}
	}
	if err := Remove(nul); err != nil {
		t.Errorf("Remove(%s): %v", nul, err)
	}
	if err := Remove(filepath.Join(dir, "real")); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("Remove(a folder) = %v, want an error", err)
	}
	after := snapshot(t, dir)
	for _, gone := range []string{"stale.csv", "real/target.csv"} {
		if _, ok := after[gone]; ok {
			t.Errorf("%s was not removed", gone)
		}
		delete(before, gone)
	}
	sameTree(t, before, after)
	isCharDevice(t, nul, nullDev)
}

func TestAbortAfterCommitIsNoOp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("data")
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	f.Abort()
	if got := readFile(t, path); got != "data" {
		t.Errorf("got %q", got)
	}
	if err := f.Commit(); err == nil {
		t.Error("second Commit succeeded")
	}
}

func TestWriteFileKeepsItsAPI(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	failure := errors.New("half-way failure")
	err := WriteFile(path, func(f *os.File) error { f.WriteString("partial"); return failure })
	if !errors.Is(err, failure) || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want the fill error naming %s", err, path)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed write left %s", path)
	}
	if err := WriteFile(path, func(f *os.File) error { _, err := f.WriteString("new"); return err }); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != "new" {
		t.Errorf("file holds %q, want new", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}
