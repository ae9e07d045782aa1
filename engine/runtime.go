// Package engine runs ONNX image classifiers over folders of images with ONNX
// Runtime (through github.com/yalue/onnxruntime_go) and streams predictions,
// in file-name order, into a Sink: the evaluator, a counter, or the files of
// package runfiles (which owns everything on disk: predictions and errors
// files, run.json, resume, shards).
//
// The work is a pipeline: a dispatcher groups the sorted image list into
// batches, decode/preprocess workers fill each batch's tensor in place, one
// or more runners feed full batches to the session, and a committer hands the
// results to the sinks in order. Every channel is bounded, so memory does not
// grow with the number of images.
package engine

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

// The first two members of ONNX Runtime's OrtApiBase, stable since 1.0.
typedef struct {
	const void *(*GetApi)(unsigned int version);
	const char *(*GetVersionString)(void);
} probeApiBase;

// probe_ort_version loads the library at path on its own, asks its API
// base for the version string and returns a copy (NULL when it has none).
static char *probe_ort_version(const char *path) {
	void *h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
	if (!h) return NULL;
	const probeApiBase *(*get)(void) = (const probeApiBase *(*)(void))dlsym(h, "OrtGetApiBase");
	char *out = NULL;
	if (get) {
		const probeApiBase *b = get();
		if (b && b->GetVersionString) {
			const char *v = b->GetVersionString();
			if (v) out = strdup(v);
		}
	}
	dlclose(h);
	return out;
}
*/
import "C"

import (
	"fmt"
	"strings"
	"sync"
	"unsafe"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/imagenetx/imagenetx/datahome"
	"github.com/imagenetx/imagenetx/engine/ortlib"
)

// runtimeState is the process's one ONNX Runtime environment: the library can
// be loaded once per process, so this is the engine's only global.
var runtimeState struct {
	mu   sync.Mutex
	path string // the library loaded, "" until a load succeeded
}

// Init loads the ONNX Runtime library at libPath (see ortlib.Locate for how
// callers find it) and creates the environment. Later calls with the same
// path do nothing; a different path is an error, since a process can hold
// only one. A failed load may be retried.
func Init(libPath string) error {
	runtimeState.mu.Lock()
	defer runtimeState.mu.Unlock()
	if runtimeState.path != "" {
		if runtimeState.path != libPath {
			return fmt.Errorf("ONNX Runtime already loaded from %s; cannot also load %s in one process", runtimeState.path, libPath)
		}
		return nil
	}
	ort.SetSharedLibraryPath(libPath)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		return explainInitError(libPath, err)
	}
	runtimeState.path = libPath
	return nil
}

// InitDefault locates the library (explicit when not "", then
// $ONNXRUNTIME_LIB, then where set-up put it; see ortlib.Locate) and loads
// it.
func InitDefault(explicit string) error {
	path, err := ortlib.Locate(explicit)
	if err != nil {
		return err
	}
	return Init(path)
}

// RuntimeVersion returns the loaded library's version, "" before Init.
func RuntimeVersion() string {
	runtimeState.mu.Lock()
	defer runtimeState.mu.Unlock()
	if runtimeState.path == "" {
		return ""
	}
	return ort.GetVersion()
}

// RuntimePath returns the loaded library's path, "" before Init.
func RuntimePath() string {
	runtimeState.mu.Lock()
	defer runtimeState.mu.Unlock()
	return runtimeState.path
}

// apiVersion is the ONNX Runtime C API version onnxruntime_go v1.27.0 asks for.
const apiVersion = 24

// explainInitError turns onnxruntime_go's load errors into ones that say what
// is wrong and what to run.
func explainInitError(libPath string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "Error loading ONNX shared library"):
		return fmt.Errorf("cannot load ONNX Runtime library %s: %w (run `%s`, or point %s at libonnxruntime.so %s)",
			libPath, err, datahome.SetupCommand, ortlib.EnvVar, ortlib.Version)
	case strings.Contains(msg, "OrtGetApiBase"):
		return fmt.Errorf("%s is not an ONNX Runtime library (no OrtGetApiBase): %w (run `%s`)", libPath, err, datahome.SetupCommand)
	case strings.Contains(msg, "Error setting ORT API base: 2"):
		// The library answered but lacks the C API version the binding needs.
		return fmt.Errorf("%s is ONNX Runtime %s, which lacks C API %d: imagenetx needs ONNX Runtime ≥ 1.24 (run `%s` to install %s)",
			libPath, libraryVersion(libPath), apiVersion, datahome.SetupCommand, ortlib.Version)
	}
	return fmt.Errorf("initialise ONNX Runtime from %s: %w", libPath, err)
}

// libraryVersion asks the library at path for its version. After a failed
// load onnxruntime_go has unloaded the library, so the version string it
// kept points into freed memory: the library is loaded again here, just
// long enough to copy the string.
func libraryVersion(path string) string {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	v := C.probe_ort_version(cpath)
	if v == nil {
		return "(version unknown)"
	}
	defer C.free(unsafe.Pointer(v))
	return C.GoString(v)
}

// InitForDevice is InitDefault for a session on dev: a CUDA device without
// an explicit library path takes the CUDA-enabled library that `imagenetx
// setup --gpu` installed, when there is one.
func InitForDevice(flagPath string, dev Device) error {
	if dev.Provider != ProviderCUDA {
		return InitDefault(flagPath)
	}
	path, err := ortlib.LocateForCUDA(flagPath)
	if err != nil {
		return err
	}
	return Init(path)
}
