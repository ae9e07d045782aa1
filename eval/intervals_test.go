package eval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/eval/tabular"
)

// countedRow: 10 images, 6 right. pose on 4 (2 right), color on 3 (all
// right), texture on all 10, background on none.
func countedRow(t *testing.T) Row {
	t.Helper()
	r := Row{Model: "m", N: 10, NCorrect: 6}
	set := func(name string, n, correct int) {
		f := mustFactor(t, name)
		r.Count[f], r.Correct[f] = n, correct
	}
	set("pose", 4, 2)
	set("color", 3, 3)
	set("texture", 10, 6)
	return r
}

// Expected numbers: the Wilson formula (statsmodels' proportion_confint
// method="wilson") and the MOVER combination of stats.ErrorRatioInterval,
// evaluated with scipy 1.10 (binomtest(...).proportion_ci) in Python.
func TestIntervalsFromCounts(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		confidence                    float64
		factor                        string
		accLo, accHi, ratio, erLo, er float64
	}{
		{0.95, "pose", 0.15003898915214953, 0.8499610108478505, 1.25, 0.4440117342447323, 2.0100527335610936},
		{0.90, "pose", 0.18240016325464492, 0.8175998367453551, 1.25, 0.5410796760011753, 1.9208219404239408},
		{0.95, "color", 0.43850296824495455, 1, 0, 0, 0.9877700964695698}, // no error: still an interval
		{0.95, "texture", 0.31267376973365824, 0.8318196702937638, 1, 1, 1},
		{0.90, AverageFactor, 0.35163859786012197, 0.8057730081231969, nan, nan, nan},
		{0.95, "background", nan, nan, nan, nan, nan},
	}
	for _, c := range cases {
		t.Run(c.factor, func(t *testing.T) {
			tbl := &Table{Rows: []Row{countedRow(t)}}
			it, err := tbl.Intervals(IntervalOptions{Confidence: c.confidence, MinImages: 5})
			if err != nil {
				t.Fatal(err)
			}
			if len(it.Rows) != NumFactors+1 || it.Rows[NumFactors].Factor != AverageFactor {
				t.Fatalf("%d rows, last %q; want %d ending in %q", len(it.Rows), it.Rows[len(it.Rows)-1].Factor, NumFactors+1, AverageFactor)
			}
			fi := findInterval(t, it, c.factor)
			for _, chk := range []struct {
				name      string
				got, want float64
			}{
				{"acc_lo", fi.AccLo, c.accLo}, {"acc_hi", fi.AccHi, c.accHi},
				{"error_ratio", fi.ErrorRatio, c.ratio}, {"er_lo", fi.ERLo, c.erLo}, {"er_hi", fi.ERHi, c.er},
			} {
				if !closeOrBothNaN(chk.got, chk.want, 1e-12) {
					t.Errorf("%s = %.17g, want %.17g", chk.name, chk.got, chk.want)
				}
			}
		})
	}
}

func TestIntervalsFlagFewImages(t *testing.T) {
	it, err := (&Table{Rows: []Row{countedRow(t)}}).Intervals(IntervalOptions{Confidence: 0.95, MinImages: 4})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"pose": false, "color": true, "texture": false, "background": true, AverageFactor: false}
	for name, few := range want {
		if fi := findInterval(t, it, name); fi.FewImages != few {
			t.Errorf("%s (n=%d): few_images %v, want %v", name, fi.N, fi.FewImages, few)
		}
	}
}

