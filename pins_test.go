package imagenetx

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/datahome"
	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/internal/shareddata"
)

// TestDataHomeFilesAreCheckedWhenLoaded flips one byte in each annotation
// file of a data home, in turn: loading the annotations must then fail
// with a *load.PinError naming that file and saying that `imagenetx setup`
// re-installs it, and succeed again once the byte is restored. A folder
// of one's own is not pinned.
func TestDataHomeFilesAreCheckedWhenLoaded(t *testing.T) {
	src := shareddata.Require(t, "annotations")
	home := t.TempDir()
	dir := filepath.Join(home, datahome.AnnotationsDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := []string{load.MetaclassFile, load.ClassNamesFile, load.PrototypeFile, load.RealLabelsFile,
		load.AnnotationFile(eval.Val, eval.TopFactor), LabelsFile}
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(datahome.EnvVar, home)
	if _, err := LoadAnnotations("", eval.DatasetOptions{}); err != nil {
		t.Fatalf("intact data home: %v", err)
	}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			flipped := append([]byte(nil), data...)
			flipped[len(flipped)/2] ^= 0x01
			if err := os.WriteFile(path, flipped, 0o644); err != nil {
				t.Fatal(err)
			}
			defer os.WriteFile(path, data, 0o644)
			_, err = LoadAnnotations("", eval.DatasetOptions{})
			var pe *load.PinError
			if !errors.As(err, &pe) || pe.Path != path || !strings.Contains(err.Error(), "imagenetx setup") {
				t.Fatalf("a flipped byte in %s: %v; want a PinError naming it and the fix", name, err)
			}
		})
	}
	if _, err := LoadAnnotations("", eval.DatasetOptions{}); err != nil {
		t.Fatalf("restored data home: %v", err)
	}
	// A folder that is not the data home's is one's own, read as it is.
	if opts := PinDataHome(src, eval.DatasetOptions{}); opts.Pins != nil {
		t.Fatal("a folder outside the data home is pinned")
	}
	if opts := PinDataHome(dir+"/.", eval.DatasetOptions{}); opts.Pins == nil {
		t.Fatal("the data home's folder, named another way, is not pinned")
	}
}
