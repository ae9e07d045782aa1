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
	if strings.Join(rec.Header, ",") != "model,factor,share,mistake_share,shift,images,mistakes,accuracy" || len(rec.Rows) != eval.NumFactors {
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
	}
	r.Shift[0], r.Shift[1], r.Shift[2], r.Shift[3], r.Shift[4] = 0.5, 1.5, -0.25, 0.1, 0.2
	got := prevalenceSentence(r)
	want := "- m (4 mistakes on 10 images): most over-represented among its mistakes: background (+150%), pose (+50%), smaller (+20%); most under-represented: pattern (-25%).\n"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
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
	if len(lines) != 17 || lines[2] != "pose,background,0.3,0.001" || lines[8] != "background,bird,," {
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
