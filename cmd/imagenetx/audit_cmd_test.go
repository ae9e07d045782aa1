package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/internal/shareddata"
)

// TestAuditsIntoOneEvalCompareReport: two audits, each writing files named
// after its model, go into one eval, compare and report with plain folder
// paths; an audit of both models in one pass writes, byte for byte, the
// same predictions, a factor table with a row each and a leaderboard
// against the baseline asked for.
func TestAuditsIntoOneEvalCompareReport(t *testing.T) {
	ortLibrary(t)
	images := shareddata.Require(t, "images", "val_227")
	ann := shareddata.Require(t, "annotations")
	quant := shareddata.Require(t, "models", "mobilenetv2-7.quant.onnx")
	dir := t.TempDir()
	a1, a2, both := filepath.Join(dir, "a1"), filepath.Join(dir, "a2"), filepath.Join(dir, "both")
	common := []string{"--images", images, "--annotations", ann, "--limit", "40", "--batch", "8", "--quiet"}
	audit := func(out string, extra ...string) string {
		t.Helper()
		var stdout bytes.Buffer
		if err := invokeTo(context.Background(), "audit", append(append(append([]string{}, common...), "-o", out), extra...), &stdout, io.Discard); err != nil {
			t.Fatalf("audit %v: %v", extra, err)
		}
		return stdout.String()
	}
	audit(a1, "--model", "mobilenetv2-12-int8")
	audit(a2, "--model", quant)
	summary := audit(both, "--model", "mobilenetv2-12-int8", "--model", quant, "--name", "int8", "--name", "quant", "--baseline", "quant",
		"--results", shareddata.Require(t, "results"))

	for _, c := range [][2]string{
		{filepath.Join(a1, "mobilenetv2-12-int8.predictions.csv"), filepath.Join(both, "int8.predictions.csv")},
		{filepath.Join(a2, "mobilenetv2-7.quant.predictions.csv"), filepath.Join(both, "quant.predictions.csv")},
	} {
		mustEqualFiles(t, c[0], c[1])
	}
	if factors := readLines(t, filepath.Join(both, "factors.csv")); len(factors) != 3 ||
		!strings.HasPrefix(factors[1], "int8,") || !strings.HasPrefix(factors[2], "quant,") {
		t.Errorf("factors.csv of the pass: %q", factors)
	}
	lb := readLines(t, filepath.Join(both, "leaderboard.csv"))
	if len(lb) != 3 || !strings.HasPrefix(lb[0], "model,baseline,images,failed,labeled,top1,") {
		t.Fatalf("leaderboard.csv: %q", lb)
	}
	for _, row := range lb[1:] {
		if isBase := strings.HasPrefix(row, "quant,True,40,0,40,"); !isBase && !strings.HasPrefix(row, "int8,False,40,0,40,") {
			t.Errorf("leaderboard row %q", row)
		}
	}
	if place := readLines(t, filepath.Join(both, "placement.csv")); len(place) != 1+2*16 ||
		place[0] != "model,factor,error_ratio,percentile,expected_error_ratio,expected_lo,expected_hi,residual" || !strings.HasPrefix(place[1], "int8,pose,") {
		t.Errorf("placement.csv of the pass: %q", place)
	}
	for _, s := range []string{"vs quant", "exact McNemar test", "int8: top-1 ", "quant: top-1 ", "leaderboard: ",
		"int8 among the paper's 209 models: scored on 36 of the 46110 annotated images, so the placement is indicative"} {
		if !strings.Contains(summary, s) {
			t.Errorf("summary lacks %q:\n%s", s, summary)
		}
	}
	if _, err := os.Stat(filepath.Join(both, "report.html")); err != nil {
		t.Error(err)
	}

	// The two audits' folders, as they are, into one eval, compare and report.
	table := filepath.Join(dir, "eval.csv")
	if err := invoke(context.Background(), "eval", []string{"--annotations", ann, "--predictions", a1, "--predictions", a2, "--quiet", "-o", table}); err != nil {
		t.Fatal(err)
	}
	rows := readLines(t, table)
	if len(rows) != 3 || !strings.HasPrefix(rows[1], "mobilenetv2-12-int8,") || !strings.HasPrefix(rows[2], "mobilenetv2-7.quant,") {
		t.Fatalf("eval of two audits: %q", rows)
	}
	// The same rows as the pass's factor table, under the names given there.
	passRows := readLines(t, filepath.Join(both, "factors.csv"))
	for i, name := range []string{"int8", "quant"} {
		if strings.SplitN(rows[i+1], ",", 2)[1] != strings.TrimPrefix(passRows[i+1], name+",") {
			t.Errorf("eval row %q differs from the pass's %q", rows[i+1], passRows[i+1])
		}
	}
	var cmp bytes.Buffer
	if err := invokeTo(context.Background(), "compare", []string{"--annotations", ann, "--predictions", a1, "--predictions", a2, "--quiet"}, &cmp, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(cmp.String(), "mobilenetv2") {
		t.Errorf("compare names no model:\n%s", cmp.String())
	}
	page := filepath.Join(dir, "both.html")
	if err := invoke(context.Background(), "report", []string{"--annotations", ann, "--predictions", a1, "--predictions", a2, "--quiet", "-o", page}); err != nil {
		t.Fatal(err)
	}
	if html := readLines(t, page); !strings.Contains(strings.Join(html, "\n"), "mobilenetv2-7.quant") {
		t.Error("the report of two audits lacks the second model")
	}

	// Refused before anything runs: a baseline that is not audited, two
	// names for one model, a --name that is not a file name.
	for _, args := range [][]string{
		{"--model", "mobilenetv2-12-int8", "--model", quant, "--baseline", "resnet"},
		{"--model", "mobilenetv2-12-int8", "--name", "a", "--name", "b"},
		{"--model", "mobilenetv2-12-int8", "--name", "a/b"},
	} {
		out := filepath.Join(dir, "refused")
		err := invoke(context.Background(), "audit", append(append(append([]string{}, common...), "-o", out), args...))
		if err == nil {
			t.Errorf("audit %v: no error", args)
		}
		if _, statErr := os.Stat(filepath.Join(out, "factors.csv")); statErr == nil {
			t.Errorf("audit %v wrote a factor table", args)
		}
	}
}

// TestAuditUnknownImagesFails: images that neither a label nor an
// annotation covers fail the audit (exit status 1) with a message naming
// the file names the annotations know.
func TestAuditUnknownImagesFails(t *testing.T) {
	ortLibrary(t)
	src := filepath.Join(shareddata.Require(t, "images", "val_227"), "ILSVRC2012_val_00000347.JPEG")
	dir := filepath.Join(t.TempDir(), "mine")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "holiday.jpg"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"audit", "--images", dir, "--annotations", shareddata.Require(t, "annotations"), "--quiet", "-o", filepath.Join(t.TempDir(), "out")}
	err = execute(context.Background(), args, io.Discard, io.Discard)
	var stderr bytes.Buffer
	if status := program().ExitStatus(args, err, &stderr); status != 1 ||
		!strings.Contains(stderr.String(), "nothing to score") || !strings.Contains(stderr.String(), "ILSVRC2012_val_NNNNNNNN.JPEG") ||
		!strings.Contains(stderr.String(), "--labels FILE") {
		t.Fatalf("exit status %d, stderr %q", status, stderr.String())
	}
}
