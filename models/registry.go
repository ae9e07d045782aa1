// Package models knows the image classifiers imagenetx can run: a registry of
// known ONNX models (file, source, sha256, preprocessing, label space, output
// kind) and, for any other .onnx file, a sidecar JSON with timm's
// pretrained_cfg keys. What a model file says about itself (input name,
// layout, size, batch) is read by the engine; this package holds what the
// file cannot say.
package models

import (
	"fmt"
	"strings"

	"github.com/imagenetx/imagenetx/models/fetch"
	"github.com/imagenetx/imagenetx/preprocess"
)

// Output kinds, as the engine's ParseOutputKind reads them.
const (
	OutputAuto          = "auto"
	OutputLogits        = "logits"
	OutputProbabilities = "probabilities"
)

// Model describes a classifier.
type Model struct {
	// Name identifies the model on the command line and in outputs.
	Name string
	// FileName is the .onnx file's name in a models folder.
	FileName string
	// URL is the upstream download, "" where there is none.
	URL string
	// SHA256 pins the file; "" for models outside the registry.
	SHA256 string
	// Layout is the input memory order the model expects, when LayoutKnown;
	// otherwise it is read from the model's input shape.
	Layout      preprocess.Layout
	LayoutKnown bool
	// Preprocess is the eval transform the model was trained for.
	Preprocess preprocess.Config
	// Classes is the size of the label space: 1000, or 1001 with a
	// background class at index 0 (LabelOffset 1); 0 when unknown (read
	// from the model's output).
	Classes, LabelOffset int
	// Output is OutputLogits, OutputProbabilities or OutputAuto.
	Output string
	// MaxBatch caps the batch size (0: no cap), for models whose output for
	// one image depends on the rest of its batch.
	MaxBatch int
	// Top1Val227 is the reference top-1 accuracy on the shared val_227 set
	// with the standard transform, 0 where unknown.
	Top1Val227 float64
	// Note says where the model comes from.
	Note string
}

// DefaultName is the model a run uses when none is named.
const DefaultName = "mobilenetv2-12-int8"

const zooURL = "https://github.com/onnx/models/raw/main/validated/vision/classification/"

// known lists the registered models. Their preprocessing is torchvision's
// standard eval transform (Resize 256 bilinear, CenterCrop 224, ImageNet
// mean/std), which is how the ONNX model zoo evaluates them.
var known = []Model{
	{
		Name: "mobilenetv2-12-int8", FileName: "mobilenetv2-12-int8.onnx",
		URL:        zooURL + "mobilenet/model/mobilenetv2-12-int8.onnx",
		SHA256:     "83530ad811bc31d2b60a5599a21265a5057608c9b044b4ee758cc22f2309f54f",
		Top1Val227: 1038.0 / 1300,
		Note:       "ONNX model zoo MobileNetV2, int8 QLinear ops",
	},
	{
		Name: "shufflenet-v2-12-qdq", FileName: "shufflenet-v2-12-qdq.onnx",
		URL:        zooURL + "shufflenet/model/shufflenet-v2-12-qdq.onnx",
		SHA256:     "7c536d02e2f6af9569e5f3c7a4d8282060072119524c93c8da71e63876b4722b",
		Top1Val227: 919.0 / 1300,
		Note:       "ONNX model zoo ShuffleNet-v2, QDQ int8; batch fixed at 1 in the model",
	},
	{
		Name: "mobilenet_v2_int8_dynamic", FileName: "mobilenet_v2_int8_dynamic.onnx",
		SHA256:     "85bed3c55752455a5a26223378729b4cdaab9f4c0984be927093a2ebc3983252",
		Top1Val227: 986.0 / 1300,
		// Dynamic quantisation scales activations by the whole batch's
		// range, so an image's scores would depend on its batch-mates.
		MaxBatch: 1,
		Note:     "torchvision MobileNetV2 weights, dynamic int8 quantisation (no public download)",
	},
	{
		Name: "mobilenetv2-7.quant", FileName: "mobilenetv2-7.quant.onnx",
		SHA256:     "0b6e9aae276376d9a185f133447ff3e9372095984227ac01cff0650b477f2119",
		Top1Val227: 490.0 / 1300,
		Note:       "zoo mobilenetv2-7 after a lossy static quantisation: a damaged model (no public download)",
	},
}

func init() {
	for i := range known {
		m := &known[i]
		m.Layout, m.LayoutKnown, m.Preprocess = preprocess.NCHW, true, preprocess.DefaultConfig()
		m.Classes, m.Output = 1000, OutputLogits
	}
}

// Known returns the registered models.
func Known() []Model { return append([]Model(nil), known...) }

// Lookup finds a registered model by name or file name.
func Lookup(name string) (Model, bool) {
	for _, m := range known {
		if m.Name == name || m.FileName == name {
			return m, true
		}
	}
	return Model{}, false
}

// LookupSHA256 finds a registered model by its file's sha256, so a renamed
// copy is still recognised.
func LookupSHA256(sum string) (Model, bool) {
	for _, m := range known {
		if m.SHA256 == sum {
			return m, true
		}
	}
	return Model{}, false
}

// Asset is the model's pinned file under a data home's models/ folder.
func (m Model) Asset() fetch.Asset {
	return fetch.Asset{Path: "models/" + m.FileName, URL: m.URL, SHA256: m.SHA256}
}

// Names lists the registered model names.
func Names() string {
	names := make([]string, len(known))
	for i, m := range known {
		names[i] = m.Name
	}
	return strings.Join(names, ", ")
}

// Validate checks a model description for consistency.
func (m Model) Validate() error {
	if err := m.Preprocess.Validate(); err != nil {
		return fmt.Errorf("model %s: %w", m.Name, err)
	}
	if m.LabelOffset < 0 || m.LabelOffset > 1 {
		return fmt.Errorf("model %s: label offset %d, want 0 or 1", m.Name, m.LabelOffset)
	}
	switch m.Output {
	case OutputAuto, OutputLogits, OutputProbabilities:
	default:
		return fmt.Errorf("model %s: output %q, want %s, %s or %s", m.Name, m.Output, OutputAuto, OutputLogits, OutputProbabilities)
	}
	return nil
}
