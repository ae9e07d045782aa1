package engine

// The Go side of the session logger's C trampoline (sessionlog.go). A file
// with an //export may only declare in its preamble, hence its own file.

/*
#include <stdint.h>
*/
import "C"

import (
	"runtime/cgo"
	"strings"
)

// imagenetxSessionLog receives one message of a session's log; handle is
// the cgo.Handle of its sessionLog. Messages arrive in order from the
// thread creating the session.
//
//export imagenetxSessionLog
func imagenetxSessionLog(handle C.uintptr_t, severity C.int, message *C.char) {
	l, ok := cgo.Handle(handle).Value().(*sessionLog)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	msg := C.GoString(message)
	switch {
	case isPlacementHeader(msg):
		l.inPlacement = true
		l.placements = append(l.placements, msg)
	case l.inPlacement && isPlacementNode(msg) && len(l.placements) < maxPlacementLines:
		l.placements = append(l.placements, msg)
	default:
		l.inPlacement = false
		if int(severity) >= severityWarning && len(l.problems) < maxLoggedProblems {
			l.problems = append(l.problems, strings.TrimSpace(plainText(msg)))
		}
	}
}
