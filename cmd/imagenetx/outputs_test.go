package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/internal/atomicfile/atomicfiletest"
	"github.com/imagenetx/imagenetx/internal/shareddata"
)

// outputCommand is a real command line whose -o is under test.
type outputCommand struct {
	name string
	// ext is the output's extension (plot picks its format from it).
	ext  string
	args func(out string) []string
	// noStdout: the command cannot write to "-" (plot needs an extension).
	noStdout bool
	// sidecars: next to a regular output the command also writes
	// FILE.run.json (and, were an image to fail, the errors file).
	sidecars bool
}

// outputCommands prepares inputs (fixtures, and a few real images and the
// real model for run and preprocess) and returns the commands.
func outputCommands(t *testing.T) []outputCommand {
	t.Helper()
	ann := writeAnnotationFixture(t)
	in := t.TempDir()
	a := writePredictionFixture(t, in, "a", fixtureA)
	b := writePredictionFixture(t, in, "b", fixtureB)
	table := shareddata.Require(t, "results", "val", "top_factor", "colorjitter", "class", "accuracies_per_factor.csv")
	val := shareddata.Require(t, "images", "val_227")
	items, err := engine.ListImages(val)
	if err != nil {
		t.Fatal(err)
	}
	images := filepath.Join(in, "images")
	must(t, os.Mkdir(images, 0o755))
	for _, it := range items[:16] {
		must(t, os.Symlink(it.Path, filepath.Join(images, it.Name)))
	}
	model := shareddata.Require(t, "models", "mobilenetv2-12-int8.onnx")
	lib := ortLibrary(t)
	runArgs := func(o string, extra ...string) []string {
		return append([]string{"run", "--images", images, "--model", model, "--ort-lib", lib, "--batch", "8",
			"--workers", "1", "--threads", "1", "--quiet", "-o", o}, extra...)
	}
	var shards []string
	for i := range 2 {
		s := filepath.Join(in, fmt.Sprintf("shard%d.csv", i))
		if rc, _, stderr := runBinary(t, imagenetxBinary(t), runArgs(s, "--shard", fmt.Sprintf("%d/2", i))...); rc != 0 {
			t.Fatalf("shard %d: exit status %d\n%s", i, rc, stderr)
		}
		shards = append(shards, s)
	}
	return []outputCommand{
		{name: "eval", ext: ".csv", args: func(o string) []string {
			return []string{"eval", "--annotations", ann, "--predictions", a, "-o", o}
		}},
		{name: "compare", ext: ".csv", args: func(o string) []string {
			return []string{"compare", "--annotations", ann, "--predictions", a, "--predictions", b, "--quiet", "-o", o}
		}},
		{name: "report", ext: ".html", args: func(o string) []string {
			return []string{"report", "--quiet", "--annotations", ann, "--predictions", a, "-o", o}
		}},
		{name: "plot", ext: ".svg", noStdout: true, args: func(o string) []string {
			return []string{"plot", "error-ratio", "--quiet", "--annotations", ann, "--predictions", a, "-o", o}
		}},
		{name: "spillover", ext: ".csv", args: func(o string) []string {
			return []string{"spillover", "--table", table, "--strength-regex", `color([0-9.]+)`, "-o", o}
		}},
		{name: "preprocess", ext: ".npy", args: func(o string) []string {
			return []string{"preprocess", "--image", items[0].Path, "-o", o}
		}},
		{name: "merge", ext: ".csv", sidecars: true, args: func(o string) []string {
			return append([]string{"merge"}, append(shards, "-o", o)...)
		}},
		{name: "run", ext: ".csv", sidecars: true, args: func(o string) []string { return runArgs(o) }},
	}
}

// outputTarget is a kind of node named as the output.
type outputTarget struct {
	name string
	// make creates the node under out (or picks the machine's own node
	// for an unprivileged user) and returns the path to name, a reader's
	// channel for a FIFO, and the entries under root that may change.
	make func(t *testing.T, root, out, ext string) (path string, read <-chan string)
	// changed lists the entries (relative to root) a successful write
	// may replace or create, given the output path's base name.
	changed func(c outputCommand) []string
	// wantErr: the command must fail with this in its message.
	wantErr string
	check   func(t *testing.T, root, path string, read <-chan string)
}

