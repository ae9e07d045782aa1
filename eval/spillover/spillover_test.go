package spillover

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/tabular"
)

func closeRel(got, want, tol float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= tol*math.Max(math.Abs(want), 1e-300)
}

// syntheticTable builds a table of models "m_s<strength>_<k>" whose average
// accuracy is 0.8 and whose factor accuracies make error ratios
//
//	pose:  1 + 0.004·s + jitter   (rises with strength)
//	color: 1.5 − 0.004·s + jitter (falls with strength)
//
// and all other factors constant 1 + jitter; the jitter k·0.001 (k < perGroup)
// gives every group a variance.
func syntheticTable(strengths []float64, perGroup int) *eval.Table {
	t := &eval.Table{}
	for _, s := range strengths {
		for k := 0; k < perGroup; k++ {
			r := eval.Row{Model: fmt.Sprintf("m_s%g_%d", s, k), Average: 0.8}
			j := float64(k) * 0.001
			for f := range r.Factor {
				ratio := 1 + j
				switch eval.Factors[f] {
				case "pose":
					ratio = 1 + 0.004*s + j
				case "color":
					ratio = 1.5 - 0.004*s + j
				}
				r.Factor[f] = 1 - ratio*(1-r.Average)
			}
			t.Rows = append(t.Rows, r)
		}
	}
	return t
}

func mustParser(t *testing.T, re, tr string) StrengthParser {
	t.Helper()
	p, err := NewStrengthParser(re, tr)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAnalyzeSignOfEffect(t *testing.T) {
	table := syntheticTable([]float64{0, 10, 20, 30, 40}, 6)
	res, err := Analyze(table, Options{Strength: mustParser(t, `_s([0-9.]+)_`, "")})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Result{}
	for _, r := range res {
		byName[r.Factor] = r
	}
	pose, color := byName["pose"], byName["color"]
	if !(pose.Effect < 0 && pose.Significant()) {
		t.Errorf("pose (error ratio rising): effect %g p %g, want negative and significant", pose.Effect, pose.PValue)
	}
	if !(color.Effect > 0 && color.Significant()) {
		t.Errorf("color (error ratio falling): effect %g p %g, want positive and significant", color.Effect, color.PValue)
	}
	for _, r := range []Result{pose, color} {
		if r.StrengthLow != 0 || r.StrengthHigh != 40 || r.NModels != 30 || r.NLow != 6 || r.NHigh != 6 {
			t.Errorf("%s: strengths %g..%g n %d (%d, %d), want 0..40 n 30 (6, 6)",
				r.Factor, r.StrengthLow, r.StrengthHigh, r.NModels, r.NLow, r.NHigh)
		}
	}
	// Mean error ratios at the compared strengths follow the construction.
	if !closeRel(color.MeanLow, 1.5025, 1e-12) || !closeRel(color.MeanHigh, 1.3425, 1e-12) {
		t.Errorf("color means %g → %g, want 1.5025 → 1.3425", color.MeanLow, color.MeanHigh)
	}
	// Equal error ratios at every strength: the same-strength groups are
	// equal in distribution; whatever strengths the flat fit picks, t is ~0.
	if bg := byName["background"]; bg.Significant() {
		t.Errorf("background (flat): effect %g p %g, want not significant", bg.Effect, bg.PValue)
	}
}

func TestAnalyzeFiltersSmallGroupsAndMissingValues(t *testing.T) {
	table := syntheticTable([]float64{0, 10, 20}, 5)
	small := syntheticTable([]float64{99}, 4) // below the default 5 models
	table.Rows = append(table.Rows, small.Rows...)
	table.Rows = append(table.Rows, eval.Row{Model: "human", Average: 0.9}, eval.Row{Model: "no_strength", Average: 0.8})
	pose, _ := eval.FactorIndex("pose")
	table.Rows[0].Factor[pose] = math.NaN() // dropped for pose only
	res, err := Analyze(table, Options{Strength: mustParser(t, `_s([0-9.]+)_`, ""), Factors: []int{pose, 3}})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Factor != "pose" || res[0].NModels != 14 || res[0].StrengthHigh != 20 {
		t.Errorf("pose: %+v, want 14 models up to strength 20", res[0])
	}
	if res[1].Factor != eval.Factors[3] || res[1].NModels != 15 {
		t.Errorf("factor 3: %+v, want 15 models", res[1])
	}
	// With min-models 4 the strength-99 group comes in.
	res, err = Analyze(table, Options{Strength: mustParser(t, `_s([0-9.]+)_`, ""), MinModels: 4, Factors: []int{pose}})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].NModels != 18 || res[0].StrengthHigh != 99 {
		t.Errorf("min-models 4: %+v, want 18 models up to strength 99", res[0])
	}
}

