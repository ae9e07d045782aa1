package analysis

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/tabular"
)

func TestCalibrationTableLayout(t *testing.T) {
	p := tiny()
	rep, err := FactorCalibration(p, 15)
	if err != nil {
		t.Fatal(err)
	}
	flat := NewCalibrationTable([]string{"m", "n"}, []CalibrationReport{rep, rep}, false)
	if len(flat.Rows) != 2 || flat.Rows[1].Model != "n" || flat.Rows[0].Overall != rep.Overall {
		t.Errorf("rows %+v", flat.Rows)
	}
	meta := NewCalibrationTable([]string{"m", "n"}, []CalibrationReport{rep, rep}, true)
	// tiny() has images in metaclasses 0 and 1 only (device, dog).
	var order []string
	for _, r := range meta.Rows {
		order = append(order, r.Model+"/"+r.Metaclass)
	}
	if got := strings.Join(order, " "); got != "m/device n/device m/dog n/dog" {
		t.Errorf("metaclass rows %s", got)
	}
	var csv bytes.Buffer
	if err := WriteCalibration(&csv, meta, tabular.CSV); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csv.String()), "\n")
	if lines[0] != "model,metaclass,"+strings.Join(eval.Factors[:], ",")+",worst_factor,average" || len(lines) != 5 {
		t.Errorf("CSV:\n%s", csv.String())
	}
	if want := "m,device," + tabular.FormatFloat(rep.ByMetaclass[0].Factor[0]) + ","; !strings.HasPrefix(lines[1], want) {
		t.Errorf("line %q, want prefix %q", lines[1], want)
	}
	var md bytes.Buffer
	if err := WriteCalibration(&md, flat, tabular.Markdown); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| m     | "+tabular.FormatFixed(rep.Factor[0])+" |") {
		t.Errorf("markdown:\n%s", md.String())
	}
}

func TestPrevalenceTableRecords(t *testing.T) {
	rep, err := Prevalence(tiny())
	if err != nil {
		t.Fatal(err)
	}
	tbl := NewPrevalenceTable([]string{"m"}, []PrevalenceReport{rep}, false)
	rec := tbl.Records()
	if strings.Join(rec.Header, ",") != "model,factor,share,mistake_share,shift,images,mistakes,accuracy,factor_images,few_images" || len(rec.Rows) != eval.NumFactors {
		t.Fatalf("header %v, %d rows", rec.Header, len(rec.Rows))
	}
	// tiny(): 5 joined images, 3 mistakes; factor 0's share 4/7.
	if r := rec.Rows[0]; r[1] != "pose" || r[2] != 4.0/7 || r[5] != 5 || r[6] != 3 || r[7] != 0.4 {
		t.Errorf("pose record %v", r)
	}
	meta := NewPrevalenceTable([]string{"m"}, []PrevalenceReport{rep}, true)
	if len(meta.Rows) != 2 || meta.Rows[1].Metaclass != "dog" || meta.Rows[1].Accuracy != 0 {
		t.Errorf("metaclass rows %+v", meta.Rows)
	}
	var js bytes.Buffer
	if err := WritePrevalence(&js, meta, tabular.JSON); err != nil {
		t.Fatal(err)
	}
	var objs []map[string]any
	if err := json.Unmarshal(js.Bytes(), &objs); err != nil || len(objs) != 2*eval.NumFactors || objs[0]["metaclass"] != "device" {
		t.Errorf("JSON (%v): %d objects", err, len(objs))
	}
}

func TestPrevalenceSentence(t *testing.T) {
	var r PrevalenceRow
	r.Model, r.Images, r.Mistakes = "m", 10, 4
	for f := range r.Share {
		r.Share[f] = 1.0 / eval.NumFactors
		r.Count[f] = 50
	}
	r.Shift[0], r.Shift[1], r.Shift[2], r.Shift[3], r.Shift[4] = 0.5, 1.5, -0.25, 0.1, 0.2
	r.Count[1] = 2 // background: +150% on 2 images
	for _, c := range []struct {
		minImages int
		want      string
	}{
		{0, "- m (4 mistakes on 10 images): most over-represented among its mistakes: background (+150%), pose (+50%), smaller (+20%); most under-represented: pattern (-25%).\n"},
		{30, "- m (4 mistakes on 10 images): most over-represented among its mistakes: pose (+50%), smaller (+20%), color (+10%); most under-represented: pattern (-25%) (factors with at least 30 images).\n"},
	} {
		if got := prevalenceSentence(r, c.minImages); got != c.want {
			t.Errorf("min %d:\ngot  %q\nwant %q", c.minImages, got, c.want)
		}
	}
}

