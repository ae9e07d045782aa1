package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/internal/shareddata"
)

// eval --topk 5 on what `run --topk 5` writes: the top-5 table's counts
// equal counting the file's five ranked classes against the annotations
// directly, per factor; the top-1 table of the same file is the table of
// its three reference columns alone; --counts is the companion.
func TestEvalTopKOnARealRun(t *testing.T) {
	ortLibrary(t)
	images := shareddata.Require(t, "images", "val_227")
	ann := shareddata.Require(t, "annotations")
	dir := t.TempDir()
	preds := filepath.Join(dir, "m.csv")
	if err := invoke(context.Background(), "run", []string{"--images", images, "--limit", "120", "--topk", "5", "--quiet", "-o", preds}); err != nil {
		t.Fatal(err)
	}
	countsPath := filepath.Join(dir, "counts.csv")
	top5 := csvRecords(t, runToFile(t, evalRun, "--annotations", ann, "--predictions", preds, "--topk", "5", "--counts", countsPath), "model")["m"]

	ds, err := load.Annotations(ann, eval.DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, preds)
	var n, right, right1 int
	var count, correct [eval.NumFactors]int
	for _, r := range rows[1:] {
		i, ok := ds.Index(r[0])
		if !ok {
			continue
		}
		im := ds.Images[i]
		hit := false
		for _, col := range []int{1, 3, 5, 7, 9} {
			hit = hit || r[col] == strconv.Itoa(im.Class)
		}
		n++
		if hit {
			right++
		}
		if r[1] == strconv.Itoa(im.Class) {
			right1++
		}
		for f := range eval.NumFactors {
			if im.Has(f) {
				count[f]++
				if hit {
					correct[f]++
				}
			}
		}
	}
	if n < 100 || right <= right1 {
		t.Fatalf("fixture: %d annotated images, top-5 right %d, top-1 %d", n, right, right1)
	}
	checkRatio(t, "top-5 average", top5["average"], right, n)
	counts := map[string]map[string]string{}
	crows := readCSV(t, countsPath)
	for _, r := range crows[1:] {
		rec := map[string]string{}
		for i, h := range crows[0] {
			rec[h] = r[i]
		}
		counts[rec["model"]+"/"+rec["column"]] = rec
	}
	for f, name := range eval.Factors {
		if count[f] > 0 {
			checkRatio(t, "top-5 "+name, top5[name], correct[f], count[f])
		}
		c := counts["m/"+name]
		if c["images"] != strconv.Itoa(count[f]) || c["correct"] != strconv.Itoa(correct[f]) || c["few_images"] != map[bool]string{true: "True", false: "False"}[count[f] < 30] {
			t.Errorf("counts %s: %v, want %d/%d", name, c, correct[f], count[f])
		}
	}
	if c := counts["m/worst_100_classes"]; !strings.Contains(c["note"], "needs predictions for every annotated image") {
		t.Errorf("worst_100_classes on %d images has no note: %v", n, c)
	}

	// The top-1 table of the five-column file is that of its reference columns.
	plain := filepath.Join(dir, "plain", "m.csv")
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r[:3], ",") + "\n")
	}
	if err := os.MkdirAll(filepath.Dir(plain), 0o755); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, plain, b.String())
	if a, b := runToFile(t, evalRun, "--annotations", ann, "--predictions", preds), runToFile(t, evalRun, "--annotations", ann, "--predictions", plain); a != b {
		t.Errorf("top-1 table of the top-5 file differs from its three columns':\n%s\n%s", a, b)
	}
	md := runToFile(t, evalRun, "--annotations", ann, "--predictions", preds, "--topk", "5", "--format", "markdown")
	for _, want := range []string{"Top-5 accuracy: an image counts as right when its class is among the model's 5 most probable.", "† m: worst_100_classes needs predictions"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	err = invoke(context.Background(), "eval", []string{"--annotations", ann, "--predictions", plain, "--topk", "5", "--quiet"})
	if err == nil || !strings.Contains(err.Error(), "has no top-k columns") || !strings.Contains(err.Error(), "imagenetx run --topk 5") {
		t.Errorf("--topk 5 on a three-column file: %v", err)
	}
}

func checkRatio(t *testing.T, what, got string, num, den int) {
	t.Helper()
	v, err := strconv.ParseFloat(got, 64)
	if err != nil || v != float64(num)/float64(den) {
		t.Errorf("%s = %q, want %d/%d", what, got, num, den)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader([]byte(mustRead(t, path)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
