package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/datahome"
	"github.com/imagenetx/imagenetx/internal/cli"
	"github.com/imagenetx/imagenetx/internal/shareddata"
)

// TestReadersFindSetUpAnnotations: eval, compare, report, calibration,
// prevalence, plot and cooccur find set-up's annotations in the data home
// without --annotations, as audit and run do.
func TestReadersFindSetUpAnnotations(t *testing.T) {
	// The data home holds the real release: its files are checked against
	// their pinned sha256 when read, so a fixture there would be refused.
	ann := shareddata.Require(t, "annotations")
	home := t.TempDir()
	if err := os.Symlink(ann, filepath.Join(home, datahome.AnnotationsDir)); err != nil {
		t.Fatal(err)
	}
	t.Setenv(datahome.EnvVar, home)
	dir := t.TempDir()
	base := shareddata.Require(t, "predictions", "base")
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	writeHead(t, filepath.Join(base, "ResNet50.csv"), a, 2001)
	writeHead(t, filepath.Join(base, "ViT.csv"), b, 2001)
	out := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
	}{
		{"eval", []string{"--predictions", a}},
		{"compare", []string{"--predictions", a, "--predictions", b}},
		{"report", []string{"--predictions", a, "-o", filepath.Join(out, "r.html")}},
		{"calibration", []string{"--predictions", a}},
		{"prevalence", []string{"--predictions", a}},
		{"plot", []string{"error-ratio", "--predictions", a, "-o", filepath.Join(out, "p.svg")}},
		{"cooccur", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if err := invokeTo(context.Background(), c.name, c.args, &stdout, &stderr); err != nil {
				t.Fatalf("%s without --annotations: %v\n%s", c.name, err, stderr.String())
			}
		})
	}
}

// TestFactorsIsTheReleaseEverywhere: --factors is the annotation release
// in every command; spillover's list of factors is --only-factors, and
// the old spellings are refused naming the new ones.
func TestFactorsIsTheReleaseEverywhere(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"spillover", []string{"--table", "t.csv", "--strength-regex", "a(b)", "--factors", "pose,color"}, "--only-factors pose,color"},
		{"spillover", []string{"--table", "t.csv", "--strength-regex", "a(b)", "--release", "multi"}, "it is now --factors"},
		{"eval", []string{"--predictions", "a.csv", "--factors", "pose"}, "--only-factors pose"},
	} {
		err := invokeTo(context.Background(), c.name, c.args, io.Discard, io.Discard)
		if !errors.As(err, new(cli.UsageError)) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %q: %v, want a usage error naming %q", c.name, c.args, err, c.want)
		}
	}
	for _, name := range []string{"spillover", "eval", "compare", "report", "calibration", "prevalence", "cooccur", "audit", "sweep", "types"} {
		cmd, ok := program().Lookup(name)
		if !ok {
			t.Fatalf("no command %s", name)
		}
		f := cmd.FlagSet().Lookup("factors")
		if f == nil || !strings.Contains(f.Usage, "RELEASE") {
			t.Errorf("%s --factors: %+v, want the annotation release", name, f)
		}
	}
}
