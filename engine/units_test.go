package engine

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/imagenetx/imagenetx/preprocess"
)

func TestScorerPredict(t *testing.T) {
	logits := []float32{1, 3, 3, 0}
	den := math.Exp(-2) + 1 + 1 + math.Exp(-3)
	tests := []struct {
		name      string
		s         Scorer
		row       []float32
		wantClass int
		wantProb  float64
		wantTop   []int
		wantErr   string
	}{
		{name: "softmax of logits, tie to lower index", s: Scorer{Kind: OutputLogits}, row: logits, wantClass: 1, wantProb: 1 / den},
		{name: "top-3", s: Scorer{Kind: OutputLogits, TopK: 3}, row: logits, wantClass: 1, wantProb: 1 / den, wantTop: []int{1, 2, 0}},
		{name: "probabilities kept", s: Scorer{Kind: OutputProbabilities}, row: []float32{0.1, 0.7, 0.2}, wantClass: 1, wantProb: float64(float32(0.7))},
		{name: "background dropped", s: Scorer{Kind: OutputLogits, LabelOffset: 1}, row: []float32{9, 1, 2}, wantClass: 1, wantProb: 1 / (1 + math.Exp(-1))},
		{name: "topk beyond classes", s: Scorer{Kind: OutputProbabilities, TopK: 5}, row: []float32{0.4, 0.6}, wantClass: 1, wantProb: float64(float32(0.6)), wantTop: []int{1, 0}},
		{name: "NaN", s: Scorer{Kind: OutputLogits}, row: []float32{1, float32(math.NaN())}, wantErr: "not finite"},
		{name: "Inf", s: Scorer{Kind: OutputLogits}, row: []float32{float32(math.Inf(1)), 1}, wantErr: "not finite"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.s.Predict("x.JPEG", tc.row)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || p.Class != tc.wantClass || math.Abs(p.Prob-tc.wantProb) > 1e-12 || p.FileName != "x.JPEG" {
				t.Fatalf("got %+v, %v; want class %d prob %v", p, err, tc.wantClass, tc.wantProb)
			}
			if len(p.TopK) != len(tc.wantTop) {
				t.Fatalf("top-k %+v, want classes %v", p.TopK, tc.wantTop)
			}
			for i, c := range tc.wantTop {
				if p.TopK[i].Class != c {
					t.Fatalf("top-k %+v, want classes %v", p.TopK, tc.wantTop)
				}
			}
		})
	}
}

func TestDetectOutputKind(t *testing.T) {
	tests := []struct {
		rows [][]float32
		want OutputKind
	}{
		{[][]float32{{0.25, 0.75}, {1, 0}}, OutputProbabilities},
		{[][]float32{{0.25, 0.75}, {0.5, 0.6}}, OutputLogits},
		{[][]float32{{-0.5, 1.5}}, OutputLogits},
		{[][]float32{{2, 3}}, OutputLogits},
		{nil, OutputLogits},
	}
	for _, tc := range tests {
		if got := DetectOutputKind(tc.rows); got != tc.want {
			t.Errorf("DetectOutputKind(%v) = %v, want %v", tc.rows, got, tc.want)
		}
	}
}

func TestParseDevice(t *testing.T) {
	for in, want := range map[string]string{"": "cpu", "cpu": "cpu", "webgpu": "webgpu", "cuda": "cuda:0", "cuda:3": "cuda:3"} {
		d, err := ParseDevice(in)
		if err != nil || d.String() != want {
			t.Errorf("ParseDevice(%q) = %v, %v; want %s", in, d, err, want)
		}
	}
	for _, bad := range []string{"gpu", "cuda:", "cuda:-1", "cuda:x", "webgpu:0", "WebGPU"} {
		if _, err := ParseDevice(bad); err == nil {
			t.Errorf("ParseDevice(%q) accepted", bad)
		}
	}
}

