package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/imagenetx/imagenetx/preprocess"
)

// DefaultCropPct is timm's DEFAULT_CROP_PCT, used when a configuration gives
// an input size without crop_pct.
const DefaultCropPct = 0.875

// Settings are model choices from a sidecar JSON or command-line flags; nil
// fields leave the model's value alone.
type Settings struct {
	CropSize      *int
	ResizeSize    *int
	CropPct       *float64
	Interpolation *preprocess.Interpolation
	Mean, Std     *[3]float32
	Classes       *int
	LabelOffset   *int
	Layout        *preprocess.Layout
	Output        *string
}

// sidecarJSON is the accepted JSON: timm's pretrained_cfg keys (at the top
// level or under "pretrained_cfg", as in a Hugging Face config.json), plus
// imagenetx's resize_size, layout and output. Other keys are ignored.
type sidecarJSON struct {
	InputSize     []int        `json:"input_size"`
	Interpolation *string      `json:"interpolation"`
	Mean          []float64    `json:"mean"`
	Std           []float64    `json:"std"`
	CropPct       *float64     `json:"crop_pct"`
	CropMode      *string      `json:"crop_mode"`
	NumClasses    *int         `json:"num_classes"`
	LabelOffset   *int         `json:"label_offset"`
	ResizeSize    *int         `json:"resize_size"`
	Layout        *string      `json:"layout"`
	Output        *string      `json:"output"`
	PretrainedCfg *sidecarJSON `json:"pretrained_cfg"`
}

// maxSidecarBytes bounds a sidecar file.
const maxSidecarBytes = 1 << 20

// SidecarPaths lists where a model's sidecar may be: MODEL.json and
// MODEL.onnx.json beside MODEL.onnx.
func SidecarPaths(modelPath string) []string {
	base := strings.TrimSuffix(modelPath, ".onnx")
	return []string{base + ".json", modelPath + ".json"}
}

// LoadSidecar reads the first sidecar found beside modelPath; found is false
// when there is none.
func LoadSidecar(modelPath string) (s Settings, path string, found bool, err error) {
	for _, p := range SidecarPaths(modelPath) {
		f, err := os.Open(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return Settings{}, p, false, err
		}
		data, err := io.ReadAll(io.LimitReader(f, maxSidecarBytes+1))
		f.Close()
		if err != nil {
			return Settings{}, p, false, fmt.Errorf("read %s: %w", p, err)
		}
		if len(data) > maxSidecarBytes {
			return Settings{}, p, false, fmt.Errorf("%s: larger than %d bytes", p, maxSidecarBytes)
		}
		s, err := ParseSidecar(data, p)
		return s, p, true, err
	}
	return Settings{}, "", false, nil
}

// ParseSidecar reads a sidecar JSON; source names it in errors.
func ParseSidecar(data []byte, source string) (Settings, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw sidecarJSON
	if err := dec.Decode(&raw); err != nil {
		return Settings{}, fmt.Errorf("%s: %w", source, describeJSONError(data, err))
	}
	if dec.More() {
		return Settings{}, fmt.Errorf("%s: data after the JSON object", source)
	}
	if raw.PretrainedCfg != nil {
		outer := raw
		raw = *raw.PretrainedCfg
		if raw.NumClasses == nil {
			raw.NumClasses = outer.NumClasses
		}
	}
	s, err := raw.settings()
	if err != nil {
		return Settings{}, fmt.Errorf("%s: %w", source, err)
	}
	return s, nil
}

// describeJSONError adds the line number to a JSON syntax error.
func describeJSONError(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	if errors.As(err, &se) {
		off = se.Offset
	} else if errors.As(err, &te) {
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return err
	}
	return fmt.Errorf("line %d: %w", bytes.Count(data[:off], []byte("\n"))+1, err)
}

func (r *sidecarJSON) settings() (Settings, error) {
	var s Settings
	if r.InputSize != nil {
		size, err := squareInput(r.InputSize)
		if err != nil {
			return s, err
		}
		s.CropSize = &size
		// timm resizes to floor(size / crop_pct) when no size is given.
		pct := DefaultCropPct
		s.CropPct = &pct
		zero := 0
		s.ResizeSize = &zero
	}
	if r.CropPct != nil {
		if !(*r.CropPct > 0 && *r.CropPct <= 1) {
			return s, fmt.Errorf("crop_pct %v: want a number in (0, 1]", *r.CropPct)
		}
		pct, zero := *r.CropPct, 0
		s.CropPct, s.ResizeSize = &pct, &zero
	}
	if r.CropMode != nil && *r.CropMode != "center" {
		return s, fmt.Errorf("crop_mode %q: only \"center\" is supported", *r.CropMode)
	}
	if r.ResizeSize != nil {
		if *r.ResizeSize <= 0 {
			return s, fmt.Errorf("resize_size %d: want a positive size", *r.ResizeSize)
		}
		s.ResizeSize = r.ResizeSize
	}
	return s, r.moreSettings(&s)
}