func TestIntervalsRejectBadInput(t *testing.T) {
	counted := &Table{Rows: []Row{countedRow(t)}}
	cases := []struct {
		name string
		tbl  *Table
		opt  IntervalOptions
	}{
		{"confidence 1", counted, IntervalOptions{Confidence: 1}},
		{"confidence 0", counted, IntervalOptions{Confidence: 0}},
		{"confidence NaN", counted, IntervalOptions{Confidence: math.NaN()}},
		{"negative min images", counted, IntervalOptions{Confidence: 0.95, MinImages: -1}},
		{"table without counts", &Table{Rows: []Row{{Model: "read from a file", Average: 0.7}}}, IntervalOptions{Confidence: 0.95}},
	}
	for _, c := range cases {
		if _, err := c.tbl.Intervals(c.opt); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

// The fixture's accumulator: the counts reach the intervals, by metaclass
// too.
func TestIntervalsOfAccumulatorTables(t *testing.T) {
	acc := fixtureAccumulator(t)
	tbl, err := acc.MetaclassTable(ErrorClass)
	if err != nil {
		t.Fatal(err)
	}
	it, err := tbl.Intervals(IntervalOptions{Confidence: 0.95, MinImages: DefaultMinImages})
	if err != nil {
		t.Fatal(err)
	}
	if !it.ByMetaclass || len(it.Rows) != NumMetaclasses*(NumFactors+1) {
		t.Fatalf("by metaclass %v, %d rows", it.ByMetaclass, len(it.Rows))
	}
	// dog holds images 1 (pose, right) and 2 (pose+color, wrong).
	for _, fi := range it.Rows {
		if fi.Metaclass == "dog" && fi.Factor == "pose" && (fi.N != 2 || fi.Correct != 1 || fi.Accuracy != 0.5 || !fi.FewImages) {
			t.Errorf("dog pose: %+v", fi)
		}
	}
}

func TestWriteIntervalsFormats(t *testing.T) {
	it, err := (&Table{Rows: []Row{countedRow(t)}}).Intervals(IntervalOptions{Confidence: 0.95, MinImages: 4})
	if err != nil {
		t.Fatal(err)
	}
	var csv, md, js bytes.Buffer
	for _, w := range []struct {
		f   tabular.Format
		buf *bytes.Buffer
	}{{tabular.CSV, &csv}, {tabular.JSON, &js}, {tabular.Markdown, &md}} {
		if err := WriteIntervals(w.buf, it, w.f); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSpace(csv.String()), "\n")
	wantLines := []string{
		"model,factor,n,correct,accuracy,acc_lo,acc_hi,error_ratio,er_lo,er_hi,few_images",
		"m,pose,4,2,0.5,0.15003898915214953,0.8499610108478505,1.25,0.4440117342447323,2.0100527335610936,False",
		"m,background,0,0,,,,,,,True",
	}
	for i, want := range wantLines {
		if !closeCSVLine(lines[i], want) {
			t.Errorf("CSV line %d = %q, want %q", i, lines[i], want)
		}
	}
	if len(lines) != NumFactors+2 || !strings.HasPrefix(lines[NumFactors+1], "m,average,10,6,0.6,") || !strings.HasSuffix(lines[NumFactors+1], ",,,,False") {
		t.Errorf("average line %q of %d", lines[len(lines)-1], len(lines))
	}
	for _, want := range []string{"| m     | pose             |  4 | 0.5000 [0.1500, 0.8500] | 1.2500 [0.4440, 2.0101] |", "accuracy [95% CI]", "| 3* |", "0.0000 [0.0000, 0.9878] |", "\\* fewer than 4 images"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	var objs []map[string]any
	if err := json.Unmarshal(js.Bytes(), &objs); err != nil {
		t.Fatalf("JSON does not parse: %v\n%s", err, js.String())
	}
	if len(objs) != NumFactors+1 || objs[1]["accuracy"] != nil || objs[1]["few_images"] != true || objs[0]["n"] != 4.0 {
		t.Errorf("JSON objects: %v, %v", objs[0], objs[1])
	}
}

func findInterval(t *testing.T, it *IntervalTable, factor string) FactorInterval {
	t.Helper()
	for _, fi := range it.Rows {
		if fi.Factor == factor {
			return fi
		}
	}
	t.Fatalf("no row for %q", factor)
	return FactorInterval{}
}

func closeOrBothNaN(got, want, tol float64) bool {
	if math.IsNaN(want) || math.IsNaN(got) {
		return math.IsNaN(want) && math.IsNaN(got)
	}
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// closeCSVLine compares two CSV lines field by field, numbers to 1e-12.
func closeCSVLine(got, want string) bool {
	g, w := strings.Split(got, ","), strings.Split(want, ",")
	if len(g) != len(w) {
		return false
	}
	for i := range g {
		if g[i] == w[i] {
			continue
		}
		var gv, wv float64
		if _, err := fmt.Sscan(g[i], &gv); err != nil {
			return false
		}
		if _, err := fmt.Sscan(w[i], &wv); err != nil || !closeOrBothNaN(gv, wv, 1e-12) {
			return false
		}
	}
	return true
}
