package engine

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// Positions in ONNX Runtime's OrtApi table of function pointers. The table
// only ever grows at its end, so a position never changes once a function
// exists (TestOrtAPIIndices checks these against the header onnxruntime_go
// ships). SetUserLoggingFunction appeared in C API 17.
enum {
	ORTAPI_GET_ERROR_MESSAGE = 2,
	ORTAPI_RELEASE_STATUS = 93,
	ORTAPI_SET_USER_LOGGING_FUNCTION = 266,
};

typedef struct {
	const void *(*GetApi)(unsigned int version);
	const char *(*GetVersionString)(void);
} logApiBase;

typedef void (*ortLoggingFunction)(void *param, int severity, const char *category,
	const char *logid, const char *code_location, const char *message);

extern void imagenetxSessionLog(uintptr_t handle, int severity, char *message);

static void session_log_trampoline(void *param, int severity, const char *category,
	const char *logid, const char *code_location, const char *message) {
	imagenetxSessionLog((uintptr_t)param, severity, (char *)message);
}

// ort_api_of returns the OrtApi table of the already loaded library at path
// for C API version, or NULL. RTLD_NOLOAD: the library must be the one
// onnxruntime_go loaded, never a second copy.
static const void *const *ort_api_of(const char *path, unsigned int version) {
	void *h = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
	if (!h) return NULL;
	const logApiBase *(*get)(void) = (const logApiBase *(*)(void))dlsym(h, "OrtGetApiBase");
	const void *const *api = NULL;
	if (get) {
		const logApiBase *b = get();
		if (b) api = (const void *const *)b->GetApi(version);
	}
	dlclose(h); // drops only the reference taken here
	return api;
}

// set_session_logger routes the log of sessions made with options to
// session_log_trampoline with handle as its parameter. It returns NULL on
// success, else a copy of ONNX Runtime's error message.
static char *set_session_logger(const void *const *api, void *options, uintptr_t handle) {
	typedef void *(*setFn)(void *, ortLoggingFunction, void *);
	typedef const char *(*msgFn)(const void *);
	typedef void (*releaseFn)(void *);
	void *st = ((setFn)api[ORTAPI_SET_USER_LOGGING_FUNCTION])(options, session_log_trampoline, (void *)handle);
	if (!st) return NULL;
	char *out = strdup(((msgFn)api[ORTAPI_GET_ERROR_MESSAGE])(st));
	((releaseFn)api[ORTAPI_RELEASE_STATUS])(st);
	return out;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime/cgo"
	"sync"
	"unsafe"

	ort "github.com/yalue/onnxruntime_go"
)

// severityWarning is ONNX Runtime's warning level (OrtLoggingLevel).
const severityWarning = 2

// sessionLog collects what ONNX Runtime logs while one session is created:
// the verbose "Node placements" report, which says how many nodes each
// execution provider took, and the warnings and errors, which explain a
// provider that failed. ONNX Runtime writes that report only through the
// session's logger at verbose level, so a session that wants it gets a
// logger of its own (SetUserLoggingFunction, C API 17) rather than the
// process's stderr logger: nothing is parsed from stderr, and sessions
// opened side by side never mix their logs.
type sessionLog struct {
	mu sync.Mutex
	// placements are the placement report's messages: a header per
	// provider ("Node(s) placed on [...]. Number of nodes: N"), each
	// followed by one "  OpType (node name)" message per node, which
	// inPlacement tells apart from the rest. problems are the warnings
	// and errors.
	placements, problems []string
	inPlacement          bool
	// closed stops collection once the session exists: what a run logs is
	// not needed and must not grow memory.
	closed bool
	handle cgo.Handle
}

// maxLoggedProblems and maxPlacementLines bound what a session's log can
// make us keep.
const (
	maxLoggedProblems = 64
	maxPlacementLines = 1 << 20
)

// attachSessionLog makes sessions created with so log verbosely into a new
// sessionLog. Its release must be called once the session is gone.
func attachSessionLog(so *ort.SessionOptions) (*sessionLog, error) {
	path := RuntimePath()
	if path == "" {
		return nil, errors.New("ONNX Runtime is not loaded")
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	api := C.ort_api_of(cpath, C.uint(apiVersion))
	if api == nil {
		return nil, fmt.Errorf("ONNX Runtime %s offers no C API %d", path, apiVersion)
	}
	l := &sessionLog{}
	l.handle = cgo.NewHandle(l)
	if msg := C.set_session_logger(api, rawSessionOptions(so), C.uintptr_t(l.handle)); msg != nil {
		defer C.free(unsafe.Pointer(msg))
		l.handle.Delete()
		return nil, fmt.Errorf("session logger: %s", C.GoString(msg))
	}
	if err := so.SetLogSeverityLevel(ort.LoggingLevelVerbose); err != nil {
		l.handle.Delete()
		return nil, fmt.Errorf("session log level: %w", err)
	}
	return l, nil
}

// rawSessionOptions is the OrtSessionOptions pointer inside onnxruntime_go's
// SessionOptions, which keeps it as its only (unexported) field; the
// assertion below stops the build if that layout ever changes.
func rawSessionOptions(so *ort.SessionOptions) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(so))
}

// A compile-time check that ort.SessionOptions is exactly one pointer.
var _ = [1]struct{}{}[unsafe.Sizeof(ort.SessionOptions{})-unsafe.Sizeof(uintptr(0))]

// stop ends collection; the logger stays attached for as long as the
// session lives, so the handle is kept until release.
func (l *sessionLog) stop() (placements, problems []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	return l.placements, l.problems
}

// release frees the handle; call it after the session is destroyed.
func (l *sessionLog) release() { l.handle.Delete() }
