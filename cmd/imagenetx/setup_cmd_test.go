package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/datahome"
	"github.com/imagenetx/imagenetx/engine/ortlib"
	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/models"
)

func TestSetupDataFromMirror(t *testing.T) {
	mirror := filepath.Dir(shareddata.Require(t, "annotations"))
	home := t.TempDir()
	f := &setupFlags{home: home, mirror: mirror, models: models.DefaultName}
	var log bytes.Buffer
	if err := setupData(context.Background(), f, &log); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(log.String(), "copied from mirror"); n != 8 {
		t.Fatalf("%d files copied, want 7 annotations + 1 model:\n%s", n, log.String())
	}
	// A damaged file is replaced; the rest are only checked.
	os.WriteFile(filepath.Join(home, "models", "mobilenetv2-12-int8.onnx"), []byte("damaged"), 0o644)
	log.Reset()
	if err := setupData(context.Background(), f, &log); err != nil {
		t.Fatal(err)
	}
	if strings.Count(log.String(), "present") != 7 || strings.Count(log.String(), "copied from mirror") != 1 {
		t.Fatalf("second set-up:\n%s", log.String())
	}
	// A registered model without a public download needs the mirror.
	f.mirror, f.models = t.TempDir(), "mobilenetv2-7.quant"
	log.Reset()
	if err := setupData(context.Background(), f, &log); err == nil || !strings.Contains(log.String(), "no upstream URL") {
		t.Fatalf("err = %v\n%s", err, log.String())
	}
	f.models = "nope"
	if err := setupData(context.Background(), f, &log); err == nil || !strings.Contains(err.Error(), "unknown model") {
		t.Fatalf("err = %v", err)
	}
}

// TestSetupORTIntoFolderRecordsIt: --ort-dest may name a folder, and set-up
// records the library in the data home, where a program started anywhere
// finds it.
func TestSetupORTIntoFolderRecordsIt(t *testing.T) {
	lib := ortLibrary(t)
	dir := t.TempDir()
	if err := os.Link(lib, filepath.Join(dir, ortlib.FileName)); err != nil {
		data, err := os.ReadFile(lib)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, ortlib.FileName), data, 0o755)
	}
	home := t.TempDir()
	t.Setenv(datahome.EnvVar, home)
	t.Setenv(ortlib.EnvVar, "")
	var log bytes.Buffer
	f := &setupFlags{home: home, ortDest: dir}
	if err := setupORT(context.Background(), f, &log); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, ortlib.FileName)
	if !strings.Contains(log.String(), want+" (present)") {
		t.Fatalf("set-up log %q does not name %s as present", log.String(), want)
	}
	if got, _, err := datahome.RecordedRuntime(); err != nil || got != want {
		t.Fatalf("recorded library = %q, %v; want %q", got, err, want)
	}
}

// TestBinaryDoesNotLinkTesting keeps the shipped binary free of test code.
func TestBinaryDoesNotLinkTesting(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "testing" {
			t.Fatal("go list -deps ./cmd/imagenetx lists testing")
		}
	}
}
