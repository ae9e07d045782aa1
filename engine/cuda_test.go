package engine

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/engine/ortlib"
)

// buildSharedLib compiles an empty shared library soname into dir, linked
// against the libraries in needs (found in linkDir at link time only).
func buildSharedLib(t *testing.T, dir, soname, linkDir string, needs ...string) {
	t.Helper()
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc is needed to build test libraries (the cgo build needs it too)")
	}
	src := filepath.Join(t.TempDir(), "x.c")
	os.WriteFile(src, []byte("int imagenetx_test_symbol(void) { return 0; }\n"), 0o644)
	args := []string{"-shared", "-fPIC", "-o", filepath.Join(dir, soname), src, "-Wl,-soname," + soname, "-Wl,--no-as-needed"}
	if linkDir != "" {
		args = append(args, "-L"+linkDir)
	}
	for _, n := range needs {
		args = append(args, "-l:"+n)
	}
	if out, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
}

// TestCUDAMissingLibrariesAreNamed opens a CUDA session in a child process
// whose ONNX Runtime (the real default library, copied) has a CUDA provider
// beside it that needs a CUDA library the loader cannot find, while a fake
// Python environment holds that library in nvidia/cu13/lib: the error names
// every missing library (with cuDNN, which the provider loads at run time),
// where the loader looked, and the LD_LIBRARY_PATH that would find it. This
// is what `--device cuda:0` says on a machine without the CUDA libraries.
func TestCUDAMissingLibrariesAreNamed(t *testing.T) {
	if os.Getenv(cudaChildEnv) != "" {
		cudaChild()
		return
	}
	requireRuntime(t)
	root := t.TempDir()
	ort, stash := filepath.Join(root, "ort"), filepath.Join(root, "stash")
	site := filepath.Join(root, "site-packages")
	cu := filepath.Join(site, "nvidia", "cu13", "lib")
	for _, d := range []string{ort, stash, cu} {
		os.MkdirAll(d, 0o755)
	}
	copyFile(t, RuntimePath(), filepath.Join(ort, ortlib.FileName))
	const cublas = "libimagenetx-test-cublas.so.13"
	buildSharedLib(t, stash, cublas, "")
	buildSharedLib(t, cu, cublas, "")
	buildSharedLib(t, ort, ortlib.SharedProvideFile, "")
	buildSharedLib(t, ort, ortlib.CUDAProviderFile, stash, cublas)
	bin := filepath.Join(root, "bin")
	os.MkdirAll(bin, 0o755)
	// A python3 that answers the site-packages question with the fake one.
	os.WriteFile(filepath.Join(bin, "python3"), []byte("#!/bin/sh\necho "+site+"\n"), 0o755)

	out := runChild(t, "TestCUDAMissingLibrariesAreNamed", cudaChildEnv+"="+root, ortlib.EnvVar+"="+filepath.Join(ort, ortlib.FileName),
		"PATH="+bin+":"+os.Getenv("PATH"), "LD_LIBRARY_PATH=")
	for _, w := range []string{
		"device cuda:0: the CUDA provider beside " + filepath.Join(ort, ortlib.FileName),
		cublas + ", libcudnn.so.9 (loaded at run time)",
		"looked in LD_LIBRARY_PATH (unset), /etc/ld.so.cache",
		"LD_LIBRARY_PATH=" + cu,
	} {
		if !strings.Contains(string(out), w) {
			t.Errorf("child output lacks %q:\n%s", w, out)
		}
	}
	t.Logf("%s", out)
}

// cudaChildEnv marks the child of TestCUDAMissingLibrariesAreNamed and
// names its scratch folder.
const cudaChildEnv = "IMAGENETX_CUDA_CHILD"

func cudaChild() {
	path := filepath.Join(os.Getenv(cudaChildEnv), "m.onnx")
	if err := os.WriteFile(path, imageToScores(32, 1000, ""), 0o644); err != nil {
		endChild("child: %v", err)
	}
	dev := Device{Provider: ProviderCUDA}
	if err := InitForDevice("", dev); err != nil {
		endChild("child: %v", err)
	}
	clf, err := openModelFile(path, Options{Device: dev})
	if err != nil {
		endChild("child error: %v", err)
	}
	clf.Close()
	endChild("child: opened")
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
