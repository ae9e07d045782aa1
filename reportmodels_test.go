package imagenetx

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/report"
)

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReportModel: a predictions file with top-3 columns is scored against
// the labels of every image it predicted (annotated or not), and its run's
// errors file beside it gives the failed images.
func TestReportModel(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, LabelsFile), "file_name,label\na.JPEG,1\nb.JPEG,2\nc.JPEG,3\nd.JPEG,4\n")
	labels, err := LoadLabels(dir)
	if err != nil {
		t.Fatal(err)
	}
	preds := filepath.Join(dir, "m.csv")
	// a: top-1 right; b: right at rank 3; c: wrong; d: not predicted;
	// x: predicted but not labelled.
	writeTestFile(t, preds, "file_name,predicted_class,predicted_probability,top2_class,top2_probability,top3_class,top3_probability\n"+
		"a.JPEG,1,0.9,5,0.05,6,0.01\nb.JPEG,7,0.5,8,0.2,2,0.1\nc.JPEG,9,0.6,8,0.2,7,0.1\nx.JPEG,1,0.9,2,0.05,3,0.01\n")
	m, err := ReportModel("m", preds, "", labels)
	if err != nil {
		t.Fatal(err)
	}
	want := report.Model{Name: "m", Score: report.Score{Labeled: 3, Top1: 1, TopK: 2, K: 3}}
	if m.Name != want.Name || m.Score != want.Score || len(m.Failed) != 0 {
		t.Errorf("ReportModel = %+v, want %+v", m, want)
	}
	writeTestFile(t, filepath.Join(dir, "m.errors.csv"), "file_name,stage,reason\nd.JPEG,decode,unexpected EOF\n")
	m, err = ReportModel("m", preds, "", labels)
	if wantFailed := []report.Failure{{File: "d.JPEG", Stage: "decode", Reason: "unexpected EOF"}}; err != nil || !slices.Equal(m.Failed, wantFailed) {
		t.Errorf("failed images %v, %v; want %v", m.Failed, err, wantFailed)
	}
	// No labels: no score, still the failures.
	if m, err := ReportModel("m", preds, "", nil); err != nil || m.Score != (report.Score{}) || len(m.Failed) != 1 {
		t.Errorf("without labels: %+v, %v", m, err)
	}
	// An errors file named explicitly that is not one.
	bad := filepath.Join(dir, "bad.csv")
	writeTestFile(t, bad, "file_name,predicted_class\n")
	if _, err := ReportModel("m", preds, bad, labels); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("bad errors file: err = %v, want it named", err)
	}
	// An audit's model: its score as is; no errors file, no failure.
	a := &Audit{Model: "solo", Score: Score{Labeled: 10, Top1: 7, TopK: 9, K: 5}}
	if m, err := a.ReportModel(filepath.Join(dir, "none.csv")); err != nil || m.Score != (report.Score{Labeled: 10, Top1: 7, TopK: 9, K: 5}) || m.Failed != nil {
		t.Errorf("Audit.ReportModel = %+v, %v", m, err)
	}
}
