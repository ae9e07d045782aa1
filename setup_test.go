package imagenetx

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/datahome"
	"github.com/imagenetx/imagenetx/engine/ortlib"
	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/models"
)

// TestSetupDataFromMirror: set-up copies the annotations, the published
// results, the frost overlays and the model from a mirror, replaces a
// damaged file, and names what it cannot fetch.
func TestSetupDataFromMirror(t *testing.T) {
	mirror := filepath.Dir(shareddata.Require(t, "annotations"))
	home := t.TempDir()
	opts := SetupOptions{Home: home, Mirror: mirror, Models: []string{models.DefaultName}, SkipRuntime: true}
	var log bytes.Buffer
	if err := Setup(context.Background(), opts, &log); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(log.String(), "copied from mirror"); n != 33 {
		t.Fatalf("%d files copied, want 7 annotations + 19 published results + 6 frost overlays + 1 model:\n%s", n, log.String())
	}
	for _, name := range []string{"frost1.png", "frost6.jpg"} {
		if _, err := os.Stat(filepath.Join(home, "corruptions", "frost", name)); err != nil {
			t.Errorf("frost overlay not installed in the data home: %v", err)
		}
	}
	// A damaged file is replaced; the rest are only checked.
	os.WriteFile(filepath.Join(home, "models", "mobilenetv2-12-int8.onnx"), []byte("damaged"), 0o644)
	log.Reset()
	if err := Setup(context.Background(), opts, &log); err != nil {
		t.Fatal(err)
	}
	if strings.Count(log.String(), "present") != 32 || strings.Count(log.String(), "copied from mirror") != 1 {
		t.Fatalf("second set-up:\n%s", log.String())
	}
	// A registered model without a public download needs the mirror.
	opts.Mirror, opts.Models = t.TempDir(), []string{"mobilenetv2-7.quant"}
	log.Reset()
	if err := Setup(context.Background(), opts, &log); err == nil || !strings.Contains(log.String(), "no upstream URL") {
		t.Fatalf("err = %v\n%s", err, log.String())
	}
	opts.Models = []string{"nope"}
	if err := Setup(context.Background(), opts, &log); err == nil || !strings.Contains(err.Error(), "unknown model") {
		t.Fatalf("err = %v", err)
	}
}

// TestSetupORTIntoFolderRecordsIt: RuntimeDest may name a folder, and set-up
// records the library in the data home, where a program started anywhere
// finds it.
func TestSetupORTIntoFolderRecordsIt(t *testing.T) {
	lib, err := ortlib.Locate("")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
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
	opts := SetupOptions{Home: home, RuntimeDest: dir, SkipData: true}
	if err := Setup(context.Background(), opts, &log); err != nil {
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

// TestSetupGPUNamesWhatIsMissing: without network, set-up of the GPU
// library takes the npm tarballs from a folder and names the one it lacks;
// nothing is installed.
func TestSetupGPUNamesWhatIsMissing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gpu")
	opts := SetupOptions{SkipRuntime: true, SkipData: true, GPU: true, GPUDir: dir, GPUTarballs: t.TempDir()}
	var log bytes.Buffer
	err := Setup(context.Background(), opts, &log)
	if err == nil || !strings.Contains(err.Error(), "onnxruntime-node-"+ortlib.GPUVersion+".tgz") {
		t.Fatalf("err = %v, want the missing tarball named", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ortlib.FileName)); err == nil {
		t.Fatal("a library was installed from nothing")
	}
}