func outputTargets() []outputTarget {
	return []outputTarget{{
		name: "character device",
		make: func(t *testing.T, _, out, ext string) (string, <-chan string) {
			return atomicfiletest.DeviceNode(t, out, "null"+ext, atomicfiletest.NullDev, "/dev/null"), nil
		},
		check: func(t *testing.T, _, p string, _ <-chan string) {
			atomicfiletest.IsCharDevice(t, p, atomicfiletest.NullDev)
		},
	}, {
		name: "full device",
		make: func(t *testing.T, _, out, ext string) (string, <-chan string) {
			return atomicfiletest.DeviceNode(t, out, "full"+ext, atomicfiletest.FullDev, "/dev/full"), nil
		},
		wantErr: "no space left on device",
		check: func(t *testing.T, _, p string, _ <-chan string) {
			atomicfiletest.IsCharDevice(t, p, atomicfiletest.FullDev)
		},
	}, {
		name: "FIFO",
		make: func(t *testing.T, _, out, ext string) (string, <-chan string) {
			p := filepath.Join(out, "pipe"+ext)
			atomicfiletest.Mkfifo(t, p)
			return p, atomicfiletest.ReadFIFO(p)
		},
		check: func(t *testing.T, _, p string, read <-chan string) {
			if got := atomicfiletest.Received(t, read); len(got) < 20 || strings.HasPrefix(got, "open: ") || strings.HasPrefix(got, "read: ") {
				t.Errorf("the FIFO's reader got %q", got)
			}
		},
	}, {
		name: "symlink to a regular file elsewhere",
		make: func(t *testing.T, root, out, ext string) (string, <-chan string) {
			target := filepath.Join(root, "elsewhere", "target"+ext)
			writeTestFile(t, target, "old")
			p := filepath.Join(out, "link"+ext)
			must(t, os.Symlink(target, p))
			return p, nil
		},
		changed: func(c outputCommand) []string {
			changed := []string{"elsewhere/target" + c.ext}
			if c.sidecars {
				changed = append(changed, "out/link"+c.ext+".run.json")
			}
			return changed
		},
		check: func(t *testing.T, root, p string, _ <-chan string) {
			if fi, err := os.Lstat(p); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Fatalf("%s is no longer a link: %v", p, err)
			}
			b, err := os.ReadFile(p)
			if err != nil || len(b) < 20 {
				t.Errorf("the link's target holds %q (%v), want the output", b, err)
			}
		},
	}}
}

// TestCommandOutputsFollowTheRule runs real commands with -o naming a
// device node, a full device, a FIFO with a reader, a link, and "-": a
// device stays a device, a FIFO gets the output, a link stays a link with
// the output in its target, a full device fails the command, and nothing
// else under the folders is created, replaced or removed (no temporary
// files, no run.json next to a device). As root the nodes are made with
// mknod; an unprivileged user writes the machine's /dev/null and /dev/full.
func TestCommandOutputsFollowTheRule(t *testing.T) {
	bin := imagenetxBinary(t)
	commands := outputCommands(t)
	for _, c := range commands {
		for _, tg := range outputTargets() {
			t.Run(c.name+"/"+tg.name, func(t *testing.T) {
				root := t.TempDir()
				out := filepath.Join(root, "out")
				must(t, os.MkdirAll(filepath.Join(root, "elsewhere"), 0o755))
				must(t, os.Mkdir(out, 0o755))
				path, read := tg.make(t, root, out, c.ext)
				before := atomicfiletest.Snapshot(t, root)
				rc, _, stderr := runBinary(t, bin, c.args(path)...)
				switch {
				case tg.wantErr != "" && (rc != 1 || !strings.Contains(stderr, tg.wantErr) || !strings.Contains(stderr, path)):
					t.Errorf("exit status %d, want 1 with %q naming %s:\n%s", rc, tg.wantErr, path, stderr)
				case tg.wantErr != "" && strings.Count(stderr, tg.wantErr) != 1:
					t.Errorf("the error is said %d times, want once:\n%s", strings.Count(stderr, tg.wantErr), stderr)
				case tg.wantErr == "" && rc != 0:
					t.Errorf("exit status %d, want 0:\n%s", rc, stderr)
				}
				var changed []string
				if tg.changed != nil && tg.wantErr == "" {
					changed = tg.changed(c)
				}
				atomicfiletest.SameTree(t, before, atomicfiletest.Snapshot(t, root), changed...)
				tg.check(t, root, path, read)
			})
		}
		if c.noStdout {
			continue
		}
		t.Run(c.name+"/standard output", func(t *testing.T) {
			dir := t.TempDir()
			before := atomicfiletest.Snapshot(t, dir)
			rc, stdout, stderr := runBinaryIn(t, dir, bin, c.args("-")...)
			if rc != 0 || len(stdout) < 20 {
				t.Errorf("exit status %d, %d bytes on standard output:\n%s", rc, len(stdout), stderr)
			}
			atomicfiletest.SameTree(t, before, atomicfiletest.Snapshot(t, dir))
		})
		t.Run(c.name+"/standard output on a full device", func(t *testing.T) {
			dir := t.TempDir()
			full, err := os.OpenFile(atomicfiletest.DeviceNode(t, dir, "full", atomicfiletest.FullDev, "/dev/full"), os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer full.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, c.args("-")...)
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = full, &stderr
			cmd.Run()
			if rc := cmd.ProcessState.ExitCode(); rc != 1 || strings.Count(stderr.String(), "no space left on device") != 1 {
				t.Errorf("exit status %d, want 1 with the write error, once:\n%s", rc, stderr.String())
			}
		})
	}
}

// runBinary runs the binary with a deadline (a FIFO nobody reads would
// otherwise wait for ever) and returns its exit status and output.
func runBinary(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	return runBinaryIn(t, "", bin, args...)
}

func runBinaryIn(t *testing.T, dir, bin string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%q did not finish: %v\n%s", args, err, stderr.String())
	}
	if cmd.ProcessState == nil {
		t.Fatalf("%q: %v", args, err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}