func TestAnalyzeErrors(t *testing.T) {
	table := syntheticTable([]float64{0, 10}, 5)
	if _, err := Analyze(table, Options{}); err == nil {
		t.Error("no strength regex accepted")
	}
	if _, err := Analyze(table, Options{Strength: mustParser(t, `zzz([0-9]+)`, "")}); err == nil ||
		!strings.Contains(err.Error(), "no strength") {
		t.Errorf("no model matching: err = %v", err)
	}
	bad := &eval.Table{Rows: []eval.Row{{Model: "m_s1.2.3_0"}}}
	if _, err := Analyze(bad, Options{Strength: mustParser(t, `_s([0-9.]+)_`, "")}); err == nil ||
		!strings.Contains(err.Error(), "1.2.3") {
		t.Errorf("unparsable strength: err = %v", err)
	}
	byMeta := &eval.Table{ByMetaclass: true}
	if _, err := Analyze(byMeta, Options{Strength: mustParser(t, `_s([0-9.]+)_`, "")}); err == nil {
		t.Error("by-metaclass table accepted")
	}
	if _, err := Analyze(table, Options{Strength: mustParser(t, `_s([0-9.]+)_`, ""), Factors: []int{16}}); err == nil {
		t.Error("factor index 16 accepted")
	}
}

