package runfiles

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/internal/atomicfile"
	"github.com/imagenetx/imagenetx/preprocess"
)

// ManifestVersion is the version of run.json's schema that WriteManifest
// writes: 2, one snake_case schema (preprocessing keys included, the
// interpolation by name). Version 1 (no version field) wrote the
// preprocessing with Go's field names and the interpolation as a number;
// ReadManifest reads both, so older outputs still resume and merge.
const ManifestVersion = 2

// Manifest records what produced an output (the run.json beside it), so
// that resuming can refuse to mix runs of different models or settings and
// merging can prove that shards fit together and cover their image list.
type Manifest struct {
	// Version is the schema's (ManifestVersion when written; 0 read from
	// a version-1 file). It describes the file, not the run: not compared.
	Version int `json:"version" manifest:"report"`
	// Name is the model's name in the outputs (its files' names, the
	// tables' model column); Model is what it was opened from: the
	// registry name, or for a file the file's stem. The model is the
	// file whose sha256 ModelSHA256 is: Model names it, and is not
	// compared (a copy under another name is the same model).
	Name        string `json:"name"`
	Model       string `json:"model" manifest:"report"`
	ModelSHA256 string `json:"model_sha256"`
	// Sidecar is the path of the sidecar config applied to the model
	// ("" for none); what it set is in Preprocess (and the output kind,
	// the layout, the label offset), which are compared.
	Sidecar    string     `json:"sidecar,omitempty" manifest:"report"`
	Preprocess Preprocess `json:"preprocess"`
	Variant    string     `json:"variant"`
	// Decode is the decode policy (preprocess.DecodeOptions.Policy:
	// "pillow" or "strict"). It changes which images fail, so resume and
	// merge must not mix policies; outputs made before it was recorded
	// (empty) decoded differently and do not mix with new ones either.
	Decode string `json:"decode"`
	// FastDecode is preprocess.DecodeOptions.Fast: it changes the pixels,
	// so resume and merge must not mix it with exact decoding either.
	FastDecode bool `json:"fast_decode,omitempty"`
	// MaxPixels and MaxFileBytes are the decoder's limits
	// (preprocess.DecodeOptions; 0: its defaults): a lower one fails
	// images a higher one accepts, so resume and merge must not mix them.
	// Outputs made before they were recorded used the defaults.
	MaxPixels    int64 `json:"max_pixels,omitempty"`
	MaxFileBytes int64 `json:"max_file_bytes,omitempty"`
	// Layout is the input tensor's memory order (NCHW or NHWC), read from
	// the model or overridden: the other order feeds the model other
	// numbers. Empty in outputs made before it was recorded.
	Layout string `json:"layout,omitempty"`
	// ConvAlgoSearch is cuDNN's convolution algorithm search on a CUDA
	// device (empty elsewhere): the algorithms differ in their last bits.
	ConvAlgoSearch string `json:"cudnn_conv_algo_search,omitempty"`
	Batch          int    `json:"batch"`
	TopK           int    `json:"topk"`
	LabelOffset    int    `json:"label_offset"`
	OutputKind     string `json:"output_kind"`
	// Device is "cpu", "webgpu" or "cuda" and Runtime the ONNX Runtime
	// version: the scores' last bits may differ between them.
	Device  string `json:"device"`
	Runtime string `json:"onnxruntime"`
	// ExecutionProvider is the ONNX Runtime provider the model ran on
	// ("CPUExecutionProvider", "WebGpuExecutionProvider", ...; empty in
	// outputs made before it was recorded, which ran where Device says).
	ExecutionProvider string `json:"execution_provider"`
	// Nodes is the number of the model's nodes after ONNX Runtime's graph
	// optimisation and CPUNodes how many of them a GPU provider left to the
	// CPU (engine.Placement). They report ONNX Runtime's choices rather than
	// settings, so resume and merge do not compare them.
	Nodes    int `json:"nodes" manifest:"report"`
	CPUNodes int `json:"cpu_nodes" manifest:"report"`
	// Images and ImagesSHA256 describe the whole image list (after the
	// limit, before sharding; see ListFingerprint).
	Images       int    `json:"images"`
	ImagesSHA256 string `json:"images_sha256"`
	// Shard is the part of the list this output covers (0/1: all of it),
	// ShardImages the number of images in that part.
	Shard       ShardSpec `json:"shard"`
	ShardImages int       `json:"shard_images"`
}

// Preprocess is the preprocessing (preprocess.Config) as run.json records
// it: snake_case keys, the interpolation by name.
type Preprocess struct {
	ResizeSize    int        `json:"resize_size"`
	CropSize      int        `json:"crop_size"`
	CropPct       float64    `json:"crop_pct"`
	Interpolation string     `json:"interpolation"`
	Mean          [3]float32 `json:"mean"`
	Std           [3]float32 `json:"std"`
}

