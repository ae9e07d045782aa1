package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/internal/cli"
	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/predictions"
	"github.com/imagenetx/imagenetx/preprocess/variant"
	"github.com/imagenetx/imagenetx/runfiles"
)

func TestSweepCommandRejectsBadFlags(t *testing.T) {
	base := []string{"--images", t.TempDir(), "--annotations", t.TempDir(), "-o", t.TempDir()}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "--variant FAMILY is required"},
		{[]string{"--variant", "sepia"}, `invalid value "sepia" for flag --variant: unknown variant family`},
		{[]string{"--variant", "blur", "--strengths", "0.5,1"}, "need 0 (the baseline)"},
		{[]string{"--variant", "blur", "--strengths", "0"}, "need 0 (the baseline) and at least one other"},
		{[]string{"--variant", "blur", "--strengths", "0,2"}, `strength "2" is not a number in [0, 1]`},
		{[]string{"--variant", "blur", "--strengths", "0,x"}, `"x" is not a number`},
		{[]string{"--variant", "blur", "--strengths", "0,1,1"}, "given twice"},
		{[]string{"--variant", "blur", "--resume"}, "flag provided but not defined: --resume"},
		{[]string{"--variant", "blur", "--shard", "0/2"}, "flag provided but not defined: --shard"},
		{[]string{"--variant", "blur", "--correction", "sidak"}, "unknown correction"},
		{[]string{"--variant", "blur", "--error-type", "top5"}, "unknown error type"},
		{[]string{"--variant", "blur", "--bootstrap", "0"}, "--bootstrap: want an integer ≥ 1"},
		{[]string{"--variant", "blur", "--min-images", "0"}, "--min-images: want an integer ≥ 1"},
		{[]string{"--variant", "blur", "extra"}, `unexpected argument "extra"`},
	} {
		err := invoke(context.Background(), "sweep", append(append([]string(nil), base...), tc.args...))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
}

// TestSweepCommandOnVal227 sweeps colorjitter over part of val_227 and
// checks that each strength's predictions are byte for byte those of a
// plain run with that variant (strength 0: no variant at all).
func TestSweepCommandOnVal227(t *testing.T) {
	ortLibrary(t)
	images := shareddata.Require(t, "images", "val_227")
	annotations := shareddata.Require(t, "annotations")
	dir := t.TempDir()
	common := []string{"--model", "mobilenetv2-12-int8", "--images", images, "--limit", "160", "--batch", "16", "--quiet"}
	var stdout bytes.Buffer
	args := append(append([]string(nil), common...), "--annotations", annotations, "--variant", "colorjitter",
		"--strengths", "0,0.5,1", "--bootstrap", "200", "-o", filepath.Join(dir, "sweep"))
	if err := invokeTo(context.Background(), "sweep", args, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, s := range []float64{0, 1} {
		spec, err := variant.Family("colorjitter", s)
		if err != nil {
			t.Fatal(err)
		}
		plain := filepath.Join(dir, "plain.csv")
		if err := invoke(context.Background(), "run", append(append([]string(nil), common...), "--variant", spec, "-o", plain)); err != nil {
			t.Fatal(err)
		}
		want, _ := os.ReadFile(plain)
		got, err := os.ReadFile(filepath.Join(dir, "sweep", predictions.FileName(runfiles.StrengthName("mobilenetv2-12-int8", "colorjitter", s))))
		if err != nil || !bytes.Equal(got, want) || len(readLines(t, plain)) != 161 {
			t.Fatalf("strength %v: sweep predictions differ from `run --variant %q` (%v)", s, spec, err)
		}
	}
	checkSweepOutputs(t, filepath.Join(dir, "sweep"), stdout.String())
}

func checkSweepOutputs(t *testing.T, dir, stdout string) {
	t.Helper()
	if lines := readLines(t, filepath.Join(dir, "spillover.csv")); len(lines) != 1+16*3 ||
		lines[0] != "factor,strength,n,accuracy,error_ratio,change,change_lo,change_hi,only_base,only_variant,pval,pval_adj,spillover" {
		t.Fatalf("spillover.csv: %d lines, header %q", len(lines), lines[0])
	}
	factors := readLines(t, filepath.Join(dir, "factors.csv"))
	if len(factors) != 4 || !strings.HasPrefix(factors[1], "0.0,mobilenetv2-12-int8,") || !strings.HasPrefix(factors[3], "1.0,mobilenetv2-12-int8,") {
		t.Fatalf("factors.csv %q", factors)
	}
	var m runfiles.SweepManifest
	data, err := os.ReadFile(filepath.Join(dir, "run.json"))
	if err == nil {
		err = json.Unmarshal(data, &m)
	}
	if err != nil || m.Family != "colorjitter" || len(m.Specs) != 3 || m.Specs[0] != "" || !strings.HasPrefix(m.Specs[2], "colorjitter:brightness=0.8") || m.NumImages != 160 {
		t.Fatalf("run.json: %+v, %v", m, err)
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil || !bytes.Contains(html, []byte("mobilenetv2-12-int8 × colorjitter")) || !bytes.Contains(html, []byte("error ratio change at 1: ")) {
		t.Fatalf("report.html: %v", err)
	}
	for _, want := range []string{"## mobilenetv2-12-int8 × colorjitter", "| pose ", "At strength 1 against 0"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
}

// TestSweepCommandRecordsBadImages: a corrupt image fails at every strength
// (an errors file beside each predictions file), the others are analysed,
// and the command reports an incomplete run.
func TestSweepCommandRecordsBadImages(t *testing.T) {
	ortLibrary(t)
	src := shareddata.Require(t, "images", "val_227")
	annotations := shareddata.Require(t, "annotations")
	dir := t.TempDir()
	for _, name := range []string{"ILSVRC2012_val_00000347.JPEG", "ILSVRC2012_val_00000355.JPEG"} {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		writeTestFile(t, filepath.Join(dir, name), string(data))
	}
	writeTestFile(t, filepath.Join(dir, "ILSVRC2012_val_00000001.JPEG"), "not an image")
	out := filepath.Join(t.TempDir(), "sweep")
	err := invoke(context.Background(), "sweep", []string{"--model", "mobilenetv2-12-int8", "--images", dir, "--annotations", annotations,
		"--variant", "blur", "--strengths", "0,1", "--bootstrap", "50", "--quiet", "-o", out})
	if !errors.Is(err, cli.ErrIncomplete) {
		t.Fatalf("sweep with a corrupt image: %v, want incomplete", err)
	}
	for _, s := range []float64{0, 1} {
		preds := filepath.Join(out, predictions.FileName(runfiles.StrengthName("mobilenetv2-12-int8", "blur", s)))
		if n := len(readLines(t, preds)); n != 3 {
			t.Errorf("strength %v: %d prediction lines, want header + 2", s, n)
		}
		if errs := readLines(t, runfiles.ErrorsPathFor(preds)); len(errs) != 2 || !strings.HasPrefix(errs[1], "ILSVRC2012_val_00000001.JPEG,decode,") {
			t.Errorf("strength %v: errors file %q", s, errs)
		}
	}
	if lines := readLines(t, filepath.Join(out, "spillover.csv")); len(lines) != 1+16*2 {
		t.Errorf("spillover.csv has %d lines", len(lines))
	}
}
