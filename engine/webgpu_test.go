package engine

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/internal/torchexport"
	"github.com/imagenetx/imagenetx/models"
)

// requireWebGPU checks that a WebGPU session opens here (CI installs the
// Vulkan loader and Mesa 25's lavapipe, a Vulkan driver on the CPU); where
// it cannot, the test is skipped locally and fails under CI.
func requireWebGPU(t *testing.T) {
	t.Helper()
	requireRuntime(t)
	if os.Getenv("XDG_RUNTIME_DIR") == "" {
		// Mesa's drivers look for a runtime folder; a CI job has none.
		t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	}
	path := writeModel(t, "probe", imageToScores(32, 1000, ""))
	clf, err := openModelFile(path, Options{Device: Device{Provider: ProviderWebGPU}})
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	clf.Close()
}

// TestWebGPUMatchesCPU runs a few real validation images through a small
// fp32 torchvision model (MobileNetV2, conditioned random weights) on the
// WebGPU provider and on the CPU: the top-5 classes must be the same and
// their probabilities within 1e-4 relative (measured on Mesa 25.0.7
// lavapipe: 2.2e-6). Software Vulkan is slow (about 15 s per batch of 8
// ResNet-50 images on 2 cores), hence few images and a small model.
func TestWebGPUMatchesCPU(t *testing.T) {
	requireWebGPU(t)
	exp := torchexport.Require(t, exportRequest(t, "mobilenet_v2", false))
	items, err := ListImages(shareddata.Require(t, "images", "val_227"))
	if err != nil {
		t.Fatal(err)
	}
	items = items[:6]
	opts := Options{Batch: 6, TopK: 5}
	cpu := runExported(t, exp.ONNX, items, opts)
	opts.Device = Device{Provider: ProviderWebGPU}
	gpu := runExported(t, exp.ONNX, items, opts)
	var worst float64
	for i := range items {
		c, g := cpu[i].Pred, gpu[i].Pred
		if len(c.TopK) != 5 || len(g.TopK) != 5 {
			t.Fatalf("%s: top-k lengths %d, %d", items[i].Name, len(c.TopK), len(g.TopK))
		}
		for k := range c.TopK {
			if c.TopK[k].Class != g.TopK[k].Class {
				t.Errorf("%s: rank %d class CPU %d, WebGPU %d", items[i].Name, k+1, c.TopK[k].Class, g.TopK[k].Class)
			}
			rel := math.Abs(c.TopK[k].Prob-g.TopK[k].Prob) / c.TopK[k].Prob
			worst = math.Max(worst, rel)
		}
	}
	t.Logf("mobilenet_v2 on %d images: top-5 classes equal; max relative probability difference %.3g", len(items), worst)
	if worst > 1e-4 {
		t.Errorf("probabilities differ by up to %.3g relative, want ≤ 1e-4", worst)
	}
}

// TestWebGPURegistryModels records which registry models the WebGPU
// provider (ONNX Runtime 1.24.3) takes: none of the four int8 models. The
// QOperator and dynamic-quantisation models have no WebGPU kernels for
// their convolutions; the QDQ models' convolutions are taken, but the
// provider's DequantizeLinear fails on their 3-channel input. Each is
// refused when the session opens, with a reason, rather than run on the
// CPU under a GPU label. (README, "GPU".)
func TestWebGPURegistryModels(t *testing.T) {
	requireWebGPU(t)
	dir := shareddata.Require(t, "models")
	want := map[string]string{
		"mobilenetv2-12-int8":       "takes 0 of this model's 53 convolution and matrix-product nodes",
		"mobilenet_v2_int8_dynamic": "takes 0 of this model's 53 convolution and matrix-product nodes",
		"mobilenetv2-7.quant":       "cannot run this model",
		"shufflenet-v2-12-qdq":      "cannot run this model",
	}
	for _, m := range models.Known() {
		t.Run(m.Name, func(t *testing.T) {
			spec, err := models.Resolve(m.Name, []string{dir})
			if err != nil {
				t.Fatal(err)
			}
			clf, err := OpenClassifier(spec, Options{Device: Device{Provider: ProviderWebGPU}})
			if err == nil {
				defer clf.Close()
				t.Fatalf("accepted (%s); update README's WebGPU list and this test", clf.Session.Placement())
			}
			w, ok := want[m.Name]
			if !ok || !strings.Contains(err.Error(), w) || !strings.Contains(err.Error(), spec.Path) {
				t.Fatalf("err = %v\nwant %q and the model file", err, w)
			}
			t.Logf("refused: %v", err)
		})
	}
}

// TestWebGPUSetupErrors opens a WebGPU session in a child process whose
// environment lacks something: the error must say what.
func TestWebGPUSetupErrors(t *testing.T) {
	if os.Getenv(webgpuChildEnv) != "" {
		webgpuChild()
		return
	}
	requireWebGPU(t)
	bogus := t.TempDir()
	// An empty file named libvulkan.so.1 first on the library path: the
	// loader cannot load, as on a machine without libvulkan1.
	if err := os.WriteFile(filepath.Join(bogus, "libvulkan.so.1"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	noICD := filepath.Join(t.TempDir(), "none.json")
	tests := []struct {
		name string
		env  []string
		want []string
	}{
		{"no Vulkan loader", []string{"LD_LIBRARY_PATH=" + bogus}, []string{"device webgpu: no Vulkan loader", "libvulkan.so.1", "libvulkan1"}},
		{"no adapter", []string{"VK_DRIVER_FILES=" + noICD, "VK_ICD_FILENAMES=" + noICD}, []string{"device webgpu: no WebGPU adapter", "VK_DRIVER_FILES=" + noICD}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := runChild(t, "TestWebGPUSetupErrors", append(tc.env, webgpuChildEnv+"="+t.TempDir())...)
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Fatalf("child output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// webgpuChildEnv marks the child process of TestWebGPUSetupErrors and
// names its scratch folder.
const webgpuChildEnv = "IMAGENETX_WEBGPU_CHILD"

// webgpuChild tries a WebGPU session and prints the outcome.
func webgpuChild() {
	dir := os.Getenv(webgpuChildEnv)
	path := filepath.Join(dir, "m.onnx")
	if err := os.WriteFile(path, imageToScores(32, 1000, ""), 0o644); err != nil {
		endChild("child: %v", err)
	}
	if err := InitDefault(""); err != nil {
		endChild("child: %v", err)
	}
	clf, err := openModelFile(path, Options{Device: Device{Provider: ProviderWebGPU}})
	if err != nil {
		endChild("child error: %v", err)
	}
	clf.Close()
	endChild("child: opened")
}
