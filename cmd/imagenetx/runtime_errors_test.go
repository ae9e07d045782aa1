package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/internal/shareddata"
)

// oldRuntimeC is a stand-in for an ONNX Runtime older than the binding
// needs: its API base reports version 1.16.3 and has no C API 24 (GetApi
// returns NULL for versions it lacks, as the real library does).
const oldRuntimeC = `
#include <stddef.h>
typedef struct {
	const void *(*GetApi)(unsigned int version);
	const char *(*GetVersionString)(void);
} OrtApiBase;
static const void *get_api(unsigned int version) { return NULL; }
static const char *version_string(void) { return "1.16.3"; }
static const OrtApiBase base = {get_api, version_string};
const OrtApiBase *OrtGetApiBase(void) { return &base; }
`

// sharedLibrary compiles C source into a shared library.
func sharedLibrary(t *testing.T, name, src string) string {
	t.Helper()
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Fatalf("a C compiler is needed (cgo builds imagenetx): %v", err)
	}
	dir := t.TempDir()
	c := filepath.Join(dir, name+".c")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(dir, name+".so")
	if out, err := exec.Command(cc, "-shared", "-fPIC", "-o", lib, c).CombinedOutput(); err != nil {
		t.Fatalf("cc: %v\n%s", err, out)
	}
	return lib
}

// TestBadRuntimeLibraryNamesTheFile points --ort-lib at libraries that
// cannot serve: each run fails with exit status 1 and an error naming the
// file, saying what is wrong and how to install the right one.
func TestBadRuntimeLibraryNamesTheFile(t *testing.T) {
	images := shareddata.Require(t, "images", "val_227")
	model := shareddata.Require(t, "models", "mobilenetv2-12-int8.onnx")
	dir := t.TempDir()
	text := filepath.Join(dir, "libonnxruntime.so.1")
	if err := os.WriteFile(text, []byte("not a shared library\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, lib string
		wantErr   []string
	}{
		{"missing", filepath.Join(dir, "nowhere", "libonnxruntime.so.1"), []string{"no such file", "bash scripts/setup.sh"}},
		{"not a library", text, []string{"cannot load ONNX Runtime library", "bash scripts/setup.sh"}},
		{"another library", sharedLibrary(t, "libother", "int answer(void) { return 42; }\n"), []string{"not an ONNX Runtime library", "OrtGetApiBase"}},
		{"too old", sharedLibrary(t, "libonnxruntime-old", oldRuntimeC), []string{"is ONNX Runtime 1.16.3", "C API 24", "1.24"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "preds.csv")
			p := startBinary(t, "run", "--model", model, "--images", images, "--limit", "1", "--quiet", "--ort-lib", tc.lib, "-o", out)
			rc := p.wait()
			msg := p.stderr.String()
			if rc != 1 || !strings.Contains(msg, tc.lib) {
				t.Fatalf("exit status %d, want 1 and an error naming %s:\n%s", rc, tc.lib, msg)
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(msg, want) {
					t.Fatalf("error lacks %q:\n%s", want, msg)
				}
			}
		})
	}
}
