package main

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/runfiles"
)

// The crash tests run the real binary, built once per test process by
// imagenetxBinary (merge_cmd_test.go).

// proc is one running imagenetx.
type proc struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	done   chan struct{}
	exited time.Time
}

func startBinary(t *testing.T, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(imagenetxBinary(t), args...), done: make(chan struct{})}
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		p.exited = time.Now()
		close(p.done)
	}()
	return p
}

// signalAfter sends sig after delay unless the process exits first, and
// waits for it; it reports whether the signal was sent and when.
func (p *proc) signalAfter(t *testing.T, delay time.Duration, sig syscall.Signal) (bool, time.Time) {
	t.Helper()
	select {
	case <-p.done:
		return false, time.Time{}
	case <-time.After(delay):
	}
	sent := time.Now()
	if err := p.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(time.Minute):
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("imagenetx still running a minute after %v", sig)
	}
	return true, sent
}

// wait waits for the process and returns its exit status (-1 when a signal
// ended it).
func (p *proc) wait() int {
	<-p.done
	return p.cmd.ProcessState.ExitCode()
}

// crashFixture is an image folder of real validation images (linked, not
// copied) with a few broken files among them, so that both output files are
// exercised, and the run's fixed arguments.
type crashFixture struct {
	args []string
	// complete is the exit status of a finished run (3: some images failed).
	complete int
}

const (
	crashImages = 300
	crashBatch  = 16
)

func newCrashFixture(t *testing.T) crashFixture {
	t.Helper()
	lib := ortLibrary(t)
	imagenetxBinary(t) // built before any run is timed
	src := shareddata.Require(t, "images", "val_227")
	model := shareddata.Require(t, "models", "mobilenetv2-12-int8.onnx")
	items, err := engine.ListImages(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, it := range items[:crashImages] {
		if err := os.Symlink(it.Path, filepath.Join(dir, it.Name)); err != nil {
			t.Fatal(err)
		}
	}
	// Broken files sort right after real ones ("x.JPEG" < "x_bad.JPEG"),
	// in different batches.
	jpg := encodeJPEG(t)
	bad := map[int][]byte{3: nil, 77: jpg[:len(jpg)/2], 150: []byte("not an image\n"), 299: jpg[:40]}
	for i, data := range bad {
		name := strings.TrimSuffix(items[i].Name, ".JPEG") + "_bad.JPEG"
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return crashFixture{
		args: []string{"run", "--model", model, "--images", dir, "--ort-lib", lib,
			"--batch", strconv.Itoa(crashBatch), "--quiet"},
		complete: 3,
	}
}

// encodeJPEG makes a small JPEG whose prefixes are truncated files.
func encodeJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{uint8(4 * x), uint8(5 * y), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// outputs reads a run's predictions and errors files ("" when absent).
func readOutputs(t *testing.T, preds string) (string, string) {
	t.Helper()
	var out [2]string
	for i, p := range []string{preds, runfiles.ErrorsPathFor(preds)} {
		b, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		out[i] = string(b)
	}
	return out[0], out[1]
}

// readStopped reads what a stopped run left: its partial files, or the
// finished files when it was stopped after it had put them in place.
func readStopped(t *testing.T, preds string) (string, string) {
	t.Helper()
	if _, err := os.Stat(preds + runfiles.PartialSuffix); err == nil {
		return readPartial(t, preds)
	}
	return readOutputs(t, preds)
}

// reference runs the fixture without interruption.
func (fx crashFixture) reference(t *testing.T) (preds, errs string, took time.Duration) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "preds.csv")
	began := time.Now()
	p := startBinary(t, append(fx.args, "-o", out)...)
	if rc := p.wait(); rc != fx.complete {
		t.Fatalf("uninterrupted run: exit status %d, want %d\n%s", rc, fx.complete, &p.stderr)
	}
	took = time.Since(began)
	preds, errs = readOutputs(t, out)
	if n := strings.Count(preds, "\n"); n != crashImages+1 {
		t.Fatalf("uninterrupted run wrote %d lines, want %d", n, crashImages+1)
	}
	return preds, errs, took
}

// checkPrefix asserts that what a stopped run left, up to its last complete
// line, is a prefix of the uninterrupted output: nothing out of order,
// duplicated or corrupt, only a possibly torn last line.
func checkPrefix(t *testing.T, label, got, want string) {
	t.Helper()
	complete := got[:strings.LastIndexByte(got, '\n')+1]
	if !strings.HasPrefix(want, complete) {
		t.Fatalf("%s: the stopped run's file is not a prefix of the uninterrupted one", label)
	}
}

// crashSeed is logged so that a failing schedule can be replayed with
// IMAGENETX_CRASH_SEED.
func crashSeed(t *testing.T) uint64 {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("IMAGENETX_CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("IMAGENETX_CRASH_SEED: %v", err)
		}
	}
	t.Logf("seed %d (replay with IMAGENETX_CRASH_SEED=%d)", seed, seed)
	return seed
}

