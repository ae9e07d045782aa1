// Package elfdeps finds the shared libraries an ELF library needs, the way
// the dynamic loader (ld.so) would look for them, and says which are
// missing and where else they can be found. It reads files only: nothing is
// loaded or run.
//
// For each DT_NEEDED name of each library (and for names a library loads
// itself at run time, given by the caller), the folders are searched in
// ld.so's order: the requester's DT_RPATH (when it has no DT_RUNPATH),
// LD_LIBRARY_PATH, the requester's DT_RUNPATH ($ORIGIN expanded), the
// /etc/ld.so.cache, then the default folders. A candidate of another ELF
// class or machine is passed over, as ld.so does. Not modelled: the RPATH
// of the executable and of libraries further up the chain, glibc-hwcaps
// subfolders, and libraries the process already holds.
package elfdeps

import (
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Search is where libraries are looked for.
type Search struct {
	// LibraryPath is LD_LIBRARY_PATH's folders, in order.
	LibraryPath []string
	// Cache maps sonames to paths, in /etc/ld.so.cache's order.
	Cache map[string][]string
	// CacheFile is where Cache came from, for reports.
	CacheFile string
	// DefaultDirs are the loader's built-in folders.
	DefaultDirs []string
	// Elsewhere are folders the loader does not search, where a missing
	// library is looked for only to say where it could come from (a Python
	// environment's nvidia/*/lib folders, say).
	Elsewhere []string
}

// DefaultDirs are glibc's built-in folders on x86-64 Debian, searched after
// the cache.
var DefaultDirs = []string{"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"}

// SystemSearch is this process's loader search: $LD_LIBRARY_PATH,
// /etc/ld.so.cache (when readable) and DefaultDirs.
func SystemSearch() Search {
	s := Search{DefaultDirs: DefaultDirs, CacheFile: DefaultCacheFile}
	for _, d := range strings.Split(os.Getenv("LD_LIBRARY_PATH"), ":") {
		if d != "" {
			s.LibraryPath = append(s.LibraryPath, d)
		}
	}
	if c, err := ReadCache(DefaultCacheFile); err == nil {
		s.Cache = c
	} else {
		s.CacheFile = ""
	}
	return s
}

// Lib is one needed library.
type Lib struct {
	// Name is the name asked for (DT_NEEDED, or the run-time name).
	Name string
	// NeededBy is the path of the first library that needs it.
	NeededBy string
	// RunTime is true for a library loaded with dlopen at run time rather
	// than listed in DT_NEEDED.
	RunTime bool
	// Path is where the loader would find it, "" when it would not.
	Path string
	// Via says how it was found: "RPATH", "LD_LIBRARY_PATH", "RUNPATH",
	// "ld.so.cache" or "default folder".
	Via string
	// Elsewhere lists copies in Search.Elsewhere folders (for a missing
	// library: where it could be taken from).
	Elsewhere []string
}

// Report is the dependency closure of a library.
type Report struct {
	Root string
	// Libs are every library needed, directly or not, in discovery order.
	Libs []Lib
	// Looked lists the folders searched, for messages.
	Looked []string
}

// Missing returns the libraries the loader would not find.
func (r Report) Missing() []Lib {
	var out []Lib
	for _, l := range r.Libs {
		if l.Path == "" {
			out = append(out, l)
		}
	}
	return out
}

// target is the ELF class and machine a library must match.
type target struct {
	class   elf.Class
	machine elf.Machine
}

// resolver is one Resolve's state: the search and each visited library's
// own search folders.
type resolver struct {
	Search
	tgt            target
	rpath, runpath map[string][]string
	seen           map[string]bool
	queue          []Lib
}

// Resolve walks root's dependencies. runTime names libraries root loads
// itself at run time (searched as if root needed them).
func Resolve(root string, runTime []string, s Search) (Report, error) {
	f, err := elf.Open(root)
	if err != nil {
		return Report{}, fmt.Errorf("%s: not an ELF library: %w", root, err)
	}
	r := &resolver{Search: s, tgt: target{f.Class, f.Machine},
		rpath: map[string][]string{}, runpath: map[string][]string{}, seen: map[string]bool{}}
	f.Close()
	rep := Report{Root: root}
	if err := r.visit(root, runTime); err != nil {
		return rep, err
	}
	for len(r.queue) > 0 {
		l := r.queue[0]
		r.queue = r.queue[1:]
		l.Path, l.Via = r.find(l.Name, l.NeededBy)
		if l.Path == "" {
			l.Elsewhere = r.elsewhere(l.Name)
		} else if err := r.visit(l.Path, nil); err != nil {
			return rep, err
		}
		rep.Libs = append(rep.Libs, l)
	}
	rep.Looked = r.looked(root)
	return rep, nil
}

// visit reads lib's dynamic section and queues its needs (and the
// run-time names) not seen before.
func (r *resolver) visit(lib string, runTime []string) error {
	needed, rpath, runpath, err := dynamicInfo(lib)
	if err != nil {
		return err
	}
	r.rpath[lib], r.runpath[lib] = rpath, runpath
	for i, n := range append(needed, runTime...) {
		if !r.seen[n] {
			r.seen[n] = true
			r.queue = append(r.queue, Lib{Name: n, NeededBy: lib, RunTime: i >= len(needed)})
		}
	}
	return nil
}

// dynamicInfo reads a library's DT_NEEDED, DT_RPATH and DT_RUNPATH, with
// $ORIGIN expanded.
func dynamicInfo(path string) (needed, rpath, runpath []string, err error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	needed, err = f.DynString(elf.DT_NEEDED)
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		return nil, nil, nil, fmt.Errorf("%s: dynamic section: %w", path, err)
	}
	origin := filepath.Dir(path)
	for _, t := range []struct {
		tag elf.DynTag
		dst *[]string
	}{{elf.DT_RPATH, &rpath}, {elf.DT_RUNPATH, &runpath}} {
		vals, _ := f.DynString(t.tag)
		for _, v := range vals {
			for _, d := range strings.Split(v, ":") {
				if d != "" {
					*t.dst = append(*t.dst, expandOrigin(d, origin))
				}
			}
		}
	}
	return needed, rpath, runpath, nil
}

