package fetch

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// entries lists the folder's names, so tests can assert no temp file is left.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func TestInstallVerified(t *testing.T) {
	data := []byte("pinned content\n")
	tests := []struct {
		name     string
		want     string
		max      int64
		wantErr  string
		mismatch bool
	}{
		{name: "ok", want: sum(data)},
		{name: "mismatch", want: sum([]byte("other")), wantErr: "sha256", mismatch: true},
		{name: "too large", want: sum(data), max: 4, wantErr: "size limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			dest := filepath.Join(dir, "sub", "f.bin")
			err := InstallVerified(dest, tc.want, "src", bytes.NewReader(data), tc.max)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got, _ := os.ReadFile(dest); !bytes.Equal(got, data) {
					t.Fatalf("installed %q", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			var mm *MismatchError
			if errors.As(err, &mm) != tc.mismatch {
				t.Fatalf("MismatchError = %v, want %v", errors.As(err, &mm), tc.mismatch)
			}
			if names := entries(t, filepath.Dir(dest)); len(names) != 0 {
				t.Fatalf("files left behind: %q", names)
			}
		})
	}
}

type tarEntry struct {
	name, link string
	typ        byte
	body       string
}

func makeTarball(t testing.TB, ents []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range ents {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		hdr := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: typ, Mode: 0o644, Size: int64(len(e.body))}
		if typ != tar.TypeReg {
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestExtractMember(t *testing.T) {
	const member = "package/bin/lib.so"
	body := "ELF pretend library"
	good := []tarEntry{{name: "package/package.json", body: "{}"}, {name: member, body: body}}
	tests := []struct {
		name    string
		archive []byte
		wantErr string
	}{
		{"ok", makeTarball(t, good), ""},
		{"ok with safe relative link", makeTarball(t, append(good, tarEntry{name: "package/bin/lib.so.1", link: "lib.so", typ: tar.TypeSymlink})), ""},
		{"absolute path", makeTarball(t, append(good, tarEntry{name: "/etc/passwd", body: "x"})), "absolute path"},
		{"dot dot", makeTarball(t, append(good, tarEntry{name: "package/../../evil", body: "x"})), "climbs"},
		{"symlink escaping", makeTarball(t, append(good, tarEntry{name: "package/x", link: "../../etc/passwd", typ: tar.TypeSymlink})), "leaves the archive"},
		{"absolute symlink", makeTarball(t, append(good, tarEntry{name: "package/x", link: "/etc/passwd", typ: tar.TypeSymlink})), "leaves the archive"},
		{"hard link escaping", makeTarball(t, append(good, tarEntry{name: "package/x", link: "../y", typ: tar.TypeLink})), "leaves the archive"},
		{"member is a link", makeTarball(t, []tarEntry{{name: member, link: "other", typ: tar.TypeSymlink}}), "not a regular file"},
		{"member twice", makeTarball(t, append(good, tarEntry{name: member, body: body})), "appears twice"},
		{"member missing", makeTarball(t, good[:1]), "no file"},
		{"wrong content", makeTarball(t, []tarEntry{{name: member, body: "tampered"}}), "sha256"},
		{"not gzip", []byte("plain text"), "not a gzip"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			dest := filepath.Join(dir, "out", "lib.so")
			err := ExtractMember(bytes.NewReader(tc.archive), "test.tgz", member, dest, sum([]byte(body)), 0)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got, _ := os.ReadFile(dest); string(got) != body {
					t.Fatalf("extracted %q", got)
				}
				if names := entries(t, filepath.Dir(dest)); len(names) != 1 {
					t.Fatalf("extra files: %q", names)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if _, err := os.Stat(dest); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("dest exists after failure: %v", err)
			}
		})
	}
}

// TestExtractMembers takes two files out of one pass; when one is missing
// or fails its check, neither is installed.
func TestExtractMembers(t *testing.T) {
	ents := []tarEntry{{name: "package/a.so", body: "aaa"}, {name: "package/README", body: "x"}, {name: "package/b.so", body: "bbb"}}
	archive := makeTarball(t, ents)
	tests := []struct {
		name    string
		members []Member
		wantErr string
	}{
		{"both", []Member{{Name: "package/b.so", Dest: "b.so", SHA256: sum([]byte("bbb"))}, {Name: "package/a.so", Dest: "a.so", SHA256: sum([]byte("aaa"))}}, ""},
		{"one missing", []Member{{Name: "package/a.so", Dest: "a.so", SHA256: sum([]byte("aaa"))}, {Name: "package/c.so", Dest: "c.so", SHA256: sum([]byte("c"))}}, "no file package/c.so"},
		{"one wrong", []Member{{Name: "package/a.so", Dest: "a.so", SHA256: sum([]byte("aaa"))}, {Name: "package/b.so", Dest: "b.so", SHA256: sum([]byte("other"))}}, "sha256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ms := append([]Member(nil), tc.members...)
			for i := range ms {
				ms[i].Dest = filepath.Join(dir, ms[i].Dest)
			}
			err := ExtractMembers(bytes.NewReader(archive), "test.tgz", ms)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if names := entries(t, dir); len(names) != 0 {
					t.Fatalf("left behind: %q", names)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				got, _ := os.ReadFile(m.Dest)
				if sum(got) != m.SHA256 {
					t.Errorf("%s: %q", m.Dest, got)
				}
			}
		})
	}
}