func touch(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestListImages(t *testing.T) {
	t.Run("flat", func(t *testing.T) {
		dir := t.TempDir()
		for _, n := range []string{"b.JPEG", "a.jpg", "c.png", "notes.txt", ".hidden.JPEG"} {
			touch(t, filepath.Join(dir, n))
		}
		items, err := ListImages(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for i, it := range items {
			if it.Index != i {
				t.Fatalf("index %d at %d", it.Index, i)
			}
			names = append(names, it.Name)
		}
		if strings.Join(names, " ") != "a.jpg b.JPEG c.png" {
			t.Fatalf("names %q", names)
		}
	})
	t.Run("wnid folders", func(t *testing.T) {
		dir := t.TempDir()
		touch(t, filepath.Join(dir, "n01440764", "ILSVRC2012_val_00000293.JPEG"))
		touch(t, filepath.Join(dir, "n01443537", "ILSVRC2012_val_00000236.JPEG"))
		touch(t, filepath.Join(dir, "n01443537", "deeper", "x.JPEG"))
		items, err := ListImages(dir)
		if err != nil {
			t.Fatal(err)
		}
		// Every image below the folder is listed, at any depth (one rule
		// for every command).
		if len(items) != 3 || items[0].Name != "ILSVRC2012_val_00000236.JPEG" || filepath.Base(filepath.Dir(items[0].Path)) != "n01443537" ||
			items[2].Name != "x.JPEG" || items[2].Rel != "n01443537/deeper/x.JPEG" {
			t.Fatalf("items %+v", items)
		}
	})
	t.Run("one file name in several class folders", func(t *testing.T) {
		dir := t.TempDir()
		touch(t, filepath.Join(dir, "n1", "a.JPEG"))
		touch(t, filepath.Join(dir, "n2", "a.JPEG"))
		touch(t, filepath.Join(dir, "n2", "b.JPEG"))
		touch(t, filepath.Join(dir, "a.JPEG"))
		items, err := ListImages(dir)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.Name+"="+strings.TrimPrefix(filepath.ToSlash(it.Path), filepath.ToSlash(dir)+"/"))
		}
		want := []string{"a.JPEG=a.JPEG", "b.JPEG=n2/b.JPEG", "n1/a.JPEG=n1/a.JPEG", "n2/a.JPEG=n2/a.JPEG"}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("items %v, want %v", got, want)
		}
	})
	t.Run("broken link is listed", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Symlink(filepath.Join(dir, "gone.JPEG"), filepath.Join(dir, "link.JPEG")); err != nil {
			t.Fatal(err)
		}
		items, err := ListImages(dir)
		if err != nil || len(items) != 1 {
			t.Fatalf("items %+v, %v", items, err)
		}
	})
	t.Run("empty", func(t *testing.T) {
		if _, err := ListImages(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no image files") {
			t.Fatalf("err = %v", err)
		}
	})
}

func info(name string, dims ...int64) ort.InputOutputInfo {
	return ort.InputOutputInfo{Name: name, OrtValueType: ort.ONNXTypeTensor, DataType: ort.TensorElementDataTypeFloat, Dimensions: dims}
}

func TestDescribeIO(t *testing.T) {
	u8 := info("in", -1, 3, 224, 224)
	u8.DataType = ort.TensorElementDataTypeUint8
	tests := []struct {
		name    string
		ins     []ort.InputOutputInfo
		outs    []ort.InputOutputInfo
		want    ModelIO
		wantErr string
	}{
		{name: "NCHW dynamic batch", ins: []ort.InputOutputInfo{info("input", -1, 3, 224, 224)}, outs: []ort.InputOutputInfo{info("output", -1, 1000)},
			want: ModelIO{InputName: "input", OutputName: "output", Layout: preprocess.NCHW, Height: 224, Width: 224, Classes: 1000}},
		{name: "NHWC fixed batch 1001", ins: []ort.InputOutputInfo{info("x", 1, 299, 299, 3)}, outs: []ort.InputOutputInfo{info("y", 1, 1001, 1, 1)},
			want: ModelIO{InputName: "x", OutputName: "y", Layout: preprocess.NHWC, Height: 299, Width: 299, FixedBatch: 1, Classes: 1001}},
		{name: "dynamic size", ins: []ort.InputOutputInfo{info("x", -1, 3, -1, -1)}, outs: []ort.InputOutputInfo{info("y", -1, 1000)},
			want: ModelIO{InputName: "x", OutputName: "y", Layout: preprocess.NCHW, Classes: 1000}},
		{name: "two inputs", ins: []ort.InputOutputInfo{info("a", 1, 3, 2, 2), info("b", 1)}, outs: []ort.InputOutputInfo{info("y", 1, 1000)}, wantErr: "2 inputs"},
		{name: "not an image", ins: []ort.InputOutputInfo{info("tokens", 1, 128)}, outs: []ort.InputOutputInfo{info("y", 1, 1000)}, wantErr: "not an image batch"},
		{name: "no channel axis", ins: []ort.InputOutputInfo{info("x", 1, 4, 8, 8)}, outs: []ort.InputOutputInfo{info("y", 1, 1000)}, wantErr: "3-channel"},
		{name: "uint8 input", ins: []ort.InputOutputInfo{u8}, outs: []ort.InputOutputInfo{info("y", 1, 1000)}, wantErr: "float32 image"},
		{name: "spatial output", ins: []ort.InputOutputInfo{info("x", 1, 3, 8, 8)}, outs: []ort.InputOutputInfo{info("y", 1, 21, 8, 8)}, wantErr: "class scores"},
		{name: "dynamic classes", ins: []ort.InputOutputInfo{info("x", 1, 3, 8, 8)}, outs: []ort.InputOutputInfo{info("y", 1, -1)}, wantErr: "not fixed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := describeIO(tc.ins, tc.outs)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			got.outputDims = nil
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestFormatProgress(t *testing.T) {
	p := Progress{Done: 300, Failed: 2, Skipped: 100, Total: 1000, Elapsed: 3 * time.Second}
	got := FormatProgress(p)
	want := "400/1000 images (40%), 100.0 img/s, ETA 6s, 2 failed"
	if got != want {
		t.Fatalf("FormatProgress = %q, want %q", got, want)
	}
	if b := bar(p, 10); b != "[====      ]" {
		t.Fatalf("bar = %q", b)
	}
}
