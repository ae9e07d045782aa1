// Package atomicfiletest holds what tests of outputs share: a snapshot of a
// folder tree that shows any node a writer replaced, created or removed,
// device nodes and FIFOs to write to, and a concurrent reader.
package atomicfiletest

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Device numbers of /dev/null and /dev/full (Linux, devices.txt).
const (
	NullDev = 1<<8 | 3
	FullDev = 1<<8 | 7
)

// IsRoot reports whether the test runs as root (who may mknod and chown).
func IsRoot() bool { return os.Geteuid() == 0 }

// Node is one entry of a folder tree as a writer could damage it: its type,
// identity, owner and (for links) target, without its content.
type Node struct {
	Mode fs.FileMode
	Ino  uint64
	Rdev uint64
	UID  uint32
	Link string
}

// Snapshot records every entry under dir, without following links, keyed
// by its path relative to dir.
func Snapshot(t testing.TB, dir string) map[string]Node {
	t.Helper()
	nodes := map[string]Node{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		n := Node{Mode: fi.Mode(), Ino: st.Ino, Rdev: st.Rdev, UID: st.Uid}
		if fi.Mode()&fs.ModeSymlink != 0 {
			n.Link, _ = os.Readlink(p)
		}
		rel, _ := filepath.Rel(dir, p)
		nodes[rel] = n
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return nodes
}

// SameTree fails unless before and after hold the same entries with the
// same identity, except the entries named in changed (relative paths),
// which must be regular files after the write (new or replaced ones).
func SameTree(t testing.TB, before, after map[string]Node, changed ...string) {
	t.Helper()
	var diffs []string
	for name, b := range before {
		a, ok := after[name]
		switch {
		case slices.Contains(changed, name):
		case !ok:
			diffs = append(diffs, "removed "+name)
		case a != b:
			diffs = append(diffs, fmt.Sprintf("changed %s: %+v -> %+v", name, b, a))
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok && !slices.Contains(changed, name) {
			diffs = append(diffs, "created "+name)
		}
	}
	for _, name := range changed {
		if a, ok := after[name]; !ok || !a.Mode.IsRegular() {
			diffs = append(diffs, fmt.Sprintf("%s is not a regular file after the write: %+v", name, a))
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Errorf("the write touched more than the named path:\n%s", strings.Join(diffs, "\n"))
	}
}

// DeviceNode makes a character device dev (NullDev, FullDev) named name in
// dir when the test runs as root; an unprivileged user, who cannot, gets
// real, the machine's own node, which it may write but never replace.
func DeviceNode(t testing.TB, dir, name string, dev int, real string) string {
	t.Helper()
	if !IsRoot() {
		return real
	}
	p := filepath.Join(dir, name)
	if err := syscall.Mknod(p, syscall.S_IFCHR|0o666, dev); err != nil {
		t.Fatalf("mknod %s: %v", p, err)
	}
	return p
}

// IsCharDevice fails unless p (followed) is still the character device dev.
func IsCharDevice(t testing.TB, p string, dev int) {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&fs.ModeCharDevice == 0 || fi.Sys().(*syscall.Stat_t).Rdev != uint64(dev) {
		t.Fatalf("%s is no longer character device %#x: %v", p, dev, fi.Mode())
	}
}

// Mkfifo makes a FIFO at p.
func Mkfifo(t testing.TB, p string) {
	t.Helper()
	if err := syscall.Mkfifo(p, 0o666); err != nil {
		t.Fatal(err)
	}
}

// ReadAll reads what open returns (a FIFO, a pipe) concurrently with the
// writer, and sends what it read, or the error, on the channel.
func ReadAll(open func() (io.ReadCloser, error)) <-chan string {
	got := make(chan string, 1)
	go func() {
		r, err := open()
		if err != nil {
			got <- "open: " + err.Error()
			return
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		if err != nil {
			got <- "read: " + err.Error()
			return
		}
		got <- string(b)
	}()
	return got
}

// Received returns what a reader from ReadAll got, failing the test when
// nothing arrives within a minute (a writer that replaced the FIFO instead
// of opening it leaves its reader waiting for ever).
func Received(t testing.TB, read <-chan string) string {
	t.Helper()
	select {
	case got := <-read:
		return got
	case <-time.After(time.Minute):
		t.Error("nothing reached the reader within a minute: the FIFO or pipe was never opened for writing")
		return ""
	}
}

// ReadFIFO starts a reader of the FIFO at p.
func ReadFIFO(p string) <-chan string {
	return ReadAll(func() (io.ReadCloser, error) { return os.Open(p) })
}