func FuzzExtractMember(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x1f\x8b\x08\x00"))
	f.Add(makeTarball(f, []tarEntry{{name: "package/a", body: "x"}, {name: "../b", body: "y"}}))
	f.Fuzz(func(t *testing.T, archive []byte) {
		dir := t.TempDir()
		dest := filepath.Join(dir, "out", "a")
		err := ExtractMember(bytes.NewReader(archive), "fuzz.tgz", "package/a", dest, sum([]byte("x")), 1<<20)
		// Whatever the archive, nothing but dest may appear, and only verified.
		names := entries(t, filepath.Join(dir, "out"))
		if err != nil && len(names) != 0 {
			t.Fatalf("failed extraction left %q", names)
		}
		if err == nil {
			if b, _ := os.ReadFile(dest); string(b) != "x" {
				t.Fatalf("unverified content %q", b)
			}
		}
		if top := entries(t, dir); len(top) > 1 {
			t.Fatalf("wrote outside the destination folder: %q", top)
		}
	})
}

func TestFetcherEnsure(t *testing.T) {
	good := []byte("label,file\n")
	bad := []byte("tampered\n")
	asset := Asset{Path: "annotations/x.csv", SHA256: sum(good)}
	mux := http.NewServeMux()
	mux.HandleFunc("/good", func(w http.ResponseWriter, r *http.Request) { w.Write(good) })
	mux.HandleFunc("/bad", func(w http.ResponseWriter, r *http.Request) { w.Write(bad) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	type setup struct{ home, mirror []byte }
	tests := []struct {
		name    string
		setup   setup
		url     string
		want    Outcome
		wantErr string
	}{
		{"already present", setup{home: good}, "", Present, ""},
		{"from mirror", setup{mirror: good}, "", Copied, ""},
		{"stale home replaced from mirror", setup{home: bad, mirror: good}, "", Copied, ""},
		{"bad mirror refused", setup{mirror: bad}, srv.URL + "/good", 0, "sha256"},
		{"downloaded", setup{}, srv.URL + "/good", Downloaded, ""},
		{"bad download refused", setup{}, srv.URL + "/bad", 0, "sha256"},
		{"http error", setup{}, srv.URL + "/missing", 0, "404"},
		{"no source", setup{}, "", 0, "no upstream URL"},
		{"stale home with no replacement is removed", setup{home: bad}, "", 0, "no upstream URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home, mirror := t.TempDir(), t.TempDir()
			f := &Fetcher{Home: home, Mirror: mirror, Client: srv.Client()}
			a := asset
			a.URL = tc.url
			for _, w := range []struct {
				dir  string
				data []byte
			}{{home, tc.setup.home}, {mirror, tc.setup.mirror}} {
				if w.data == nil {
					continue
				}
				p := filepath.Join(w.dir, "annotations", "x.csv")
				os.MkdirAll(filepath.Dir(p), 0o755)
				if err := os.WriteFile(p, w.data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			path, got, err := f.Ensure(context.Background(), a)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if b, err := os.ReadFile(f.Dest(a)); err == nil && bytes.Equal(b, bad) {
					t.Fatalf("a file failing its sha256 is left in place")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("outcome %v, want %v", got, tc.want)
			}
			if b, _ := os.ReadFile(path); !bytes.Equal(b, good) {
				t.Fatalf("installed %q", b)
			}
		})
	}
}
