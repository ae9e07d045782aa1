package models

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/imagenetx/imagenetx/models/fetch"
	"github.com/imagenetx/imagenetx/preprocess"
)

// ErrNotInstalled marks a registered model whose file is missing from the
// data home and the mirror, or fails its pinned sha256: set-up (package
// fetch, Model.Asset) fetches it.
var ErrNotInstalled = errors.New("not installed")

// Spec is a model ready to open: its description and file.
type Spec struct {
	Model
	// Path is the .onnx file.
	Path string
	// SHA256 is the file's digest (computed, so outputs can record it).
	SHA256 string
	// Registered is true when the file is a registry model (by sha256).
	Registered bool
	// Sidecar is the sidecar JSON applied, "" for none.
	Sidecar string
}

// unregistered is the starting description of a model outside the
// registry: timm's defaults (crop_pct 0.875, bilinear, ImageNet mean/std),
// with the crop size, layout and class count taken from the model file
// (zero values).
func unregistered(path string) Model {
	cfg := preprocess.DefaultConfig()
	cfg.ResizeSize, cfg.CropSize, cfg.CropPct = 0, 0, DefaultCropPct
	name := strings.TrimSuffix(filepath.Base(path), ".onnx")
	return Model{Name: name, FileName: filepath.Base(path), Preprocess: cfg, Output: OutputAuto}
}

// Resolve finds the model ref names: a registered model's name (its file is
// looked for in each of dirs, in order, and must match the pinned sha256),
// or the path of any .onnx file. A file whose sha256 is a registered
// model's gets that model's description (preprocessing, output) whatever
// its name, but is named by its stem, as any file given by path is: a
// copy saved as mymodel.onnx is "mymodel". A sidecar JSON beside the file
// (MODEL.json) is applied on top.
func Resolve(ref string, dirs []string) (Spec, error) {
	if m, ok := Lookup(ref); ok && !isFile(ref) {
		return resolveRegistered(m, dirs)
	}
	if !isFile(ref) {
		return Spec{}, fmt.Errorf("model %q: no such file, and not a known model (%s)", ref, Names())
	}
	sum, err := fetch.FileSHA256(ref)
	if err != nil {
		return Spec{}, fmt.Errorf("model %s: %w", ref, err)
	}
	spec := Spec{Model: unregistered(ref), Path: ref, SHA256: sum}
	if m, ok := LookupSHA256(sum); ok {
		m.Name, m.FileName = spec.Name, spec.FileName
		spec.Model, spec.Registered = m, true
	}
	return withSidecar(spec)
}

func resolveRegistered(m Model, dirs []string) (Spec, error) {
	var looked []string
	for _, d := range dirs {
		p := filepath.Join(d, m.FileName)
		err := fetch.VerifyFile(p, m.SHA256)
		if errors.Is(err, os.ErrNotExist) {
			looked = append(looked, p)
			continue
		}
		if err != nil {
			return Spec{}, fmt.Errorf("model %s: %w (%w: delete it and fetch it again)", m.Name, err, ErrNotInstalled)
		}
		return withSidecar(Spec{Model: m, Path: p, SHA256: m.SHA256, Registered: true})
	}
	return Spec{}, fmt.Errorf("model %s: %w: file %s not found (looked in %q); fetch it into the data home, or give the .onnx file's path",
		m.Name, ErrNotInstalled, m.FileName, looked)
}

func withSidecar(spec Spec) (Spec, error) {
	s, path, found, err := LoadSidecar(spec.Path)
	if err != nil {
		return Spec{}, err
	}
	if !found {
		return spec, nil
	}
	if spec.Model, err = s.Apply(spec.Model); err != nil {
		return Spec{}, fmt.Errorf("%s: %w", path, err)
	}
	spec.Sidecar = path
	return spec, nil
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// FitInput completes a description with what the model file says: the
// layout its input shape shows and its fixed input size (0 when dynamic).
// Stated values must agree with the file.
func (s *Spec) FitInput(layout preprocess.Layout, size int) error {
	if s.LayoutKnown && s.Layout != layout {
		return fmt.Errorf("model %s: configured for %v input but the file's input is %v", s.Path, s.Layout, layout)
	}
	s.Layout, s.LayoutKnown = layout, true
	cfg := &s.Preprocess
	switch {
	case cfg.CropSize == 0 && size > 0:
		cfg.CropSize = size
	case cfg.CropSize == 0:
		cfg.CropSize = 224 // dynamic size and nothing stated: ImageNet's usual
	case size > 0 && cfg.CropSize != size:
		return fmt.Errorf("model %s: preprocessing crops %d pixels but the model takes %d", s.Path, cfg.CropSize, size)
	}
	return s.Model.Validate()
}