func expandOrigin(dir, origin string) string {
	dir = strings.ReplaceAll(dir, "${ORIGIN}", origin)
	return strings.ReplaceAll(dir, "$ORIGIN", origin)
}

// searchStep is a list of folders and how a library found there is
// reported.
type searchStep struct {
	dirs []string
	via  string
}

// find searches for name as ld.so would for a library needed by requester.
func (r *resolver) find(name, requester string) (path, via string) {
	if strings.Contains(name, "/") {
		if compatible(name, r.tgt) {
			return name, "path"
		}
		return "", ""
	}
	var steps []searchStep
	if len(r.runpath[requester]) == 0 {
		steps = append(steps, searchStep{r.rpath[requester], "RPATH"})
	}
	steps = append(steps, searchStep{r.LibraryPath, "LD_LIBRARY_PATH"}, searchStep{r.runpath[requester], "RUNPATH"})
	for _, st := range steps {
		for _, d := range st.dirs {
			if p := filepath.Join(d, name); compatible(p, r.tgt) {
				return p, st.via
			}
		}
	}
	for _, p := range r.Cache[name] {
		if compatible(p, r.tgt) {
			return p, "ld.so.cache"
		}
	}
	for _, d := range r.DefaultDirs {
		if p := filepath.Join(d, name); compatible(p, r.tgt) {
			return p, "default folder"
		}
	}
	return "", ""
}

// elsewhere lists copies of name in the Elsewhere folders.
func (r *resolver) elsewhere(name string) []string {
	var out []string
	for _, d := range r.Elsewhere {
		if p := filepath.Join(d, name); compatible(p, r.tgt) {
			out = append(out, p)
		}
	}
	return out
}

// looked describes the search for messages.
func (r *resolver) looked(root string) []string {
	s := r.Search
	var out []string
	if len(r.runpath[root]) > 0 {
		out = append(out, "RUNPATH "+strings.Join(r.runpath[root], ":"))
	}
	if len(s.LibraryPath) > 0 {
		out = append(out, "LD_LIBRARY_PATH="+strings.Join(s.LibraryPath, ":"))
	} else {
		out = append(out, "LD_LIBRARY_PATH (unset)")
	}
	if s.CacheFile != "" {
		out = append(out, s.CacheFile)
	}
	out = append(out, s.DefaultDirs...)
	if len(s.Elsewhere) > 0 {
		out = append(out, "and, outside the loader's search, "+strings.Join(s.Elsewhere, ", "))
	}
	return out
}

// compatible reports whether path is an ELF file of the target's class and
// machine (the loader passes over others and goes on searching).
func compatible(path string, tgt target) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return f.Class == tgt.class && f.Machine == tgt.machine
}

// WriteTo writes the report as a table: each library with where the loader
// would find it, or MISSING and where copies lie elsewhere; then where it
// looked.
func (r Report) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	width := 0
	for _, l := range r.Libs {
		width = max(width, len(l.Name))
	}
	for _, l := range r.Libs {
		fmt.Fprintf(&b, "  %-*s  ", width, l.Name)
		switch {
		case l.Path != "":
			fmt.Fprintf(&b, "%s (%s)", l.Path, l.Via)
		default:
			b.WriteString("MISSING")
			if len(l.Elsewhere) > 0 {
				fmt.Fprintf(&b, " (not on the loader's path, but in %s)", strings.Join(l.Elsewhere, ", "))
			}
		}
		if l.RunTime {
			b.WriteString(" [loaded at run time]")
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "  looked in: %s\n", strings.Join(r.Looked, ", "))
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}
