package population

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/internal/shareddata"
)

// referencePython returns a Python with pandas and scipy (IMAGENETX_PYTHON,
// else /usr/bin/python3, else python3 on PATH); it skips locally when there
// is none and fails under CI, so CI never passes by skipping.
func referencePython(t *testing.T) string {
	t.Helper()
	for _, py := range []string{os.Getenv("IMAGENETX_PYTHON"), "/usr/bin/python3", "python3"} {
		if py != "" && exec.Command(py, "-c", "import pandas, scipy.stats").Run() == nil {
			return py
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("pandas and scipy required under CI (Debian: apt-get install python3-pandas python3-scipy)")
	}
	t.Skip("no python3 with pandas and scipy; set IMAGENETX_PYTHON")
	return ""
}

type refRow struct {
	Factor  string  `json:"factor"`
	Group   string  `json:"group"`
	NModels int     `json:"n_models"`
	Mean    float64 `json:"mean"`
	Std     float64 `json:"std"`
	P       float64 `json:"p"`
}

type refPlacement struct {
	Model      string  `json:"model"`
	Factor     string  `json:"factor"`
	ErrorRatio float64 `json:"error_ratio"`
	Percentile float64 `json:"percentile"`
	Expected   float64 `json:"expected"`
	Lo         float64 `json:"lo"`
	Hi         float64 `json:"hi"`
	Residual   float64 `json:"residual"`
}

type reference struct {
	NPopulation        int            `json:"n_population"`
	Population         []string       `json:"population"`
	Types              []refRow       `json:"types"`
	TypesKendallW      float64        `json:"types_kendall_w"`
	TypesMeanSpearman  float64        `json:"types_mean_spearman"`
	TypesSpearmanPairs int            `json:"types_spearman_pairs"`
	Architecture       []refRow       `json:"architecture"`
	NArchitecture      int            `json:"n_architecture"`
	ArchKendallW       float64        `json:"architecture_kendall_w"`
	ArchMeanSpearman   float64        `json:"architecture_mean_spearman"`
	ScatterOrder       []string       `json:"scatter_order"`
	NScatter           int            `json:"n_scatter"`
	Placement          []refPlacement `json:"placement"`
}

func runReference(t *testing.T, py, results string, release eval.FactorSet, et eval.ErrorType, place string) reference {
	t.Helper()
	script, err := filepath.Abs("../../scripts/reference_types.py")
	if err != nil {
		t.Fatal(err)
	}
	args := []string{script, "--results", results, "--release", release.String(), "--error-type", ErrorTypeDir(et)}
	if place != "" {
		args = append(args, "--place", place)
	}
	out, err := exec.Command(py, args...).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("reference_types.py: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(out, &ref); err != nil {
		t.Fatal(err)
	}
	return ref
}

const tol = 1e-9

func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

func checkComparison(t *testing.T, what string, c *Comparison, want []refRow) {
	t.Helper()
	if len(c.Rows) != len(want) {
		t.Fatalf("%s: %d rows, reference has %d", what, len(c.Rows), len(want))
	}
	byKey := map[string]refRow{}
	for _, r := range want {
		byKey[r.Factor+"|"+r.Group] = r
	}
	for _, r := range c.Rows {
		w, ok := byKey[eval.Factors[r.Factor]+"|"+r.Group]
		if !ok {
			t.Errorf("%s: row %s/%s not in the reference", what, eval.Factors[r.Factor], r.Group)
			continue
		}
		if r.NModels != w.NModels || !near(r.MeanErrorRatio, w.Mean) || !near(r.StdErrorRatio, w.Std) || !near(r.P, w.P) {
			t.Errorf("%s %s/%s: n=%d mean=%.17g std=%.17g p=%.17g; reference n=%d mean=%.17g std=%.17g p=%.17g",
				what, eval.Factors[r.Factor], r.Group, r.NModels, r.MeanErrorRatio, r.StdErrorRatio, r.P, w.NModels, w.Mean, w.Std, w.P)
		}
	}
}

// TestAgainstToolkit checks the type and architecture comparisons, their
// consistency, the scatter's panel order and the placement of the base
// models against the toolkit's own computation (pandas, scipy) for both
// releases and every error type.
func TestAgainstToolkit(t *testing.T) {
	results := shareddata.Require(t, "results")
	py := referencePython(t)
	for _, release := range []eval.FactorSet{eval.TopFactor, eval.MultiFactor} {
		for _, et := range eval.ErrorTypes {
			t.Run(release.String()+"/"+et.String(), func(t *testing.T) {
				place := TablePath(results, release, et, Base)
				ref := runReference(t, py, results, release, et, place)
				pub, err := LoadPublished(results, release, et)
				if err != nil {
					t.Fatal(err)
				}
				pop := pub.ByType()
				if len(pop.Models) != ref.NPopulation || len(pop.Models) != 209 {
					t.Fatalf("type population: %d models, reference %d (the paper's 209)", len(pop.Models), ref.NPopulation)
				}
				for i, m := range pop.Models {
					if m.Row.Model != ref.Population[i] {
						t.Fatalf("type population model %d: %s, reference %s", i, m.Row.Model, ref.Population[i])
					}
				}
				c, err := Compare(pop)
				if err != nil {
					t.Fatal(err)
				}
				checkComparison(t, "types", c, ref.Types)
				cons, err := Consistent(context.Background(), pop, c)
				if err != nil {
					t.Fatal(err)
				}
				if !near(cons.KendallW, ref.TypesKendallW) || !near(cons.MeanSpearman, ref.TypesMeanSpearman) || cons.Pairs != ref.TypesSpearmanPairs {
					t.Errorf("types consistency W=%.17g ρ=%.17g over %d pairs; reference W=%.17g ρ=%.17g over %d", cons.KendallW, cons.MeanSpearman, cons.Pairs, ref.TypesKendallW, ref.TypesMeanSpearman, ref.TypesSpearmanPairs)
				}

				arch := pub.ByArchitecture()
				if len(arch.Models) != ref.NArchitecture {
					t.Fatalf("architecture population: %d models, reference %d", len(arch.Models), ref.NArchitecture)
				}
				ca, err := Compare(arch)
				if err != nil {
					t.Fatal(err)
				}
				checkComparison(t, "architecture", ca, ref.Architecture)
				consA, err := Consistent(context.Background(), arch, ca)
				if err != nil {
					t.Fatal(err)
				}
				if !near(consA.KendallW, ref.ArchKendallW) || !near(consA.MeanSpearman, ref.ArchMeanSpearman) {
					t.Errorf("architecture consistency W=%.17g ρ=%.17g; reference W=%.17g ρ=%.17g", consA.KendallW, consA.MeanSpearman, ref.ArchKendallW, ref.ArchMeanSpearman)
				}

				scatter := pub.Scatter()
				if len(scatter) != ref.NScatter {
					t.Errorf("scatter: %d models, reference %d", len(scatter), ref.NScatter)
				}
				var order []string
				for _, f := range ScatterOrder(scatter) {
					order = append(order, eval.Factors[f])
				}
				if strings.Join(order, ",") != strings.Join(ref.ScatterOrder, ",") {
					t.Errorf("scatter order\n got %v\nwant %v", order, ref.ScatterOrder)
				}

				refPop, err := NewReference(pop)
				if err != nil {
					t.Fatal(err)
				}
				byKey := map[string]refPlacement{}
				for _, p := range ref.Placement {
					byKey[p.Model+"|"+p.Factor] = p
				}
				n := 0
				for _, row := range pub.Tables[Base].Rows {
					for _, p := range refPop.Place(&row) {
						w, ok := byKey[row.Model+"|"+eval.Factors[p.Factor]]
						if !ok {
							t.Fatalf("placement %s/%s not in the reference", row.Model, eval.Factors[p.Factor])
						}
						n++
						if !near(p.ErrorRatio, w.ErrorRatio) || !near(p.Percentile, w.Percentile) || !near(p.Expected, w.Expected) ||
							!near(p.ExpectedLo, w.Lo) || !near(p.ExpectedHi, w.Hi) || !near(p.Residual, w.Residual) {
							t.Errorf("placement %s/%s: %+v; reference %+v", row.Model, eval.Factors[p.Factor], p, w)
						}
					}
				}
				if n != len(ref.Placement) {
					t.Errorf("%d placements, reference %d", n, len(ref.Placement))
				}
			})
		}
	}
}

// TestPaperClaim pins what the published results say: the types agree on
// which factors are hard (Kendall's W near 1), and so do the models.
func TestPaperClaim(t *testing.T) {
	results := shareddata.Require(t, "results")
	pub, err := LoadPublished(results, eval.TopFactor, eval.ErrorClass)
	if err != nil {
		t.Fatal(err)
	}
	for _, pop := range []*Population{pub.ByType(), pub.ByArchitecture()} {
		c, err := Compare(pop)
		if err != nil {
			t.Fatal(err)
		}
		cons, err := Consistent(context.Background(), pop, c)
		if err != nil {
			t.Fatal(err)
		}
		if cons.KendallW < 0.9 || cons.MeanSpearman < 0.6 {
			t.Errorf("%s: W=%.3f ρ=%.3f, the paper finds consistent failure modes", pop.By, cons.KendallW, cons.MeanSpearman)
		}
	}
}

func TestReadModelTypes(t *testing.T) {
	for _, tc := range []struct{ in, err string }{
		{"model,model_type,architecture\na,Self-supervised,convolutional\nb,,other\n", ""},
		{"", "empty file"},
		{"model,type\n", `no "model_type" column`},
		{"model,model_type,architecture\na,x,convolutional\na,y,convolutional\n", "listed twice"},
		{"model,model_type,architecture\n,x,convolutional\n", "empty model name"},
		{"model,model_type,architecture\na,x,quantum\n", `architecture "quantum"`},
		{"model,model_type,architecture\na,x\n", "wrong number of fields"},
		{"model,model_type,architecture\n" + strings.Repeat("a", 5000) + ",x,quantum\n", "architecture"},
	} {
		kinds, err := ReadModelTypes(strings.NewReader(tc.in), "types.csv")
		if tc.err == "" {
			if err != nil || len(kinds) != 2 || kinds["a"].Type != "Self-supervised" || kinds["b"].Architecture != "other" {
				t.Errorf("%q: %v %v", tc.in, kinds, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "types.csv") {
			t.Errorf("%.40q: error %v, want one naming the file and %q", tc.in, err, tc.err)
		}
		if err != nil && len(err.Error()) > 400 {
			t.Errorf("error quotes %d bytes of input", len(err.Error()))
		}
	}
}

func FuzzReadModelTypes(f *testing.F) {
	f.Add([]byte("model,model_type,architecture\na,Self-supervised,convolutional\n"))
	f.Add([]byte("model,model_type,architecture\n\"a\nb\",,other\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		kinds, err := ReadModelTypes(strings.NewReader(string(data)), "fuzz")
		if err == nil {
			for m, k := range kinds {
				if m == "" || (k.Architecture != "" && k.Architecture != "transformer" && k.Architecture != "convolutional" && k.Architecture != "other") {
					t.Fatalf("accepted %q %+v", m, k)
				}
			}
		}
	})
}

// TestPlacementFlags checks Separate and Indicative on a made-up
// population: a line y = 1 + (x − 0.5) with small noise.
func TestPlacementFlags(t *testing.T) {
	pop := &Population{By: "model_type", Groups: []string{"a", "b"}}
	for i := range 40 {
		var r eval.Row
		r.Model = fmt.Sprint("m", i)
		r.Average = 0.5 + float64(i)*0.01
		for f := range eval.NumFactors {
			ratio := 1 + (r.Average - 0.5) + 0.002*float64(i%3-1)
			r.Factor[f] = 1 - ratio*(1-r.Average)
		}
		pop.Models = append(pop.Models, Model{Row: r, Group: []string{"a", "b"}[i%2]})
	}
	ref, err := NewReference(pop)
	if err != nil {
		t.Fatal(err)
	}
	// A model with counts: 1,000 images scored of 2,000 annotated, 700
	// right; pose 60 of 200 right (ratio 2.33, far above the ~1.2 expected),
	// background as expected.
	var row eval.Row
	row.Model, row.N, row.NCorrect, row.Annotated = "mine", 1000, 700, 2000
	row.Average = 0.7
	row.Count[0], row.Correct[0] = 200, 60
	row.Count[1], row.Correct[1] = 200, 128
	for f := range eval.NumFactors {
		if row.Count[f] > 0 {
			row.Factor[f] = float64(row.Correct[f]) / float64(row.Count[f])
		} else {
			row.Factor[f] = math.NaN()
		}
	}
	ps := ref.Place(&row)
	if !ps[0].Separate || !ps[0].Above() || ps[0].Percentile != 100 {
		t.Errorf("pose: %+v, want separate and above, 100th percentile", ps[0])
	}
	if ps[1].Separate {
		t.Errorf("background: %+v, want not separate", ps[1])
	}
	// The small-sample rule (eval.Enough): pattern 1 of 11 right is far
	// above the line, its interval too, but 11 images single out nothing.
	row.Count[2], row.Correct[2] = 11, 1
	row.Factor[2] = 1.0 / 11
	if p := ref.Place(&row)[2]; p.Separate || !p.FewImages || !(p.Lo > p.ExpectedHi) {
		t.Errorf("pattern on 11 images: %+v, want flagged few and not separate, though its interval lies above", p)
	}
	if notes := strings.Join(Notes(&row, ref.Place(&row), 40), "\n"); strings.Contains(notes, "pattern") {
		t.Errorf("the notes name a factor on 11 images:\n%s", notes)
	}
	if !Indicative(&row) {
		t.Error("1,000 of 2,000 images: want indicative")
	}
	row.N = 2000
	if Indicative(&row) {
		t.Error("all images: want not indicative")
	}
}
