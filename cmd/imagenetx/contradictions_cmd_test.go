package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/internal/cli"
	"github.com/imagenetx/imagenetx/internal/shareddata"
)

// TestContradictoryFlagsAreUsageErrors: flags that contradict each other,
// or ask what the model cannot give, stop the command before it runs with
// a usage error (exit status 2) that names them.
func TestContradictoryFlagsAreUsageErrors(t *testing.T) {
	ortLibrary(t)
	images := shareddata.Require(t, "images", "val_227")
	out := filepath.Join(t.TempDir(), "p.csv")
	base := []string{"--images", images, "--limit", "1", "--quiet", "-o", out}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"resize then crop-pct", []string{"--resize", "256", "--crop-pct", "0.9"}, "give one of them"},
		{"crop-pct then resize", []string{"--crop-pct", "0.9", "--resize", "256"}, "give one of them"},
		{"top-k beyond the classes", []string{"--topk", "2000"}, "top-k 2000"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append(append([]string(nil), base...), c.args...)
			var stderr bytes.Buffer
			err := invokeTo(context.Background(), "run", args, io.Discard, &stderr)
			if !errors.As(err, new(cli.UsageError)) || !strings.Contains(err.Error(), c.want) || exitStatus(append([]string{"run"}, args...), err, io.Discard) != 2 {
				t.Errorf("run %q: %v, want a usage error (exit 2) saying %q", c.args, err, c.want)
			}
		})
	}
}

// TestAuditHelpSaysWhatItTakes: audit's help says it takes run's flags but
// -o FILE and --errors, and lists the report's --min-images, --examples
// and --title.
func TestAuditHelpSaysWhatItTakes(t *testing.T) {
	var stdout bytes.Buffer
	if err := invokeTo(context.Background(), "audit", []string{"-h"}, &stdout, io.Discard); !errors.Is(err, cli.ErrHelp) {
		t.Fatal(err)
	}
	help := stdout.String()
	if strings.Contains(help, "Takes every flag of imagenetx run") || !strings.Contains(help, "but its -o FILE and --errors FILE") {
		t.Errorf("audit's help is wrong about the flags of run it takes:\n%s", help)
	}
	for _, f := range []string{"min-images", "examples", "title", "replace"} {
		if flagEntry(help, f) == "" {
			t.Errorf("audit's help lacks --%s", f)
		}
	}
	if flagEntry(help, "errors") != "" {
		t.Error("audit lists --errors")
	}
	err := invokeTo(context.Background(), "audit", []string{"--errors", "e.csv"}, io.Discard, io.Discard)
	if !errors.As(err, new(cli.UsageError)) {
		t.Errorf("audit --errors: %v, want a usage error", err)
	}
}

// TestVersionCommand: version names the module, the Go toolchain, the
// build settings and the ONNX Runtime library with its version and path.
func TestVersionCommand(t *testing.T) {
	lib := ortLibrary(t)
	var stdout bytes.Buffer
	if err := invokeTo(context.Background(), "version", nil, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"imagenetx: github.com/imagenetx/imagenetx", "go: go1.", "onnxruntime: 1.", lib, "build CGO_ENABLED: 1", "build GOOS: "} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("version lacks %q:\n%s", want, stdout.String())
		}
	}
}

// TestResumeRefusalSaidOnce: a resume refused (the settings changed) is
// said once, by the exit status's message, not also by the run's summary.
func TestResumeRefusalSaidOnce(t *testing.T) {
	ortLibrary(t)
	images := shareddata.Require(t, "images", "val_227")
	out := filepath.Join(t.TempDir(), "p.csv")
	base := []string{"--images", images, "--limit", "2", "--quiet", "-o", out}
	auditDir := filepath.Join(t.TempDir(), "audit")
	audit := []string{"--images", images, "--limit", "2", "--quiet", "-o", auditDir}
	if err := invokeTo(context.Background(), "run", base, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := invokeTo(context.Background(), "audit", audit, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{
		append(append([]string{"run"}, base...), "--resume", "--resize", "300"),
		append(append([]string{"audit"}, audit...), "--resume", "--resize", "300"),
	} {
		var stderr bytes.Buffer
		err := invokeTo(context.Background(), cmd[0], cmd[1:], io.Discard, &stderr)
		if rc := exitStatus(cmd, err, &stderr); rc != 1 {
			t.Errorf("%s --resume with another --resize: exit status %d, want 1\n%s", cmd[0], rc, stderr.String())
		}
		if n := strings.Count(stderr.String(), "different settings"); n != 1 {
			t.Errorf("%s: the refusal is said %d times:\n%s", cmd[0], n, stderr.String())
		}
	}
}
