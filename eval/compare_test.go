package eval

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/eval/tabular"
	"github.com/imagenetx/imagenetx/predictions"
)

// compareFixture: 12 dog images (class 0). pose on 1..11, color on 1..4,
// background on 11 and 12. Model a is right on 1..10 and 12 (wrong: class 5,
// another metaclass), b on 11 and 12 (wrong: class 1, also a dog). c
// predicts images 1..6 only; d only a file without annotation.
func compareFixture(t *testing.T) *Accumulator {
	t.Helper()
	var images []fixtureImage
	for i := 1; i <= 12; i++ {
		var fs []string
		if i <= 11 {
			fs = append(fs, "pose")
		}
		if i <= 4 {
			fs = append(fs, "color")
		}
		if i >= 11 {
			fs = append(fs, "background")
		}
		images = append(images, fixtureImage{valName(i), 0, fs})
	}
	ds := fixtureDataset(t, images, nil)
	acc := NewAccumulator(ds)
	add := func(model string, i, class int) {
		t.Helper()
		if err := acc.Add(model, predictions.Prediction{FileName: valName(i), Class: class, Prob: 0.5}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= 12; i++ {
		add("a", i, map[bool]int{true: 0, false: 5}[i != 11])
		add("b", i, map[bool]int{true: 0, false: 1}[i >= 11])
		if i <= 6 {
			add("c", i, 0)
		}
	}
	if err := acc.Add("d", predictions.Prediction{FileName: "elsewhere.JPEG", Class: 0, Prob: 0.5}); err != nil {
		t.Fatal(err)
	}
	return acc
}

// Expected p-values: scipy.stats.binomtest(min(b, c), b + c, 0.5) and
// statsmodels-style Holm/BH over the three factors that have images.
func TestCompareCountsAndCorrections(t *testing.T) {
	acc := compareFixture(t)
	nan := math.NaN()
	cases := []struct {
		correction                Correction
		pose, color, background   float64 // corrected p
		significantPose, sigColor bool
	}{
		{CorrectionHolm, 0.03515625, 0.25, 1, true, false},
		{CorrectionBH, 0.03515625, 0.1875, 1, true, false},
		{CorrectionNone, 0.01171875, 0.125, 1, true, false},
	}
	for _, c := range cases {
		t.Run(c.correction.String(), func(t *testing.T) {
			cmp, err := Compare(acc, "a", "b", CompareOptions{ErrorType: ErrorClass, Correction: c.correction, Alpha: 0.05, MinImages: 1})
			if err != nil {
				t.Fatal(err)
			}
			if cmp.Shared != 12 || cmp.InAOnly != 0 || cmp.InBOnly != 0 || len(cmp.Rows) != NumFactors+1 {
				t.Fatalf("shared %d, only %d/%d, %d rows", cmp.Shared, cmp.InAOnly, cmp.InBOnly, len(cmp.Rows))
			}
			want := []struct {
				factor                        string
				n, correctA, correctB, oA, oB int
				p, adj                        float64
				significant                   bool
			}{
				{"pose", 11, 10, 1, 10, 1, 0.01171875, c.pose, c.significantPose},
				{"color", 4, 4, 0, 4, 0, 0.125, c.color, c.sigColor},
				{"background", 2, 1, 2, 0, 1, 1, c.background, false},
				{"texture", 0, 0, 0, 0, 0, nan, nan, false},
				{AverageFactor, 12, 11, 2, 10, 1, 0.01171875, 0.01171875, true},
			}
			for _, w := range want {
				r := comparisonRow(t, cmp, w.factor)
				if r.N != w.n || r.CorrectA != w.correctA || r.CorrectB != w.correctB || r.OnlyA != w.oA || r.OnlyB != w.oB {
					t.Errorf("%s: counts %+v", w.factor, r)
				}
				if !closeOrBothNaN(r.P, w.p, 1e-12) || !closeOrBothNaN(r.PAdjusted, w.adj, 1e-12) || r.Significant != w.significant {
					t.Errorf("%s: p %g adjusted %g significant %v; want %g, %g, %v", w.factor, r.P, r.PAdjusted, r.Significant, w.p, w.adj, w.significant)
				}
			}
			if d := comparisonRow(t, cmp, "pose").Difference; math.Abs(d-(-9.0/11)) > 1e-15 {
				t.Errorf("pose difference %g, want b − a = -9/11", d)
			}
		})
	}
}

func TestCompareUsesTheErrorType(t *testing.T) {
	// Under the metaclass error b's wrong classes (1, a dog) count as right.
	cmp, err := Compare(compareFixture(t), "a", "b", CompareOptions{ErrorType: ErrorMetaclass, Correction: CorrectionHolm, Alpha: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	if r := comparisonRow(t, cmp, AverageFactor); r.CorrectB != 12 || r.OnlyA != 0 || r.OnlyB != 1 {
		t.Errorf("metaclass error: %+v", r)
	}
}

func TestCompareRejectsBadInput(t *testing.T) {
	acc := compareFixture(t)
	ok := CompareOptions{Correction: CorrectionHolm, Alpha: 0.05}
	cases := []struct {
		name, a, b     string
		opt            CompareOptions
		different      bool
		messageContent string
	}{
		{"partial overlap", "a", "c", ok, true, "6 annotated images have predictions from both, 6 only from a, 0 only from c"},
		{"nothing shared", "a", "d", CompareOptions{Correction: CorrectionHolm, Alpha: 0.05, AllowPartial: true}, true, "no annotated image"},
		{"same model", "a", "a", ok, false, "two different models"},
		{"unknown model", "a", "zzz", ok, false, `"zzz"`},
		{"alpha", "a", "b", CompareOptions{Alpha: 1}, false, "significance level"},
		{"no ReaL labels", "a", "b", CompareOptions{ErrorType: ErrorReal, Alpha: 0.05}, false, "ReaL labels"},
	}
	for _, c := range cases {
		_, err := Compare(acc, c.a, c.b, c.opt)
		if err == nil || errors.Is(err, ErrDifferentImages) != c.different || !strings.Contains(err.Error(), c.messageContent) {
			t.Errorf("%s: error %v", c.name, err)
		}
	}
	partial := ok
	partial.AllowPartial = true
	cmp, err := Compare(acc, "a", "c", partial)
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Shared != 6 || cmp.InAOnly != 6 || comparisonRow(t, cmp, AverageFactor).N != 6 {
		t.Errorf("partial comparison: shared %d, only in a %d", cmp.Shared, cmp.InAOnly)
	}
}

func TestParseCorrection(t *testing.T) {
	for s, want := range map[string]Correction{"holm": CorrectionHolm, "bh": CorrectionBH, "fdr_bh": CorrectionBH, "none": CorrectionNone} {
		if got, err := ParseCorrection(s); err != nil || got != want {
			t.Errorf("%q: %v, %v", s, got, err)
		}
	}
	if _, err := ParseCorrection("bonferroni"); err == nil {
		t.Error("bonferroni accepted")
	}
}

func TestWriteComparison(t *testing.T) {
	cmp, err := Compare(compareFixture(t), "a", "b", CompareOptions{Correction: CorrectionHolm, Alpha: 0.05, MinImages: 1})
	if err != nil {
		t.Fatal(err)
	}
	var csv, md bytes.Buffer
	if err := WriteComparison(&csv, cmp, tabular.CSV); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csv.String()), "\n")
	if lines[0] != strings.Join(ComparisonColumns, ",") ||
		!closeCSVLine(lines[1], "a,b,pose,11,10,1,0.9090909090909091,0.09090909090909091,-0.8181818181818182,10,1,0.01171875,0.03515625,True,False") ||
		lines[9] != "a,b,texture,0,0,0,,,,0,0,,,False,True" {
		t.Errorf("CSV:\n%s", csv.String())
	}
	if err := WriteComparison(&md, cmp, tabular.Markdown); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| factor           |  n |      a |      b |   b − a | a only | b only |      p | p (holm) |",
		"| pose             | 11 | 0.9091 | 0.0909 |  -81.82 |     10 |      1 | 0.0117 |   0.0352 |",
		"Comparing b with a on 12 shared images (class error, exact McNemar test, holm correction across factors, α = 0.05).",
		"Overall a is more accurate (75.00 points, p = 0.0117).",
		"a is more accurate on pose (81.82 points, corrected p = 0.0352).",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	if strings.Contains(md.String(), "b is more accurate on") {
		t.Errorf("markdown names a factor b is better on:\n%s", md.String())
	}
}

// With the default minimum (30 images), no factor of the 12-image fixture
// is singled out, however small its p-value.
func TestCompareLeavesSmallFactorsUnjudged(t *testing.T) {
	cmp, err := Compare(compareFixture(t), "a", "b", CompareOptions{Correction: CorrectionHolm, Alpha: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	pose := comparisonRow(t, cmp, "pose")
	if cmp.Options.MinImages != DefaultMinImages || pose.Significant || !pose.FewImages || pose.PAdjusted >= 0.05 {
		t.Errorf("pose on 11 images: %+v", pose)
	}
	if s := cmp.Summary(); !strings.Contains(s, "Not judged, with fewer than 30 shared images: pose, background, color.") || strings.Contains(s, "more accurate on") {
		t.Errorf("summary: %s", s)
	}
	if _, err := Compare(compareFixture(t), "a", "b", CompareOptions{Alpha: 0.05, MinImages: -1}); err == nil {
		t.Error("negative minimum accepted")
	}
}

func comparisonRow(t *testing.T, c *Comparison, factor string) ComparisonRow {
	t.Helper()
	for _, r := range c.Rows {
		if r.Factor == factor {
			return r
		}
	}
	t.Fatalf("no row %q", factor)
	return ComparisonRow{}
}
