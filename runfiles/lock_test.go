package runfiles

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// holderEnv makes the test binary a lock holder (see TestMain).
const holderEnv = "RUNFILES_TEST_HOLD_LOCK"

func TestMain(m *testing.M) {
	if preds := os.Getenv(holderEnv); preds != "" {
		if _, err := Lock(ForFile(preds, "")); err != nil {
			os.Stdout.WriteString("error: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("locked\n")
		select {} // hold until killed
	}
	os.Exit(m.Run())
}

func TestLockRefusesASecondWriter(t *testing.T) {
	preds := filepath.Join(t.TempDir(), "preds.csv")
	o := ForFile(preds, "")
	first, err := Lock(o)
	if err != nil {
		t.Fatal(err)
	}
	// A second open of the lock file conflicts even in one process.
	_, err = Lock(o)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), preds) || !strings.Contains(err.Error(), "process ") {
		t.Fatalf("second Lock = %v; want ErrLocked naming %s and the holder", err, preds)
	}
	if err := first.Unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(o.Lock); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("lock file left after Unlock: %v", err)
	}
	again, err := Lock(o)
	if err != nil {
		t.Fatalf("Lock after Unlock: %v", err)
	}
	again.Unlock()
	again.Unlock() // twice is harmless
}

// TestLockNeverWritesThroughALink puts a link and a FIFO where the lock file
// goes: Lock refuses, naming it, and what the link names is not truncated.
func TestLockNeverWritesThroughALink(t *testing.T) {
	dir := t.TempDir()
	precious := filepath.Join(dir, "precious")
	if err := os.WriteFile(precious, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	linked := ForFile(filepath.Join(dir, "a.csv"), "")
	if err := os.Symlink(precious, linked.Lock); err != nil {
		t.Fatal(err)
	}
	fifo := ForFile(filepath.Join(dir, "b.csv"), "")
	if err := syscall.Mkfifo(fifo.Lock, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, o := range []Outputs{linked, fifo} {
		if _, err := Lock(o); err == nil || !strings.Contains(err.Error(), o.Lock) || !strings.Contains(err.Error(), "not a lock file") {
			t.Errorf("Lock with %s in the way: %v, want a refusal naming it", o.Lock, err)
		}
	}
	if b, _ := os.ReadFile(precious); string(b) != "keep" {
		t.Errorf("the link's target was changed to %q", b)
	}
}

// TestLockReleasedWhenHolderDies kills (SIGKILL) a process holding the
// lock: the lock file stays, but the lock is free.
func TestLockReleasedWhenHolderDies(t *testing.T) {
	preds := filepath.Join(t.TempDir(), "preds.csv")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holderEnv+"="+preds)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "locked\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("holder said %q", line)
	}
	if _, err := Lock(ForFile(preds, "")); !errors.Is(err, ErrLocked) {
		t.Fatalf("Lock while another process holds it = %v", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if _, err := os.Stat(ForFile(preds, "").Lock); err != nil {
		t.Fatalf("a killed holder's lock file should remain: %v", err)
	}
	l, err := Lock(ForFile(preds, ""))
	if err != nil {
		t.Fatalf("Lock after the holder died = %v", err)
	}
	l.Unlock()
}

func TestLockSkipsDevices(t *testing.T) {
	l, err := Lock(ForFile(os.DevNull, ""))
	if err != nil || len(l.held) != 0 {
		t.Fatalf("Lock(/dev/null) = %+v, %v; want no lock", l, err)
	}
	if _, err := os.Stat(os.DevNull + ".lock"); err == nil {
		t.Fatal("a lock file was made next to /dev/null")
	}
}
