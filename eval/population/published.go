package population

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/internal/clip"
)

// Source is one of the paper's published result tables.
type Source string

// The published sources of factor tables, in the order the toolkit
// concatenates them.
const (
	// Testbed is the ImageNet testbed's models (Taori et al.).
	Testbed Source = "imagenet_testbed"
	// ModelVsHuman is model-vs-human's models (Geirhos et al.).
	ModelVsHuman Source = "modelvshuman"
	// Base is the paper's four base models (DINO, ResNet50, SimCLR, ViT).
	Base Source = "base"
)

// Sources lists the sources in precedence order: a model name in two of
// them counts with its row from the first.
var Sources = []Source{Testbed, ModelVsHuman, Base}

// ComparedTypes are the model types the paper compares, in the order of
// the toolkit's MODEL_TYPE_ORDER.
var ComparedTypes = []string{
	"Supervised on more data",
	"Supervised on ImageNet-1K",
	"Self-supervised",
	"Robustness intervention",
}

// ComparedArchitectures are the architectures compared by ByArchitecture.
var ComparedArchitectures = []string{"transformer", "convolutional"}

// SelfSupervised are the toolkit's SELFSUPERVISED_MODELS: the rows of
// model-vs-human and base that join the testbed in the type comparison.
var SelfSupervised = []string{
	"simclr_resnet50x1", "simclr_resnet50x2", "simclr_resnet50x4",
	"InsDis", "MoCo", "PIRL", "MoCoV2", "InfoMin", "DINO",
}

// Human is the row of the original validation labels scored against ReaL
// labels, and HumanType the type the toolkit gives it; it is drawn in the
// ReaL scatter but never compared.
const (
	Human     = "human"
	HumanType = "Original validation annotations"
)

// Kind is a model's type and architecture as model_types.csv gives them.
type Kind struct {
	// Type is the toolkit's ModelTypes value; "" where it has none (it
	// calls those "Other").
	Type string
	// Architecture is "transformer", "convolutional" or "other".
	Architecture string
}

// Model is one model of a population: its factor table row, where it comes
// from, and its kind.
type Model struct {
	Row    eval.Row
	Source Source
	Kind
	// Group is the group the model is compared in (its type or its
	// architecture, by the population).
	Group string
}

// Population is a set of models split into groups.
type Population struct {
	// By names the grouping: "model_type" or "architecture".
	By string
	// Groups are the groups, in order.
	Groups []string
	Models []Model
}

// Published holds the paper's published tables for one release and error
// type, with every model's kind.
type Published struct {
	Release   eval.FactorSet
	ErrorType eval.ErrorType
	// Tables are the three sources' factor tables.
	Tables map[Source]*eval.Table
	// Kinds maps model names to their kind (model_types.csv).
	Kinds map[string]Kind
}

// ErrorTypeDir is the folder name the published results use for an error
// type (class, metaclass, real_class).
func ErrorTypeDir(et eval.ErrorType) string {
	if et == eval.ErrorReal {
		return "real_class"
	}
	return et.String()
}

// TablePath is where, under a results folder laid out as the toolkit's
// results/, a source's factor table for a release and error type lies.
func TablePath(dir string, release eval.FactorSet, et eval.ErrorType, src Source) string {
	return filepath.Join(dir, "val", release.String()+"_factor", string(src), ErrorTypeDir(et), "accuracies_per_factor.csv")
}

// ModelTypesPath is where model_types.csv lies under a results folder.
func ModelTypesPath(dir string) string { return filepath.Join(dir, "model_types.csv") }

// LoadPublished reads the three published tables of a release and error
// type, and the model types, from a folder laid out as the toolkit's
// results/.
func LoadPublished(dir string, release eval.FactorSet, et eval.ErrorType) (*Published, error) {
	p := &Published{Release: release, ErrorType: et, Tables: map[Source]*eval.Table{}}
	for _, src := range Sources {
		t, err := eval.ReadTableFile(TablePath(dir, release, et, src))
		if err != nil {
			return nil, fmt.Errorf("published results: %w", err)
		}
		if t.ByMetaclass {
			return nil, fmt.Errorf("published results: %s is a by-metaclass table", TablePath(dir, release, et, src))
		}
		p.Tables[src] = t
	}
	f, err := os.Open(ModelTypesPath(dir))
	if err != nil {
		return nil, fmt.Errorf("published results: %w", err)
	}
	defer f.Close()
	if p.Kinds, err = ReadModelTypes(f, ModelTypesPath(dir)); err != nil {
		return nil, fmt.Errorf("published results: %w", err)
	}
	return p, nil
}

