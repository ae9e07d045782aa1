package ortlib

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/datahome"
)

// writeTarball writes an npm-style tarball holding files (name → body).
func writeTarball(t *testing.T, path string, files map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, body := range files {
		tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))})
		tw.Write([]byte(body))
	}
	tw.Close()
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestNPMTarballName(t *testing.T) {
	for pkg, want := range map[string]string{
		GPUCorePackage:                "onnxruntime-node-1.29.0.tgz",
		GPUProviderPkg:                "com.github.asus4.onnxruntime.linux-x64-gpu-0.4.9.tgz",
		"@scope/name@2.0.0":           "scope-name-2.0.0.tgz",
		"onnxruntime-node@1.24.3-rc1": "onnxruntime-node-1.24.3-rc1.tgz",
	} {
		if got := npmTarballName(pkg); got != want {
			t.Errorf("npmTarballName(%q) = %q, want %q", pkg, got, want)
		}
	}
}

// TestInstallPinnedFromTarballs installs two files from one package and one
// from another (as the CUDA pair is assembled), then checks that a second
// run changes nothing, that a file with the wrong sha256 is replaced, and
// that a tarball whose file does not match its pin installs nothing.
func TestInstallPinnedFromTarballs(t *testing.T) {
	tarballs, dir := t.TempDir(), filepath.Join(t.TempDir(), "gpu")
	writeTarball(t, filepath.Join(tarballs, "core-1.0.0.tgz"), map[string]string{"package/lib/core.so": "core", "package/README": "x"})
	writeTarball(t, filepath.Join(tarballs, "prov-2.0.0.tgz"), map[string]string{"package/a.so": "aaa", "package/b.so": "bbb"})
	files := []PinnedFile{
		{Name: "core.so", Package: "core@1.0.0", Member: "package/lib/core.so", SHA256: sha("core")},
		{Name: "a.so", Package: "prov@2.0.0", Member: "package/a.so", SHA256: sha("aaa")},
		{Name: "b.so", Package: "prov@2.0.0", Member: "package/b.so", SHA256: sha("bbb")},
	}
	ctx := context.Background()
	got, err := installPinned(ctx, dir, tarballs, files)
	if err != nil || !slices.Equal(got, []string{"core.so", "a.so", "b.so"}) {
		t.Fatalf("install = %q, %v", got, err)
	}
	for _, f := range files {
		if b, err := os.ReadFile(filepath.Join(dir, f.Name)); err != nil || sha(string(b)) != f.SHA256 {
			t.Fatalf("%s: %q, %v", f.Name, b, err)
		}
	}
	if got, err := installPinned(ctx, dir, tarballs, files); err != nil || len(got) != 0 {
		t.Fatalf("second install = %q, %v; want nothing to do", got, err)
	}
	os.WriteFile(filepath.Join(dir, "a.so"), []byte("tampered"), 0o644)
	if got, err := installPinned(ctx, dir, tarballs, files); err != nil || !slices.Equal(got, []string{"a.so"}) {
		t.Fatalf("repair = %q, %v; want a.so reinstalled", got, err)
	}

	bad := []PinnedFile{files[0], {Name: "b2.so", Package: "prov@2.0.0", Member: "package/b.so", SHA256: sha("other")},
		{Name: "a2.so", Package: "prov@2.0.0", Member: "package/a.so", SHA256: sha("aaa")}}
	dir2 := filepath.Join(t.TempDir(), "gpu")
	if _, err := installPinned(ctx, dir2, tarballs, bad); err == nil || !strings.Contains(err.Error(), sha("other")) {
		t.Fatalf("err = %v, want a sha256 mismatch", err)
	}
	if _, err := os.Stat(filepath.Join(dir2, "a2.so")); err == nil {
		t.Fatal("a file of a package that failed its check was installed")
	}
	if _, err := installPinned(ctx, t.TempDir(), t.TempDir(), files); err == nil || !strings.Contains(err.Error(), "core-1.0.0.tgz") {
		t.Fatalf("err = %v, want the missing tarball named", err)
	}
}

// TestNvidiaLibDirs lays out a Python environment the way NVIDIA's CUDA 13
// wheels do (nvidia/cu13/lib for cuBLAS, cudart, cuRAND; nvidia/cudnn/lib
// for cuDNN) and finds their folders.
func TestNvidiaLibDirs(t *testing.T) {
	root := t.TempDir()
	site := filepath.Join(root, "lib", "python3.12", "site-packages")
	user := filepath.Join(root, "user-site")
	for _, d := range []string{
		filepath.Join(site, "nvidia", "cu13", "lib"), filepath.Join(site, "nvidia", "cudnn", "lib"),
		filepath.Join(site, "nvidia", "cu13", "include"), filepath.Join(user, "nvidia", "nccl", "lib"),
	} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(site, "nvidia", "notadir"), nil, 0o644)
	got := NvidiaLibDirs([]string{site, filepath.Join(root, "absent"), user, site})
	want := []string{filepath.Join(site, "nvidia", "cu13", "lib"), filepath.Join(site, "nvidia", "cudnn", "lib"), filepath.Join(user, "nvidia", "nccl", "lib")}
	if !slices.Equal(got, want) {
		t.Fatalf("NvidiaLibDirs = %q\nwant %q", got, want)
	}
}

// TestLocateForCUDA prefers the CUDA-enabled library set-up installed for
// a CUDA session, and an explicit path over it.
func TestLocateForCUDA(t *testing.T) {
	home := t.TempDir()
	t.Setenv(datahome.EnvVar, home)
	t.Setenv(EnvVar, "")
	t.Chdir(t.TempDir())
	if datahome.ExecutableCheckout() != "" {
		t.Skip("test binary lives inside a checkout")
	}
	cpu := filepath.Join(home, datahome.LibDir, FileName)
	gpu := filepath.Join(home, GPUHomeSubdir, FileName)
	explicit := filepath.Join(home, "mine.so")
	for _, p := range []string{cpu, explicit} {
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("x"), 0o644)
	}
	if got, err := LocateForCUDA(""); err != nil || got != cpu {
		t.Fatalf("without the GPU library: %q, %v; want the default %s", got, err, cpu)
	}
	os.MkdirAll(filepath.Dir(gpu), 0o755)
	os.WriteFile(gpu, []byte("x"), 0o644)
	if got, err := LocateForCUDA(""); err != nil || got != gpu {
		t.Fatalf("with the GPU library: %q, %v; want %s", got, err, gpu)
	}
	if got, err := LocateForCUDA(explicit); err != nil || got != explicit {
		t.Fatalf("explicit: %q, %v", got, err)
	}
	if got, err := Locate(""); err != nil || got != cpu {
		t.Fatalf("Locate for the CPU: %q, %v; want %s", got, err, cpu)
	}
}