// RecordPreprocess is c as run.json records it.
func RecordPreprocess(c preprocess.Config) Preprocess {
	return Preprocess{ResizeSize: c.ResizeSize, CropSize: c.CropSize, CropPct: c.CropPct,
		Interpolation: c.Interpolation.String(), Mean: c.Mean, Std: c.Std}
}

// UnmarshalJSON reads both schemas: version 2's snake_case keys, and
// version 1's Go field names with the interpolation as a number (0
// bilinear, 1 bicubic).
func (p *Preprocess) UnmarshalJSON(b []byte) error {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return err
	}
	if _, v1 := keys["ResizeSize"]; v1 {
		var c preprocess.Config
		if err := json.Unmarshal(b, &c); err != nil {
			return fmt.Errorf("preprocess (run.json version 1): %w", err)
		}
		*p = RecordPreprocess(c)
		return nil
	}
	type plain Preprocess // without this method
	return json.Unmarshal(b, (*plain)(p))
}

// ReadManifest reads a run.json.
func ReadManifest(path string) (Manifest, error) {
	var m Manifest
	data, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// WriteManifest writes m to path atomically, as ManifestVersion; ""
// (predictions written in place, see ForFile) writes nothing.
func WriteManifest(path string, m Manifest) error {
	if path == "" {
		return nil
	}
	m.Version = ManifestVersion
	return WriteJSON(path, m)
}

// WriteJSON writes v as indented JSON to path by atomicfile's rule.
func WriteJSON(path string, v any) error {
	return atomicfile.Write(path, func(f io.Writer) error {
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

// Change is one run.json field whose value differs between two manifests.
type Change struct {
	// Field is the field's JSON path, e.g. "preprocess.Interpolation".
	Field    string
	Was, Now any
}

func (c Change) String() string {
	return fmt.Sprintf("%s: %v then, %v now", c.Field, c.Was, c.Now)
}

// Diff lists, field by field (nested settings by their own fields), where
// now differs from was. Fields tagged manifest:"report" are not settings and
// are not compared.
func Diff(was, now Manifest) []Change {
	var out []Change
	diffValues("", reflect.ValueOf(was), reflect.ValueOf(now), &out)
	return out
}

func diffValues(prefix string, a, b reflect.Value, out *[]Change) {
	t := a.Type()
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" {
			name = t.Field(i).Name
		}
		if t.Field(i).Tag.Get("manifest") == "report" {
			continue
		}
		x, y := a.Field(i), b.Field(i)
		if x.Kind() == reflect.Struct && x.Type().NumField() > 0 && t.Field(i).Type != reflect.TypeOf(ShardSpec{}) {
			diffValues(prefix+name+".", x, y, out)
			continue
		}
		if !reflect.DeepEqual(x.Interface(), y.Interface()) {
			*out = append(*out, Change{Field: prefix + name, Was: x.Interface(), Now: y.Interface()})
		}
	}
}

// joinChanges renders changes for a message.
func joinChanges(cs []Change) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = c.String()
	}
	return strings.Join(s, "; ")
}

// ErrNoManifest is returned (wrapped) when outputs to resume have no
// run.json, so nothing tells what produced them.
var ErrNoManifest = errors.New("no run.json beside the existing output")

// CheckResume compares the manifest at path, written when the interrupted
// run began, with cur, this run's. A run that had already decided its
// output kind hands it on: cur.OutputKind takes it when cur's is auto. A
// run.json that records no name (written before names were) resumes under
// any. Any other difference (model file, preprocessing, image list, ...) is an
// error that names each changed field with both values.
func CheckResume(path string, cur *Manifest) error {
	old, err := ReadManifest(path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w (%s): cannot tell what produced it; start afresh instead of resuming", ErrNoManifest, path)
	}
	if err != nil {
		return err
	}
	if auto := engine.OutputAuto.String(); old.OutputKind != auto && cur.OutputKind == auto {
		cur.OutputKind = old.OutputKind
	}
	if old.Name == "" {
		// Recorded before names were: the name changes no prediction.
		old.Name = cur.Name
	}
	if old.ExecutionProvider == "" {
		old.ExecutionProvider = cur.ExecutionProvider // recorded since; Device tells the rest
	}
	if old.Layout == "" {
		old.Layout = cur.Layout // recorded since; the model file's sha256 tells the rest
	}
	if cs := Diff(old, *cur); len(cs) > 0 {
		return fmt.Errorf("the existing output was made with different settings (%s) — %s; start afresh instead of resuming", path, joinChanges(cs))
	}
	return nil
}