func (r *sidecarJSON) moreSettings(s *Settings) error {
	var err error
	if r.Interpolation != nil {
		in, perr := preprocess.ParseInterpolation(*r.Interpolation)
		if perr != nil {
			return fmt.Errorf("interpolation: %w", perr)
		}
		s.Interpolation = &in
	}
	if s.Mean, err = triple("mean", r.Mean, false); err != nil {
		return err
	}
	if s.Std, err = triple("std", r.Std, true); err != nil {
		return err
	}
	if err := classSettings(r.NumClasses, r.LabelOffset, s); err != nil {
		return err
	}
	if r.Layout != nil {
		l, err := ParseLayout(*r.Layout)
		if err != nil {
			return err
		}
		s.Layout = &l
	}
	if r.Output != nil {
		o, err := ParseOutput(*r.Output)
		if err != nil {
			return err
		}
		s.Output = &o
	}
	return nil
}

// squareInput reads timm's [channels, height, width].
func squareInput(v []int) (int, error) {
	if len(v) != 3 || v[0] != 3 {
		return 0, fmt.Errorf("input_size %v: want [3, size, size]", v)
	}
	if v[1] != v[2] {
		return 0, fmt.Errorf("input_size %v: only square inputs are supported", v)
	}
	if v[1] <= 0 || v[1] > 1<<14 {
		return 0, fmt.Errorf("input_size %v: size out of range", v)
	}
	return v[1], nil
}

func triple(name string, v []float64, positive bool) (*[3]float32, error) {
	if v == nil {
		return nil, nil
	}
	if len(v) != 3 {
		return nil, fmt.Errorf("%s %v: want 3 numbers (R, G, B)", name, v)
	}
	var out [3]float32
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > math.MaxFloat32 || (positive && !(x > 0)) {
			return nil, fmt.Errorf("%s %v: entry %d out of range", name, v, i)
		}
		out[i] = float32(x)
	}
	return &out, nil
}

// classSettings accepts ImageNet-1k label spaces: 1000 classes, or 1001 with
// background at index 0 (label offset 1 unless stated).
func classSettings(numClasses, labelOffset *int, s *Settings) error {
	if numClasses != nil {
		if *numClasses != 1000 && *numClasses != 1001 {
			return fmt.Errorf("num_classes %d: imagenetx audits ImageNet-1k classifiers (1000 classes, or 1001 with background)", *numClasses)
		}
		s.Classes = numClasses
		if *numClasses == 1001 && labelOffset == nil {
			one := 1
			s.LabelOffset = &one
		}
	}
	if labelOffset != nil {
		if *labelOffset != 0 && *labelOffset != 1 {
			return fmt.Errorf("label_offset %d: want 0 or 1", *labelOffset)
		}
		s.LabelOffset = labelOffset
	}
	return nil
}

// ParseLayout reads "NCHW" or "NHWC" (any case).
func ParseLayout(s string) (preprocess.Layout, error) {
	switch strings.ToUpper(s) {
	case "NCHW":
		return preprocess.NCHW, nil
	case "NHWC":
		return preprocess.NHWC, nil
	}
	return 0, fmt.Errorf("layout %q: want NCHW or NHWC", s)
}

// ParseOutput reads an output kind: auto, logits, probabilities (probs, softmax).
func ParseOutput(s string) (string, error) {
	switch strings.ToLower(s) {
	case "auto", "":
		return OutputAuto, nil
	case "logits":
		return OutputLogits, nil
	case "probabilities", "probs", "softmax":
		return OutputProbabilities, nil
	}
	return "", fmt.Errorf("output %q: want auto, logits or probabilities", s)
}

// Apply returns m with the settings that are set.
func (s Settings) Apply(m Model) (Model, error) {
	m.Preprocess = s.ApplyPreprocess(m.Preprocess)
	setInt(&m.Classes, s.Classes)
	setInt(&m.LabelOffset, s.LabelOffset)
	if s.Layout != nil {
		m.Layout, m.LayoutKnown = *s.Layout, true
	}
	if s.Output != nil {
		m.Output = *s.Output
	}
	if m.Classes != 1001 && m.LabelOffset != 0 {
		return m, fmt.Errorf("model %s: label offset %d with 1000 classes", m.Name, m.LabelOffset)
	}
	return m, nil
}

// ApplyPreprocess returns cfg with the preprocessing settings that are set
// (crop, resize, crop_pct, interpolation, mean, std).
func (s Settings) ApplyPreprocess(cfg preprocess.Config) preprocess.Config {
	setInt(&cfg.CropSize, s.CropSize)
	setInt(&cfg.ResizeSize, s.ResizeSize)
	if s.CropPct != nil {
		cfg.CropPct = *s.CropPct
	}
	if s.Interpolation != nil {
		cfg.Interpolation = *s.Interpolation
	}
	if s.Mean != nil {
		cfg.Mean = *s.Mean
	}
	if s.Std != nil {
		cfg.Std = *s.Std
	}
	return cfg
}

func setInt(dst *int, v *int) {
	if v != nil {
		*dst = *v
	}
}
