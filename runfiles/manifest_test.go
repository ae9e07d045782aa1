package runfiles

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/preprocess"
)

func testManifest() Manifest {
	return Manifest{Model: "m", ModelSHA256: strings.Repeat("ab", 32), Preprocess: RecordPreprocess(preprocess.DefaultConfig()),
		Batch: 16, TopK: 1, OutputKind: "logits", Device: "cpu", Runtime: "1.24.3",
		Images: 100, ImagesSHA256: strings.Repeat("cd", 32), Shard: Whole, ShardImages: 100}
}

// TestCheckResumeNamesWhatChanged: each change since the run began is
// named, field by field, with the value then and now.
func TestCheckResumeNamesWhatChanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.json")
	was := testManifest()
	if err := WriteManifest(path, was); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(*Manifest)
		want []string
	}{
		{"model file", func(m *Manifest) { m.ModelSHA256 = strings.Repeat("ef", 32) },
			[]string{"model_sha256: " + was.ModelSHA256 + " then, " + strings.Repeat("ef", 32) + " now"}},
		{"preprocessing", func(m *Manifest) { m.Preprocess.Interpolation = "bicubic"; m.Preprocess.ResizeSize = 232 },
			[]string{"preprocess.resize_size: 256 then, 232 now", "preprocess.interpolation: bilinear then, bicubic now"}},
		{"image list", func(m *Manifest) { m.Images, m.ImagesSHA256 = 101, strings.Repeat("00", 32) },
			[]string{"images: 100 then, 101 now", "images_sha256: "}},
		{"decoder limits", func(m *Manifest) { m.MaxPixels, m.MaxFileBytes = 1000, 2000 },
			[]string{"max_pixels: 0 then, 1000 now", "max_file_bytes: 0 then, 2000 now"}},
		{"cuDNN's algorithm search", func(m *Manifest) { m.ConvAlgoSearch = "DEFAULT" },
			[]string{"cudnn_conv_algo_search:  then, DEFAULT now"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := testManifest()
			tc.edit(&now)
			err := CheckResume(path, &now)
			if err == nil {
				t.Fatal("resume accepted changed settings")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if got := len(Diff(was, now)); got != len(tc.want) {
				t.Errorf("%d changes, want %d: %v", got, len(tc.want), Diff(was, now))
			}
		})
	}
	// The output kind decided by the first run is handed on.
	now := testManifest()
	now.OutputKind = "auto"
	if err := CheckResume(path, &now); err != nil || now.OutputKind != "logits" {
		t.Fatalf("CheckResume = %v, kind %q; want the decided kind adopted", err, now.OutputKind)
	}
	if err := CheckResume(filepath.Join(t.TempDir(), "none.json"), &now); !errors.Is(err, ErrNoManifest) {
		t.Fatalf("CheckResume without run.json = %v", err)
	}
}

// TestCheckResumeExecutionProvider: the provider is a setting (a CPU run
// does not resume on WebGPU), the node counts are ONNX Runtime's report and
// are not compared, and a run.json from before the provider was recorded
// resumes on the provider its device implies.
func TestCheckResumeExecutionProvider(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.json")
	was := testManifest()
	was.ExecutionProvider, was.Nodes = "CPUExecutionProvider", 105
	if err := WriteManifest(path, was); err != nil {
		t.Fatal(err)
	}
	now := was
	now.Nodes, now.CPUNodes = 104, 1
	if err := CheckResume(path, &now); err != nil {
		t.Fatalf("node counts compared: %v", err)
	}
	now.Device, now.ExecutionProvider = "webgpu", "WebGpuExecutionProvider"
	if err := CheckResume(path, &now); err == nil || !strings.Contains(err.Error(), "execution_provider: CPUExecutionProvider then, WebGpuExecutionProvider now") {
		t.Fatalf("CheckResume across providers = %v", err)
	}
	old := testManifest() // no execution_provider recorded
	if err := WriteManifest(path, old); err != nil {
		t.Fatal(err)
	}
	now = was
	if err := CheckResume(path, &now); err != nil {
		t.Fatalf("a run.json from before execution_provider: %v", err)
	}
}

// TestCheckResumeOfRunJSONBeforeLayout: a run.json written before the
// input layout was recorded resumes under the layout read from the model
// (the model file's sha256 is checked), and one that recorded it does not
// resume under another.
func TestCheckResumeOfRunJSONBeforeLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.json")
	if err := WriteManifest(path, testManifest()); err != nil {
		t.Fatal(err)
	}
	now := testManifest()
	now.Layout = "NCHW"
	if err := CheckResume(path, &now); err != nil {
		t.Fatalf("an older run.json: %v", err)
	}
	was := testManifest()
	was.Layout = "NHWC"
	if err := WriteManifest(path, was); err != nil {
		t.Fatal(err)
	}
	if err := CheckResume(path, &now); err == nil || !strings.Contains(err.Error(), "layout: NHWC then, NCHW now") {
		t.Fatalf("a changed layout: %v", err)
	}
}

// TestRunJSONSchema: run.json is written as one snake_case schema with its
// version (the interpolation by name, no Go field names), and a version-1
// run.json (Go field names, the interpolation a number) still reads as the
// same settings and resumes.
func TestRunJSONSchema(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.json")
	m := testManifest()
	m.Preprocess = RecordPreprocess(preprocess.Config{ResizeSize: 256, CropSize: 224, Interpolation: preprocess.Bicubic,
		Mean: preprocess.ImageNetMean, Std: preprocess.ImageNetStd})
	if err := WriteManifest(path, m); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{`"version": 2`, `"resize_size": 256`, `"interpolation": "bicubic"`, `"crop_pct": 0`} {
		if !strings.Contains(text, want) {
			t.Errorf("run.json lacks %s:\n%s", want, text)
		}
	}
	for _, k := range regexp.MustCompile(`"([^"]+)":`).FindAllStringSubmatch(text, -1) {
		if k[1] != strings.ToLower(k[1]) {
			t.Errorf("key %q is not snake_case", k[1])
		}
	}
	// The same run as an imagenetx before version 2 wrote it.
	v1 := strings.Replace(text, `"version": 2,`, "", 1)
	v1 = strings.NewReplacer(`"resize_size"`, `"ResizeSize"`, `"crop_size"`, `"CropSize"`, `"crop_pct"`, `"CropPct"`,
		`"interpolation": "bicubic"`, `"Interpolation": 1`, `"mean"`, `"Mean"`, `"std"`, `"Std"`).Replace(v1)
	if err := os.WriteFile(path, []byte(v1), 0o644); err != nil {
		t.Fatal(err)
	}
	old, err := ReadManifest(path)
	if err != nil {
		t.Fatal(err)
	}
	if old.Version != 0 || old.Preprocess != m.Preprocess {
		t.Fatalf("version-1 run.json read as version %d, %+v; want %+v", old.Version, old.Preprocess, m.Preprocess)
	}
	now := m
	now.Version = ManifestVersion
	if err := CheckResume(path, &now); err != nil {
		t.Fatalf("a version-1 run.json does not resume: %v", err)
	}
}