// TestSmallSamplesFlagged: prevalence, calibration and co-occurrence
// flag values on fewer than MinImages images (eval.Enough) as eval does,
// and never rank or call them significant.
func TestSmallSamplesFlagged(t *testing.T) {
	var pr PrevalenceRow
	pr.Model, pr.Images, pr.Mistakes = "m", 100, 40
	for f := range pr.Share {
		pr.Share[f], pr.Count[f] = 1.0/eval.NumFactors, 50
	}
	pr.Shift[0], pr.Shift[1] = 3.58, -1
	pr.Count[0], pr.Count[1] = 2, 1 // texture-like: huge shifts on 2 and 1 images
	var pmd strings.Builder
	if err := WritePrevalence(&pmd, &PrevalenceTable{Rows: []PrevalenceRow{pr}, MinImages: 30}, tabular.Markdown); err != nil {
		t.Fatal(err)
	}
	var pcsv strings.Builder
	if err := WritePrevalence(&pcsv, &PrevalenceTable{Rows: []PrevalenceRow{pr}, MinImages: 30}, tabular.CSV); err != nil {
		t.Fatal(err)
	}
	var cr CalibrationRow
	cr.Model, cr.Worst, cr.WorstFactor, cr.Overall, cr.N = "m", 2, 0.4, 0.05, 100
	for f := range cr.Factor {
		cr.Factor[f], cr.Count[f] = 0.05, 50
	}
	cr.Factor[2], cr.Count[2] = 0.4, 9
	var cmd strings.Builder
	ct := &CalibrationTable{Rows: []CalibrationRow{cr}, MinImages: 30}
	if err := WriteCalibration(&cmd, ct, tabular.Markdown); err != nil {
		t.Fatal(err)
	}
	names := []string{"pose", "texture", "color"}
	one := []float64{1, 0.9, 0.8, 0.9, 1, 0.2, 0.8, 0.2, 1}
	pv := []float64{0, 0.001, 0.001, 0.001, 0, 0.5, 0.001, 0.5, 0}
	co := &CooccurrenceTable{Names: names, Rho: mat.NewSymDense(3, one), P: mat.NewSymDense(3, pv), Images: []int{500, 2, 300}, MinImages: 30}
	var comd, cocsv strings.Builder
	if err := WriteCooccurrence(&comd, co, tabular.Markdown, 0.01); err != nil {
		t.Fatal(err)
	}
	if err := WriteCooccurrence(&cocsv, co, tabular.CSV, 0.01); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, text string
		want       []string
		not        []string
	}{
		{"prevalence markdown", pmd.String(), []string{"+3.5800*", "-1.0000*", "* fewer than 30 images carry the factor"}, []string{"pose (+358%)", "background (-100%)"}},
		{"prevalence CSV", pcsv.String(), []string{"factor_images,few_images", ",2,True", ",50,False"}, nil},
		{"calibration markdown", cmd.String(), []string{"0.4000*", "0.4000†", "worst_factor 0.4000 is pattern's on 9 image(s), fewer than 30"}, nil},
		{"co-occurrence markdown", comd.String(), []string{"1 of 3 pairs correlate significantly", "| pose     | color    |", "Not judged, since an indicator is set on fewer than 30 images", "pose–texture"}, []string{"| pose     | texture  |"}},
		{"co-occurrence CSV", cocsv.String(), []string{"images_a,images_b,few_images", "pose,texture,0.9,0.001,500,2,True", "pose,color,0.8,0.001,500,300,False"}, nil},
	} {
		for _, s := range c.want {
			if !strings.Contains(c.text, s) {
				t.Errorf("%s lacks %q:\n%s", c.name, s, c.text)
			}
		}
		for _, s := range c.not {
			if strings.Contains(c.text, s) {
				t.Errorf("%s has %q:\n%s", c.name, s, c.text)
			}
		}
	}
}

func TestCooccurrenceTableOutputs(t *testing.T) {
	names := append(append([]string(nil), eval.Factors[:2]...), "dog", "bird")
	rho := mat.NewSymDense(4, []float64{
		1, 0.3, -0.5, 0.1,
		0.3, 1, 0.05, math.NaN(),
		-0.5, 0.05, 1, -0.9,
		0.1, math.NaN(), -0.9, 1})
	p := mat.NewSymDense(4, []float64{
		0, 0.001, 0.0001, 0.5,
		0.001, 0, 0.2, math.NaN(),
		0.0001, 0.2, 0, 0,
		0.5, math.NaN(), 0, 0})
	tbl := &CooccurrenceTable{Names: names, Rho: rho, P: p, Factors: 2}
	var csv bytes.Buffer
	if err := WriteCooccurrence(&csv, tbl, tabular.CSV, 0.01); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csv.String()), "\n")
	if len(lines) != 17 || lines[2] != "pose,background,0.3,0.001,,,False" || lines[8] != "background,bird,,,,,False" {
		t.Errorf("CSV:\n%s", csv.String())
	}
	// The pair of two metaclasses (dog/bird) is not listed: pose/dog and
	// pose/background remain below 0.01.
	var md bytes.Buffer
	if err := WriteCooccurrence(&md, tbl, tabular.Markdown, 0.01); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| pose     | dog        | -0.5000 | 0.0001 |\n| pose     | background | +0.3000 |  0.001 |") ||
		strings.Contains(md.String(), "| dog      | bird") {
		t.Errorf("markdown:\n%s", md.String())
	}
}