// TestKillAndResumeIsIdentical kills `imagenetx run` with SIGKILL at random
// moments — the first run and then up to two of its resumptions — and
// resumes with --resume until it finishes: both output files must be
// byte-identical to an uninterrupted run's.
func TestKillAndResumeIsIdentical(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary dozens of times")
	}
	fx := newCrashFixture(t)
	wantP, wantE, took := fx.reference(t)
	rng := rand.New(rand.NewPCG(crashSeed(t), 0))
	// A trial counts when at least one kill landed before its run ended.
	const trials, killsPerTrial = 12, 3
	kills, counted := 0, 0
	for trial := 0; counted < trials; trial++ {
		if trial == 3*trials {
			t.Fatalf("only %d of %d trials were killed before they finished", counted, trial)
		}
		out := filepath.Join(t.TempDir(), "preds.csv")
		var schedule []string
		for attempt := 0; ; attempt++ {
			args := append(fx.args, "-o", out)
			if attempt > 0 {
				args = append(args, "--resume")
			}
			p := startBinary(t, args...)
			if attempt < killsPerTrial {
				delay := time.Duration(rng.Int64N(int64(took * 9 / 10)))
				if killed, _ := p.signalAfter(t, delay, syscall.SIGKILL); killed {
					kills++
					schedule = append(schedule, delay.Round(time.Millisecond).String())
					gotP, gotE := readStopped(t, out)
					checkPrefix(t, fmt.Sprintf("trial %d kill at %v: predictions", trial, delay), gotP, wantP)
					checkPrefix(t, fmt.Sprintf("trial %d kill at %v: errors", trial, delay), gotE, wantE)
					continue
				}
			}
			if rc := p.wait(); rc != fx.complete {
				t.Fatalf("trial %d attempt %d: exit status %d, want %d\n%s", trial, attempt, rc, fx.complete, &p.stderr)
			}
			break
		}
		gotP, gotE := readOutputs(t, out)
		if gotP != wantP || gotE != wantE {
			t.Fatalf("trial %d (kills at %v): resumed output differs from the uninterrupted run", trial, schedule)
		}
		if len(schedule) > 0 {
			counted++
		}
		t.Logf("trial %d: SIGKILL at %v, then resumed: identical", trial, schedule)
	}
	t.Logf("%d killed trials, %d kills (an uninterrupted run takes %v): every resumed output identical",
		counted, kills, took.Round(time.Millisecond))
}

// TestInterruptExitsCleanlyAndResumes sends SIGINT at random moments: the
// run must stop promptly with status 130, leave a clean prefix, and resume
// to byte-identical output.
func TestInterruptExitsCleanlyAndResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary many times")
	}
	fx := newCrashFixture(t)
	wantP, wantE, took := fx.reference(t)
	rng := rand.New(rand.NewPCG(crashSeed(t), 1))
	const trials = 6
	var latencies []time.Duration
	for trial := 0; trial < trials; trial++ {
		out := filepath.Join(t.TempDir(), "preds.csv")
		p := startBinary(t, append(fx.args, "-o", out)...)
		delay := time.Duration(rng.Int64N(int64(took * 9 / 10)))
		sent, at := p.signalAfter(t, delay, syscall.SIGINT)
		rc := p.wait()
		if !sent || rc == fx.complete {
			t.Logf("trial %d: finished before SIGINT at %v", trial, delay)
		} else {
			latency := p.exited.Sub(at)
			latencies = append(latencies, latency)
			if rc != 130 || !strings.Contains(p.stderr.String(), "interrupted") {
				t.Fatalf("trial %d: SIGINT at %v: exit status %d, want 130 and a message\n%s", trial, delay, rc, &p.stderr)
			}
			// A hang, not a speed target: the figure itself is logged.
			if latency > 10*time.Second {
				t.Fatalf("trial %d: exit took %v after SIGINT", trial, latency)
			}
			gotP, gotE := readStopped(t, out)
			checkPrefix(t, fmt.Sprintf("trial %d: predictions", trial), gotP, wantP)
			checkPrefix(t, fmt.Sprintf("trial %d: errors", trial), gotE, wantE)
			if len(gotP) > 0 && !strings.HasSuffix(gotP, "\n") {
				t.Fatalf("trial %d: a clean stop left a torn line", trial)
			}
			// A run stopped part-way says how to go on, once.
			if len(gotP) > 0 && (!strings.Contains(p.stderr.String(), "continue with --resume") || strings.Count(p.stderr.String(), "--resume") > 1) {
				t.Fatalf("trial %d: the interrupted run does not say once how to continue:\n%s", trial, &p.stderr)
			}
			t.Logf("trial %d: SIGINT at %v, exit 130 after %v", trial, delay, latency.Round(time.Millisecond))
		}
		r := startBinary(t, append(fx.args, "-o", out, "--resume")...)
		if rc := r.wait(); rc != fx.complete {
			t.Fatalf("trial %d: resume exit status %d\n%s", trial, rc, &r.stderr)
		}
		if gotP, gotE := readOutputs(t, out); gotP != wantP || gotE != wantE {
			t.Fatalf("trial %d: resumed output differs from the uninterrupted run", trial)
		}
	}
	if len(latencies) == 0 {
		t.Fatal("no SIGINT landed before the run finished")
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	t.Logf("SIGINT → exit over %d interrupts: median %v, max %v", len(latencies),
		latencies[len(latencies)/2].Round(time.Millisecond), latencies[len(latencies)-1].Round(time.Millisecond))
}
