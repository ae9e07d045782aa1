package models

import (
	"errors"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/models/fetch"
	"github.com/imagenetx/imagenetx/preprocess"
)

func TestRegistryMatchesSharedModels(t *testing.T) {
	dir := shareddata.Require(t, "models")
	if _, ok := Lookup(DefaultName); !ok {
		t.Fatalf("default model %s not registered", DefaultName)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".onnx") {
			continue
		}
		m, ok := Lookup(e.Name())
		if !ok {
			t.Errorf("%s is in the shared models but not registered", e.Name())
			continue
		}
		if err := fetch.VerifyFile(filepath.Join(dir, e.Name()), m.SHA256); err != nil {
			t.Errorf("%s: %v", m.Name, err)
		}
		if err := m.Validate(); err != nil {
			t.Error(err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestParseSidecar(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		want    Settings
		wantErr string
	}{
		{name: "timm pretrained_cfg", json: `{"input_size": [3, 288, 288], "interpolation": "bicubic", "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5], "crop_pct": 0.95, "crop_mode": "center", "num_classes": 1000, "url": "ignored"}`,
			want: Settings{CropSize: ptr(288), ResizeSize: ptr(0), CropPct: ptr(0.95), Interpolation: ptr(preprocess.Bicubic),
				Mean: &[3]float32{0.5, 0.5, 0.5}, Std: &[3]float32{0.5, 0.5, 0.5}, Classes: ptr(1000)}},
		{name: "hf config.json nesting", json: `{"architecture": "x", "num_classes": 1001, "pretrained_cfg": {"input_size": [3, 224, 224]}}`,
			want: Settings{CropSize: ptr(224), ResizeSize: ptr(0), CropPct: ptr(DefaultCropPct), Classes: ptr(1001), LabelOffset: ptr(1)}},
		{name: "imagenetx keys", json: `{"resize_size": 256, "layout": "nhwc", "output": "probs", "label_offset": 0}`,
			want: Settings{ResizeSize: ptr(256), Layout: ptr(preprocess.NHWC), Output: ptr(OutputProbabilities), LabelOffset: ptr(0)}},
		{name: "empty object", json: `{}`, want: Settings{}},
		{name: "non-square", json: `{"input_size": [3, 224, 256]}`, wantErr: "square"},
		{name: "grayscale", json: `{"input_size": [1, 224, 224]}`, wantErr: "[3, size, size]"},
		{name: "bad crop_pct", json: `{"crop_pct": 1.5}`, wantErr: "crop_pct"},
		{name: "bad interpolation", json: `{"interpolation": "nearest"}`, wantErr: "interpolation"},
		{name: "short mean", json: `{"mean": [0.5, 0.5]}`, wantErr: "3 numbers"},
		{name: "zero std", json: `{"std": [0.5, 0, 0.5]}`, wantErr: "out of range"},
		{name: "21k classes", json: `{"num_classes": 21843}`, wantErr: "ImageNet-1k"},
		{name: "crop mode", json: `{"crop_mode": "squash"}`, wantErr: "crop_mode"},
		{name: "trailing data", json: `{} {}`, wantErr: "after the JSON"},
		{name: "syntax error line", json: "{\n\"mean\": [1,\n}", wantErr: "line 3"},
		{name: "wrong type", json: `{"input_size": "224"}`, wantErr: "line 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSidecar([]byte(tc.json), "m.json")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "m.json") {
					t.Fatalf("err = %v, want %q naming the file", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g, w := describe(got), describe(tc.want); g != w {
				t.Fatalf("got %s\nwant %s", g, w)
			}
		})
	}
}

// describe prints Settings with pointers dereferenced, for comparison.
func describe(s Settings) string {
	var b strings.Builder
	for _, f := range []struct {
		name string
		v    any
	}{{"crop", s.CropSize}, {"resize", s.ResizeSize}, {"pct", s.CropPct}, {"interp", s.Interpolation}, {"mean", s.Mean},
		{"std", s.Std}, {"classes", s.Classes}, {"offset", s.LabelOffset}, {"layout", s.Layout}, {"output", s.Output}} {
		b.WriteString(f.name + "=")
		switch v := f.v.(type) {
		case *int:
			if v != nil {
				b.WriteString(itoa(*v))
			}
		case *float64:
			if v != nil {
				b.WriteString(ftoa(*v))
			}
		case *[3]float32:
			if v != nil {
				b.WriteString(ftoa(float64(v[0])) + "," + ftoa(float64(v[1])) + "," + ftoa(float64(v[2])))
			}
		case *preprocess.Interpolation:
			if v != nil {
				b.WriteString(v.String())
			}
		case *preprocess.Layout:
			if v != nil {
				b.WriteString(v.String())
			}
		case *string:
			if v != nil {
				b.WriteString(*v)
			}
		}
		b.WriteString(" ")
	}
	return b.String()
}

func FuzzParseSidecar(f *testing.F) {
	for _, s := range []string{`{}`, `{"input_size":[3,224,224],"crop_pct":0.9}`, `{"pretrained_cfg":{"mean":[1,2,3]}}`, `[`, `{"num_classes":1001}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSidecar(data, "fuzz.json")
		if err != nil {
			return
		}
		// Whatever parsed must apply to a model consistently or fail cleanly.
		base, _ := Lookup(DefaultName)
		m, err := s.Apply(base)
		if err != nil {
			return
		}
		if s.CropSize != nil && m.Preprocess.CropSize != *s.CropSize {
			t.Fatalf("crop size %d not applied", *s.CropSize)
		}
		if m.LabelOffset != 0 && m.Classes != 1001 {
			t.Fatalf("label offset %d with %d classes", m.LabelOffset, m.Classes)
		}
	})
}

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "custom.onnx")
	os.WriteFile(model, []byte("not really onnx"), 0o644)
	t.Run("unregistered file takes defaults", func(t *testing.T) {
		spec, err := Resolve(model, nil)
		if err != nil {
			t.Fatal(err)
		}
		if spec.Registered || spec.Name != "custom" || spec.Preprocess.CropSize != 0 || spec.Output != OutputAuto || len(spec.SHA256) != 64 {
			t.Fatalf("spec %+v", spec)
		}
		if err := spec.FitInput(preprocess.NHWC, 240); err != nil {
			t.Fatal(err)
		}
		if spec.Preprocess.CropSize != 240 || spec.Preprocess.Resize() != 274 || spec.Layout != preprocess.NHWC {
			t.Fatalf("fitted %+v (resize %d)", spec.Preprocess, spec.Preprocess.Resize())
		}
	})
	t.Run("sidecar applied", func(t *testing.T) {
		os.WriteFile(filepath.Join(dir, "custom.json"), []byte(`{"input_size":[3,256,256],"interpolation":"bicubic","layout":"NCHW"}`), 0o644)
		defer os.Remove(filepath.Join(dir, "custom.json"))
		spec, err := Resolve(model, nil)
		if err != nil {
			t.Fatal(err)
		}
		if spec.Sidecar == "" || spec.Preprocess.CropSize != 256 || spec.Preprocess.Interpolation != preprocess.Bicubic {
			t.Fatalf("spec %+v", spec)
		}
		if err := spec.FitInput(preprocess.NHWC, 256); err == nil || !strings.Contains(err.Error(), "NCHW") {
			t.Fatalf("layout conflict not reported: %v", err)
		}
		if err := spec.FitInput(preprocess.NCHW, 224); err == nil || !strings.Contains(err.Error(), "takes 224") {
			t.Fatalf("size conflict not reported: %v", err)
		}
	})
	t.Run("bad sidecar names the file", func(t *testing.T) {
		os.WriteFile(filepath.Join(dir, "custom.onnx.json"), []byte(`{"mean": 3}`), 0o644)
		defer os.Remove(filepath.Join(dir, "custom.onnx.json"))
		if _, err := Resolve(model, nil); err == nil || !strings.Contains(err.Error(), "custom.onnx.json") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("registered name, tampered file", func(t *testing.T) {
		os.WriteFile(filepath.Join(dir, "mobilenetv2-12-int8.onnx"), []byte("tampered"), 0o644)
		if _, err := Resolve(DefaultName, []string{dir}); err == nil || !strings.Contains(err.Error(), "sha256") || !errors.Is(err, ErrNotInstalled) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("registered name, missing", func(t *testing.T) {
		if _, err := Resolve("shufflenet-v2-12-qdq", []string{t.TempDir()}); !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), "shufflenet-v2-12-qdq.onnx not found") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		if _, err := Resolve("resnet9000", nil); err == nil || !strings.Contains(err.Error(), DefaultName) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("registered by content", func(t *testing.T) {
		shared := shareddata.Require(t, "models", "shufflenet-v2-12-qdq.onnx")
		spec, err := Resolve(shared, nil)
		if err != nil || !spec.Registered || spec.Name != "shufflenet-v2-12-qdq" {
			t.Fatalf("spec %+v, %v", spec, err)
		}
	})
	t.Run("registered by content, copied under another name", func(t *testing.T) {
		// The registry's description, the file's own name.
		shared := shareddata.Require(t, "models", "mobilenetv2-7.quant.onnx")
		data, err := os.ReadFile(shared)
		if err != nil {
			t.Fatal(err)
		}
		copied := filepath.Join(t.TempDir(), "mymodel.onnx")
		if err := os.WriteFile(copied, data, 0o644); err != nil {
			t.Fatal(err)
		}
		want, _ := Lookup("mobilenetv2-7.quant")
		spec, err := Resolve(copied, nil)
		if err != nil || !spec.Registered || spec.Name != "mymodel" || spec.Preprocess != want.Preprocess || spec.Output != want.Output {
			t.Fatalf("spec %+v, %v; want the registry's description named mymodel", spec, err)
		}
	})
}

func TestReadFileLabels(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, data, wantErr string }{
		{"ok", "file_name,label\na.JPEG,0\nb.JPEG,999\n", ""},
		{"bad header", "name,label\n", "header"},
		{"bad class", "file_name,label\na.JPEG,1000\n", ":2: label"},
		{"duplicate", "file_name,label\na.JPEG,1\na.JPEG,2\n", ":3: a.JPEG listed twice"},
	}
	for _, tc := range tests {
		p := filepath.Join(dir, tc.name+".csv")
		os.WriteFile(p, []byte(tc.data), 0o644)
		labels, err := ReadFileLabels(p)
		if tc.wantErr == "" {
			if err != nil || labels["b.JPEG"] != 999 || len(labels) != 2 {
				t.Errorf("%s: %v %v", tc.name, labels, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.wantErr)
		}
	}
	if real, err := ReadFileLabels(shareddata.Require(t, "annotations", "filename_label.csv")); err != nil || len(real) != 50000 {
		t.Fatalf("filename_label.csv: %d labels, %v", len(real), err)
	}
}

func TestAnnotationAssetsMatchShared(t *testing.T) {
	dir := shareddata.Require(t, "annotations")
	for _, a := range AnnotationAssets(true) {
		if err := fetch.VerifyFile(filepath.Join(filepath.Dir(dir), a.Path), a.SHA256); err != nil {
			t.Error(err)
		}
	}
}

func TestResultAssetsMatchShared(t *testing.T) {
	dir := shareddata.Require(t, "results")
	assets := ResultAssets()
	if len(assets) != 19 {
		t.Fatalf("%d result assets, want model_types.csv and 18 tables", len(assets))
	}
	for _, a := range assets {
		if err := fetch.VerifyFile(filepath.Join(filepath.Dir(dir), a.Path), a.SHA256); err != nil {
			t.Error(err)
		}
	}
}

// TestCorruptionAssetsMatchShared checks the frost overlays' pins against
// the mirror's copies, laid out as the data home (corruptions/frost/NAME).
func TestCorruptionAssetsMatchShared(t *testing.T) {
	dir := shareddata.Require(t, "corruptions", "frost")
	root := filepath.Dir(filepath.Dir(dir))
	assets := CorruptionAssets()
	if len(assets) != 6 {
		t.Fatalf("%d corruption assets, want the 6 frost overlays", len(assets))
	}
	for _, a := range assets {
		if !strings.HasPrefix(a.Path, "corruptions/frost/frost") || !strings.HasSuffix(a.URL, path.Base(a.Path)) {
			t.Errorf("asset %+v: path not under corruptions/frost/ or URL not the file's", a)
		}
		if err := fetch.VerifyFile(filepath.Join(root, a.Path), a.SHA256); err != nil {
			t.Error(err)
		}
	}
}

func itoa(v int) string     { return strconv.Itoa(v) }
func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
