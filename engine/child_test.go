package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// childTimeout bounds a child process of a test: a child that hangs fails
// its test instead of holding the suite until go test's own timeout.
const childTimeout = 2 * time.Minute

// runChild runs this test binary again with only the test named run and
// env added to the environment, and returns what it printed.
func runChild(t *testing.T, run string, env ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+run+"$")
	cmd.Env = append(os.Environ(), env...)
	out, _ := cmd.CombinedOutput()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("child %s did not finish within %s:\n%s", run, childTimeout, out)
	}
	return out
}

// endChild prints a child's outcome and ends the process at once. Exiting
// through the testing package would run libc's exit handlers under the
// race detector (its exit path calls exit(3); without -race the Go runtime
// calls exit_group directly), and ONNX Runtime 1.24.3's static destructors
// deadlock there after a failed WebGPU initialisation: the child then
// never ends (measured: 15 minutes, stuck in a pthread mutex inside
// libonnxruntime.so.1 under __run_exit_handlers).
func endChild(format string, args ...any) {
	fmt.Printf(format+"\n", args...)
	os.Stdout.Sync()
	syscall.Exit(0)
}