func TestStrengthParser(t *testing.T) {
	cases := []struct {
		re, tr, model string
		want          float64
		ok            bool
	}{
		{`color([0-9.]+)`, "x", "eval_resnet50_crop100.0_wd1e-05_color13.0_id1", 13, true},
		{`crop([0-9.]+)`, "100-x", "eval_resnet50_crop8.0_wd0.0001_id1", 92, true},
		{`crop([0-9.]+)`, "100 - x", "eval_resnet50_crop0.2_wd0.0001_id1", 99.8, true},
		{`smoothing([0-9.]+)`, "", "eval_resnet50_color0.0_id1", 0, false},
	}
	for _, c := range cases {
		p := mustParser(t, c.re, c.tr)
		got, ok, err := p.Parse(c.model)
		if err != nil || ok != c.ok || (ok && !closeRel(got, c.want, 1e-15)) {
			t.Errorf("%s on %s: %g, %v, %v; want %g, %v", c.re, c.model, got, ok, err, c.want, c.ok)
		}
	}
	for _, bad := range [][2]string{{`color[0-9]+`, ""}, {`(`, ""}, {`a(b)`, "2*x"}} {
		if _, err := NewStrengthParser(bad[0], bad[1]); err == nil {
			t.Errorf("NewStrengthParser(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

func TestWriteCSVAndMarkdown(t *testing.T) {
	results := []Result{
		{Factor: "pose", Effect: -18.1, PValue: 2.6e-20, NModels: 664, StrengthLow: 1, StrengthHigh: 97, MeanLow: 1.1, MeanHigh: 1.3, NLow: 21, NHigh: 21},
		{Factor: "color", Effect: 26.7, PValue: 5.8e-27, NModels: 664, StrengthLow: 1, StrengthHigh: 97, MeanLow: 1.4, MeanHigh: 1.0, NLow: 21, NHigh: 21},
		{Factor: "style", Effect: 1.6, PValue: 0.105, NModels: 664, StrengthLow: 1, StrengthHigh: 49.5},
		{Factor: "empty", Effect: math.NaN(), PValue: math.NaN(), StrengthLow: math.NaN(), StrengthHigh: math.NaN()},
	}
	var csvOut bytes.Buffer
	if err := WriteCSV(&csvOut, results); err != nil {
		t.Fatal(err)
	}
	wantCSV := "factor,effect,pval,n_models,strength_low,strength_high,images,few_images\n" +
		"pose,-18.1,2.6e-20,664,1.0,97.0,,\ncolor,26.7,5.8e-27,664,1.0,97.0,,\nstyle,1.6,0.105,664,1.0,49.5,,\nempty,,,0,,,,\n"
	if csvOut.String() != wantCSV {
		t.Errorf("CSV:\n%s\nwant:\n%s", csvOut.String(), wantCSV)
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, results); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	for format, want := range map[tabular.Format]string{tabular.CSV: wantCSV, tabular.Markdown: out} {
		var b bytes.Buffer
		if err := Write(&b, results, format); err != nil || b.String() != want {
			t.Errorf("Write as %s: %v\n%s", format, err, b.String())
		}
	}
	if err := Write(&bytes.Buffer{}, results, tabular.JSON); err == nil {
		t.Error("spill-over results written as JSON")
	}
	for _, want := range []string{
		"| factor ", "| pose ", "- color: the error ratio falls from 1.400 at strength 1 (21 models) to 1.000 at strength 97 (21 models); Welch t = 26.70, p = 5.8e-27.",
		"- pose: the error ratio rises from 1.100 at strength 1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "- style") {
		t.Errorf("markdown has a sentence for the non-significant style:\n%s", out)
	}
	if strings.Index(out, "- color") > strings.Index(out, "- pose") {
		t.Errorf("improving factors should come before worsening ones:\n%s", out)
	}
}

func FuzzStrengthParser(f *testing.F) {
	f.Add(`color([0-9.]+)`, "100-x", "eval_resnet50_color13.0_id1")
	f.Add(`(.*)`, "x", "1e309")
	f.Fuzz(func(t *testing.T, re, tr, model string) {
		p, err := NewStrengthParser(re, tr)
		if err != nil {
			return
		}
		_, _, _ = p.Parse(model) // must not panic
	})
}

// Strengths by name give the same analysis as reading them from the names,
// and take precedence over the regex.
func TestAnalyzeStrengthsByName(t *testing.T) {
	table := syntheticTable([]float64{0, 10, 20, 30, 40}, 6)
	byRegex, err := Analyze(table, Options{Strength: mustParser(t, `_s([0-9.]+)_`, "")})
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]float64{}
	renamed := &eval.Table{}
	for i, r := range table.Rows {
		s, _, _ := mustParser(t, `_s([0-9.]+)_`, "").Parse(r.Model)
		r.Model = fmt.Sprintf("model%d", i)
		named[r.Model] = s
		renamed.Rows = append(renamed.Rows, r)
	}
	byName, err := Analyze(renamed, Options{Strengths: named})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(byName) != fmt.Sprint(byRegex) {
		t.Errorf("by name %v\nby regex %v", byName, byRegex)
	}
	// a name overrides what the regex reads: the strength-40 models at 50
	over := map[string]float64{}
	for _, r := range table.Rows {
		if strings.HasPrefix(r.Model, "m_s40_") {
			over[r.Model] = 50
		}
	}
	res, err := Analyze(table, Options{Strength: mustParser(t, `_s([0-9.]+)_`, ""), Strengths: over})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Factor != "pose" || res[0].StrengthHigh != 50 {
		t.Errorf("pose with the top group renamed to 50: %+v", res[0])
	}
	if _, err := Analyze(table, Options{Strengths: map[string]float64{"nobody": 1}}); err == nil || !strings.Contains(err.Error(), `"nobody"`) {
		t.Errorf("strength for a model the table lacks: %v", err)
	}
}

func TestParseNamedStrength(t *testing.T) {
	for _, c := range []struct {
		in   string
		name string
		s    float64
		ok   bool
	}{
		{"resnet_color0.5=0.5", "resnet_color0.5", 0.5, true},
		{"a=b=2", "a=b", 2, true},
		{"=1", "", 0, false},
		{"m=", "", 0, false},
		{"m=x", "", 0, false},
		{"m=NaN", "", 0, false},
		{"m", "", 0, false},
	} {
		name, s, err := ParseNamedStrength(c.in)
		if (err == nil) != c.ok || name != c.name || s != c.s {
			t.Errorf("%q: %q %g %v", c.in, name, s, err)
		}
	}
}

// With counts, a factor some model saw on too few images is flagged and
// not significant, however small its p-value.
func TestAnalyzeFlagsFewImages(t *testing.T) {
	table := syntheticTable([]float64{0, 10, 20, 30, 40}, 6)
	pose, _ := eval.FactorIndex("pose")
	color, _ := eval.FactorIndex("color")
	for i := range table.Rows {
		r := &table.Rows[i]
		r.N = 1000
		for f := range r.Count {
			r.Count[f] = 100
		}
		r.Count[pose] = 12 + i%3
	}
	res, err := Analyze(table, Options{Strength: mustParser(t, `_s([0-9.]+)_`, ""), MinImages: 30, Factors: []int{pose, color}})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].FewImages || res[0].Images != 12 || res[0].PValue >= Significance || res[0].Significant() {
		t.Errorf("pose on 12 images: %+v", res[0])
	}
	if res[1].FewImages || res[1].Images != 100 || !res[1].Significant() {
		t.Errorf("color on 100 images: %+v", res[1])
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "12* |") || !strings.Contains(md.String(), "too few images behind pose") || strings.Contains(md.String(), "- pose") {
		t.Errorf("markdown:\n%s", md.String())
	}
}

func FuzzParseNamedStrength(f *testing.F) {
	f.Add("resnet_color0.5=0.5")
	f.Add("a=b=1e3")
	f.Fuzz(func(t *testing.T, s string) {
		name, v, err := ParseNamedStrength(s)
		if err != nil {
			return
		}
		if name == "" || math.IsNaN(v) || math.IsInf(v, 0) || !strings.HasPrefix(s, name+"=") {
			t.Fatalf("%q: accepted as %q = %v", s, name, v)
		}
		if n2, v2, err := ParseNamedStrength(name + "=" + strconv.FormatFloat(v, 'g', -1, 64)); err != nil || n2 != name || v2 != v {
			t.Fatalf("%q: %q = %v does not read back (%q %v %v)", s, name, v, n2, v2, err)
		}
	})
}
