package elfdeps

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// buildLib compiles a shared library named soname into dir, linked against
// the given sonames (found in linkDirs at link time), with runpath as its
// DT_RUNPATH ("" for none). The loader's behaviour is then checked on real
// ELF files, as gcc and ld write them.
func buildLib(t *testing.T, dir, soname string, needs []string, linkDirs []string, runpath string) string {
	t.Helper()
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc is needed to build test libraries (the cgo build needs it too)")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "lib.c")
	if err := os.WriteFile(src, []byte("int f(void) { return 1; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, soname)
	args := []string{"-shared", "-fPIC", "-o", out, src, "-Wl,-soname," + soname, "-Wl,--no-as-needed"}
	for _, d := range linkDirs {
		args = append(args, "-L"+d)
	}
	for _, n := range needs {
		args = append(args, "-l:"+n)
	}
	if runpath != "" {
		args = append(args, "-Wl,--enable-new-dtags,-rpath,"+runpath)
	}
	if b, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc %v: %v\n%s", args, err, b)
	}
	return out
}

// TestResolveLikeTheLoader builds a provider-like library that needs two
// libraries (one found through its $ORIGIN RUNPATH, one through
// LD_LIBRARY_PATH) and two more that are missing, one of which lies in a
// fake Python environment's nvidia/*/lib folder, plus one loaded at run
// time.
func TestResolveLikeTheLoader(t *testing.T) {
	root := t.TempDir()
	prov := filepath.Join(root, "ort")
	ldpath := filepath.Join(root, "ldpath")
	cu := filepath.Join(root, "venv", "lib", "python3.12", "site-packages", "nvidia", "cu13", "lib")
	stash := filepath.Join(root, "stash") // link-time only
	buildLib(t, prov, "libbeside.so.1", nil, nil, "")
	buildLib(t, ldpath, "libonpath.so.2", nil, nil, "")
	buildLib(t, cu, "libcublas.so.13", nil, nil, "")
	buildLib(t, stash, "libcublas.so.13", nil, nil, "")
	buildLib(t, stash, "libcudart.so.13", nil, nil, "")
	lib := buildLib(t, prov, "libprovider.so", []string{"libbeside.so.1", "libonpath.so.2", "libcublas.so.13", "libcudart.so.13"},
		[]string{prov, ldpath, stash}, "$ORIGIN")

	s := Search{LibraryPath: []string{ldpath}, DefaultDirs: DefaultDirs, Elsewhere: []string{cu}}
	if c, err := ReadCache(DefaultCacheFile); err == nil {
		s.Cache, s.CacheFile = c, DefaultCacheFile
	}
	rep, err := Resolve(lib, []string{"libcudnn.so.9"}, s)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Lib{}
	for _, l := range rep.Libs {
		got[l.Name] = l
	}
	tests := []struct {
		name, path, via string
		elsewhere       []string
		runTime         bool
	}{
		{name: "libbeside.so.1", path: filepath.Join(prov, "libbeside.so.1"), via: "RUNPATH"},
		{name: "libonpath.so.2", path: filepath.Join(ldpath, "libonpath.so.2"), via: "LD_LIBRARY_PATH"},
		{name: "libcublas.so.13", elsewhere: []string{filepath.Join(cu, "libcublas.so.13")}},
		{name: "libcudart.so.13"},
		{name: "libcudnn.so.9", runTime: true},
	}
	for _, tc := range tests {
		l, ok := got[tc.name]
		if !ok {
			t.Errorf("%s not in the report", tc.name)
			continue
		}
		if l.Path != tc.path || l.Via != tc.via || !slices.Equal(l.Elsewhere, tc.elsewhere) || l.RunTime != tc.runTime {
			t.Errorf("%s = %+v; want path %q via %q elsewhere %q run time %v", tc.name, l, tc.path, tc.via, tc.elsewhere, tc.runTime)
		}
	}
	var missing []string
	for _, l := range rep.Missing() {
		missing = append(missing, l.Name)
	}
	if want := []string{"libcublas.so.13", "libcudart.so.13", "libcudnn.so.9"}; !slices.Equal(missing, want) {
		t.Errorf("missing %q, want %q", missing, want)
	}
	if libc, ok := got["libc.so.6"]; !ok || libc.Path == "" {
		t.Errorf("libc.so.6 not resolved: %+v", libc)
	}
	var buf bytes.Buffer
	rep.WriteTo(&buf)
	for _, w := range []string{"libcublas.so.13", "MISSING (not on the loader's path, but in " + filepath.Join(cu, "libcublas.so.13"), "[loaded at run time]", "LD_LIBRARY_PATH=" + ldpath, cu} {
		if !strings.Contains(buf.String(), w) {
			t.Errorf("report lacks %q:\n%s", w, buf.String())
		}
	}

	// With the Python folder on LD_LIBRARY_PATH, cublas resolves there.
	s.LibraryPath = append(s.LibraryPath, cu)
	rep, err = Resolve(lib, nil, s)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range rep.Libs {
		if l.Name == "libcublas.so.13" && (l.Path != filepath.Join(cu, "libcublas.so.13") || l.Via != "LD_LIBRARY_PATH") {
			t.Errorf("with LD_LIBRARY_PATH: %+v", l)
		}
	}
}

// TestResolveSkipsWhatIsNotALibrary puts a non-ELF file with the wanted
// name first on the path: the loader passes over it, and so does Resolve.
func TestResolveSkipsWhatIsNotALibrary(t *testing.T) {
	root := t.TempDir()
	bogus, real := filepath.Join(root, "bogus"), filepath.Join(root, "real")
	buildLib(t, real, "libdep.so.1", nil, nil, "")
	lib := buildLib(t, root, "libtop.so", []string{"libdep.so.1"}, []string{real}, "")
	os.MkdirAll(bogus, 0o755)
	os.WriteFile(filepath.Join(bogus, "libdep.so.1"), []byte("not ELF"), 0o644)
	rep, err := Resolve(lib, nil, Search{LibraryPath: []string{bogus, real}})
	if err != nil {
		t.Fatal(err)
	}
	if l := rep.Libs[0]; l.Name != "libdep.so.1" || l.Path != filepath.Join(real, "libdep.so.1") {
		t.Fatalf("first lib %+v, want libdep.so.1 from %s", l, real)
	}
	if _, err := Resolve(filepath.Join(bogus, "libdep.so.1"), nil, Search{}); err == nil {
		t.Fatal("a non-ELF root was accepted")
	}
}

// TestReadCacheMatchesLdconfig compares the parsed /etc/ld.so.cache with
// what `ldconfig -p` prints from it.
func TestReadCacheMatchesLdconfig(t *testing.T) {
	c, err := ReadCache(DefaultCacheFile)
	if err != nil {
		t.Skipf("no readable loader cache: %v", err)
	}
	out, err := exec.Command("ldconfig", "-p").Output()
	if err != nil {
		t.Skipf("ldconfig -p: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	n := 0
	for sc.Scan() {
		name, path, ok := strings.Cut(strings.TrimSpace(sc.Text()), " => ")
		if !ok {
			continue
		}
		name, _, _ = strings.Cut(name, " (")
		n++
		if !slices.Contains(c[name], path) {
			t.Errorf("ldconfig lists %s => %s; parsed cache has %q", name, path, c[name])
		}
	}
	if n == 0 || n != countEntries(c) {
		t.Errorf("ldconfig lists %d entries, the parsed cache %d", n, countEntries(c))
	}
}

func countEntries(c map[string][]string) int {
	n := 0
	for _, v := range c {
		n += len(v)
	}
	return n
}

// cacheBytes builds a loader cache holding the given soname → path pairs.
func cacheBytes(pairs [][2]string) []byte {
	hdr := make([]byte, cacheHeaderLen)
	copy(hdr, cacheMagic)
	binary.LittleEndian.PutUint32(hdr[20:], uint32(len(pairs)))
	strOff := cacheHeaderLen + len(pairs)*cacheEntryLen
	var entries, strs []byte
	for _, p := range pairs {
		e := make([]byte, cacheEntryLen)
		binary.LittleEndian.PutUint32(e[0:], 0x0303)
		binary.LittleEndian.PutUint32(e[4:], uint32(strOff+len(strs)))
		strs = append(append(strs, p[0]...), 0)
		binary.LittleEndian.PutUint32(e[8:], uint32(strOff+len(strs)))
		strs = append(append(strs, p[1]...), 0)
		entries = append(entries, e...)
	}
	return append(append(hdr, entries...), strs...)
}

func TestParseCache(t *testing.T) {
	good := cacheBytes([][2]string{{"libc.so.6", "/lib/libc.so.6"}, {"libm.so.6", "/lib/libm.so.6"}, {"libc.so.6", "/lib32/libc.so.6"}})
	c, err := ParseCache(good)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c["libc.so.6"], []string{"/lib/libc.so.6", "/lib32/libc.so.6"}) || !slices.Equal(c["libm.so.6"], []string{"/lib/libm.so.6"}) {
		t.Fatalf("parsed %v", c)
	}
	tooMany := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(tooMany[20:], 1<<20)
	badOffset := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(badOffset[cacheHeaderLen+4:], 1<<30)
	unterminated := good[:len(good)-1]
	for name, data := range map[string][]byte{
		"empty": nil, "old format": []byte("ld.so-1.7.0" + strings.Repeat("\x00", 64)),
		"too many entries": tooMany, "offset beyond the file": badOffset, "unterminated string": unterminated,
	} {
		if _, err := ParseCache(data); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzParseCache(f *testing.F) {
	f.Add(cacheBytes([][2]string{{"libc.so.6", "/lib/libc.so.6"}}))
	f.Add([]byte(cacheMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCache(data)
		if err == nil && c == nil {
			t.Fatal("nil map without an error")
		}
	})
}
