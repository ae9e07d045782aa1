package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/internal/shareddata"
)

func TestSpilloverCommandOnColorjitterTable(t *testing.T) {
	table := shareddata.Require(t, "results", "val", "top_factor", "colorjitter", "class", "accuracies_per_factor.csv")
	var out bytes.Buffer
	err := invokeTo(context.Background(), "spillover", []string{"--table", table, "--strength-regex", `color([0-9.]+)`,
		"--only-factors", "pose,color"}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	// Numbers from the reference pipeline (see eval/spillover's tests).
	want := "factor,effect,pval,n_models,strength_low,strength_high,images,few_images\n" +
		"pose,-18.1044893358"
	if !strings.HasPrefix(out.String(), want) || !strings.Contains(out.String(), "\ncolor,26.7149226913") {
		t.Errorf("output:\n%s", out.String())
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "spill.md")
	err = invokeTo(context.Background(), "spillover", []string{"--table", table, "--strength-regex", `color([0-9.]+)`,
		"--format", "markdown", "-o", path}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "- color: the error ratio falls") || !strings.Contains(string(md), "- pose: the error ratio rises") {
		t.Errorf("markdown:\n%s", md)
	}
}

func TestSpilloverCommandRejectsBadFlags(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.csv")
	cases := map[string][]string{
		"no table":              {"--strength-regex", "a(b)"},
		"table and predictions": {"--table", missing, "--predictions", missing, "--strength-regex", "a(b)"},
		"bad strength":          {"--table", missing, "--strength", "m=x"},
		"negative min images":   {"--predictions", missing, "--strength-regex", "a(b)", "--min-images", "-1"},
		"no strengths":          {"--table", missing},
		"no group":              {"--table", missing, "--strength-regex", "color"},
		"bad format":            {"--table", missing, "--strength-regex", "a(b)", "--format", "json"},
		"bad factor":            {"--table", missing, "--strength-regex", "a(b)", "--only-factors", "pose,colour"},
		"bad transform":         {"--table", missing, "--strength-regex", "a(b)", "--strength-transform", "x/2"},
		"min models":            {"--table", missing, "--strength-regex", "a(b)", "--min-models", "0"},
		"missing file":          {"--table", missing, "--strength-regex", "a(b)"},
		"extra arg":             {"--table", missing, "--strength-regex", "a(b)", "extra"},
	}
	for name, args := range cases {
		if err := invoke(context.Background(), "spillover", args); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// spilloverModels writes prediction files of 24 "models" over the first
// 3,000 validation images: 6 at each of 4 strengths, named m_s<S>_<k>.
// Each starts from ResNet50's predictions; a model at strength s turns
// right answers wrong on images with factor pose (and, with s, on others)
// at rates that grow with s, hashed per model so the replicates differ.
func spilloverModels(t *testing.T, dir string) {
	t.Helper()
	base := shareddata.Require(t, "predictions", "base", "ResNet50.csv")
	rows := readCSV(t, base)[1:3001]
	ann := shareddata.Require(t, "annotations")
	ds, err := load.Annotations(ann, eval.DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pose, _ := eval.FactorIndex("pose")
	for _, s := range []int{0, 1, 2, 3} {
		for k := range 6 {
			var b strings.Builder
			b.WriteString("file_name,predicted_class,predicted_probability\n")
			for j, r := range rows {
				class := r[1]
				h := (j*7919 + k*104729 + s*1299709) % 1000
				if i, ok := ds.Index(r[0]); ok {
					rate := 20 * s // per mille, other factors
					if ds.Images[i].Has(pose) {
						rate = 60 * s
					}
					if h < rate {
						class = strconv.Itoa((ds.Images[i].Class + 1) % eval.NumClasses)
					}
				}
				fmt.Fprintf(&b, "%s,%s,%s\n", r[0], class, r[2])
			}
			writeTestFile(t, filepath.Join(dir, fmt.Sprintf("m_s%d_%d.csv", s, k)), b.String())
		}
	}
}

// spillover --predictions gives the result of spillover --table on the
// table eval writes from the same predictions; --strength NAME=S gives it
// too for names that carry no strength.
func TestSpilloverFromPredictionsEqualsFromTable(t *testing.T) {
	ann := shareddata.Require(t, "annotations")
	dir := t.TempDir()
	preds := filepath.Join(dir, "preds")
	if err := os.Mkdir(preds, 0o755); err != nil {
		t.Fatal(err)
	}
	spilloverModels(t, preds)
	table := filepath.Join(dir, "table.csv")
	if err := invoke(context.Background(), "eval", []string{"--annotations", ann, "--predictions", preds, "--quiet", "-o", table}); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := invokeTo(context.Background(), "spillover", append(args, "--quiet"), &out, io.Discard); err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		return out.String()
	}
	regex := []string{"--strength-regex", `_s([0-9]+)_`}
	fromTable := csvColumns(t, run(append([]string{"--table", table}, regex...)...), 6)
	fromPreds := run(append([]string{"--predictions", preds, "--annotations", ann}, regex...)...)
	if got := csvColumns(t, fromPreds, 6); got != fromTable {
		t.Errorf("from predictions:\n%s\nfrom the table eval writes:\n%s", got, fromTable)
	}
	if !strings.Contains(fromPreds, "\npose,") || !strings.Contains(fromTable, ",0.0,3.0") {
		t.Errorf("fixture: pose should move between strengths 0 and 3:\n%s", fromPreds)
	}
	// the same models under names without strengths, given by --strength
	var named []string
	for _, s := range []int{0, 1, 2, 3} {
		for k := range 6 {
			name := fmt.Sprintf("model%c%d", 'a'+s, k)
			named = append(named, "--predictions", fmt.Sprintf("%s=%s", name, filepath.Join(preds, fmt.Sprintf("m_s%d_%d.csv", s, k))),
				"--strength", fmt.Sprintf("%s=%d", name, s))
		}
	}
	if got := run(append([]string{"--annotations", ann}, named...)...); got != fromPreds {
		t.Errorf("with --strength NAME=S:\n%s\nwant\n%s", got, fromPreds)
	}
	// counts come with predictions: factors with few images are flagged
	few := csvRecords(t, fromPreds, "factor")
	for _, f := range eval.Factors {
		n, _ := strconv.Atoi(few[f]["images"])
		if want := map[bool]string{true: "True", false: "False"}[n < eval.DefaultMinImages]; n > 0 && few[f]["few_images"] != want {
			t.Errorf("%s on %d images: few_images %q", f, n, few[f]["few_images"])
		}
	}
}

// csvColumns keeps the first n columns of each CSV line.
func csvColumns(t *testing.T, text string, n int) string {
	t.Helper()
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		b.WriteString(strings.Join(strings.Split(l, ",")[:n], ",") + "\n")
	}
	return b.String()
}