// ReadModelTypes reads model_types.csv: model,model_type,architecture.
// source names the input in errors.
func ReadModelTypes(r io.Reader, source string) (map[string]Kind, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file", source)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, want := range []string{"model", "model_type", "architecture"} {
		if _, ok := col[want]; !ok {
			return nil, fmt.Errorf("%s:1: no %q column (want model,model_type,architecture)", source, want)
		}
	}
	kinds := map[string]Kind{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return kinds, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", source, err)
		}
		line, _ := cr.FieldPos(0)
		model := rec[col["model"]]
		if model == "" {
			return nil, fmt.Errorf("%s:%d: empty model name", source, line)
		}
		if _, dup := kinds[model]; dup {
			return nil, fmt.Errorf("%s:%d: model %s listed twice", source, line, clip.Quote(model))
		}
		arch := rec[col["architecture"]]
		switch arch {
		case "transformer", "convolutional", "other", "":
		default:
			return nil, fmt.Errorf("%s:%d: architecture %s (want transformer, convolutional or other)", source, line, clip.Quote(arch))
		}
		kinds[model] = Kind{Type: rec[col["model_type"]], Architecture: arch}
	}
}

// model returns a model of src with its kind.
func (p *Published) model(row eval.Row, src Source) Model {
	m := Model{Row: row, Source: src, Kind: p.Kinds[row.Model]}
	return m
}

// typeOf is the toolkit's extract_and_filter_by_model_type label.
func (p *Published) typeOf(name string) string {
	if k, ok := p.Kinds[name]; ok && k.Type != "" {
		return k.Type
	}
	if name == Human {
		return HumanType
	}
	return "Other"
}

// Scatter returns the models of the toolkit's high-level scatter: the
// testbed, then the self-supervised models of model-vs-human and base,
// kept when their type is compared — and, for the ReaL error type, the
// original validation labels (human) too. Group is the type.
func (p *Published) Scatter() []Model {
	keep := slices.Clone(ComparedTypes)
	if p.ErrorType == eval.ErrorReal {
		keep = append(keep, HumanType)
	}
	var out []Model
	for _, src := range Sources {
		for _, row := range p.Tables[src].Rows {
			if src != Testbed && !slices.Contains(SelfSupervised, row.Model) {
				continue
			}
			typ := p.typeOf(row.Model)
			if !slices.Contains(keep, typ) {
				continue
			}
			m := p.model(row, src)
			m.Group = typ
			out = append(out, m)
		}
	}
	return out
}

// ByType returns the paper's model-type population: Scatter's models of
// the four compared types (209 models in the published results).
func (p *Published) ByType() *Population {
	pop := &Population{By: "model_type", Groups: slices.Clone(ComparedTypes)}
	for _, m := range p.Scatter() {
		if slices.Contains(ComparedTypes, m.Group) {
			pop.Models = append(pop.Models, m)
		}
	}
	return pop
}

// ByArchitecture returns every model of the three sources, typed or not,
// whose architecture is transformer or convolutional, each model name
// once (the first source's row counts).
func (p *Published) ByArchitecture() *Population {
	pop := &Population{By: "architecture", Groups: slices.Clone(ComparedArchitectures)}
	seen := map[string]bool{}
	for _, src := range Sources {
		for _, row := range p.Tables[src].Rows {
			if seen[row.Model] {
				continue
			}
			seen[row.Model] = true
			m := p.model(row, src)
			if !slices.Contains(ComparedArchitectures, m.Architecture) {
				continue
			}
			m.Group = m.Architecture
			pop.Models = append(pop.Models, m)
		}
	}
	return pop
}

// Groupings are the names Grouped takes: "type" (ByType) and
// "architecture" (ByArchitecture).
var Groupings = []string{"type", "architecture"}

// Grouped returns the population of a grouping named in Groupings.
func (p *Published) Grouped(grouping string) (*Population, error) {
	switch grouping {
	case "type":
		return p.ByType(), nil
	case "architecture":
		return p.ByArchitecture(), nil
	}
	return nil, fmt.Errorf("population: unknown grouping %q (want type or architecture)", grouping)
}

// Group returns the models of one group.
func (pop *Population) Group(name string) []Model {
	var out []Model
	for _, m := range pop.Models {
		if m.Group == name {
			out = append(out, m)
		}
	}
	return out
}
