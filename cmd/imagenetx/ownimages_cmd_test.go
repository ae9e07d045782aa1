package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx"
	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/internal/cli"
	"github.com/imagenetx/imagenetx/internal/shareddata"
)

// ownFolders copies the first val_227 images to the given paths below a
// new folder and returns it with a labels file whose rows are written as
// rows[i] for image i (their true classes), plus extra rows.
func ownFolders(t *testing.T, rels, rows []string, extra string) (dir, labelsFile string) {
	t.Helper()
	val := shareddata.Require(t, "images", "val_227")
	ann, err := imagenetx.LoadAnnotations(shareddata.Require(t, "annotations"), eval.DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	names, err := filepath.Glob(filepath.Join(val, "*.JPEG"))
	if err != nil || len(names) < len(rels) {
		t.Fatalf("val_227: %d images, %v", len(names), err)
	}
	sort.Strings(names)
	dir = t.TempDir()
	var csv strings.Builder
	csv.WriteString("file_name,label\n")
	for i, rel := range rels {
		data, err := os.ReadFile(names[i])
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&csv, "%s,%d\n", rows[i], ann.Labels[filepath.Base(names[i])])
	}
	csv.WriteString(extra)
	labelsFile = filepath.Join(t.TempDir(), "labels.csv")
	writeTestFile(t, labelsFile, csv.String())
	return dir, labelsFile
}

// TestAuditOwnFolders: images in cats/, dogs/ and a deeper folder are all
// audited, a labels file naming them by their paths below --images labels
// every one of them, and a row that names no image is counted and named
// before the run, with a warning when under 95% of the rows match.
func TestAuditOwnFolders(t *testing.T) {
	ortLibrary(t)
	annotations := shareddata.Require(t, "annotations")
	rels := []string{"cats/001.jpg", "cats/002.jpg", "cats/003.jpg", "dogs/001.jpg", "batch1/nested/x.jpg"}
	dir, labels := ownFolders(t, rels, rels, "missing/004.jpg,3\n")
	out := filepath.Join(t.TempDir(), "audit")
	var stdout, stderr bytes.Buffer
	err := invokeTo(context.Background(), "audit", []string{"--images", dir, "--labels", labels, "--annotations", annotations,
		"--quiet", "-o", out}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	preds := readLines(t, filepath.Join(out, "mobilenetv2-12-int8.predictions.csv"))
	if len(preds) != 1+len(rels) {
		t.Errorf("%d predictions, want %d (every image below --images):\n%s", len(preds)-1, len(rels), strings.Join(preds, "\n"))
	}
	if want := fmt.Sprintf("/%d = ", len(rels)); !strings.Contains(stdout.String(), "top-1 ") || !strings.Contains(stdout.String(), want) {
		t.Errorf("top-1 not over the %d labelled images:\n%s", len(rels), stdout.String())
	}
	// The page says what it is over and why its factor table is empty.
	page, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<b>images audited</b>5", "<b>annotated among them</b>0", "The factor table is empty: the annotations know none of the 5 images audited"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	for _, want := range []string{"warning: fewer than 95% of the labels match", "5 of 6 label rows name an image", "missing/004.jpg (no image of that file name)"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}

// TestAuditRefusesFolderOfAnotherRun: an audit into a folder that holds
// another run's files is refused, naming them, unless --resume or
// --replace; --replace removes the old model's files, so that a later
// compare finds only the new run; both together are a usage error.
func TestAuditRefusesFolderOfAnotherRun(t *testing.T) {
	ortLibrary(t)
	annotations := shareddata.Require(t, "annotations")
	dir, _ := ownFolders(t, []string{"n01440764/a.jpg", "n01443537/b.jpg"}, []string{"a.jpg", "b.jpg"}, "")
	out := t.TempDir()
	writeTestFile(t, filepath.Join(out, "oldmodel.predictions.csv"), "file_name,predicted_class,predicted_probability\n")
	writeTestFile(t, filepath.Join(out, "oldmodel.run.json"), "{}\n")
	writeTestFile(t, filepath.Join(out, "placement.csv"), "model,factor\noldmodel,pose\n")
	base := []string{"--images", dir, "--annotations", annotations, "--quiet", "-o", out}
	var stderr bytes.Buffer
	err := invokeTo(context.Background(), "audit", base, io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "oldmodel.predictions.csv") || !strings.Contains(err.Error(), "--replace") {
		t.Fatalf("audit into a folder of another run: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "mobilenetv2-12-int8.predictions.csv")); err == nil {
		t.Error("the refused audit wrote predictions")
	}
	err = invokeTo(context.Background(), "audit", append(base, "--resume", "--replace"), io.Discard, io.Discard)
	if !errors.As(err, new(cli.UsageError)) {
		t.Errorf("--resume with --replace: %v, want a usage error (exit status 2)", err)
	}
	if err := invokeTo(context.Background(), "audit", append(base, "--replace"), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{"oldmodel.predictions.csv", "oldmodel.run.json"} {
		// placement.csv is written anew by the audit (its models only).
		if _, err := os.Stat(filepath.Join(out, gone)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s survived --replace (%v)", gone, err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "mobilenetv2-12-int8.predictions.csv")); err != nil {
		t.Error(err)
	}
	if b, err := os.ReadFile(filepath.Join(out, "placement.csv")); err != nil || strings.Contains(string(b), "oldmodel") {
		t.Errorf("placement.csv after --replace: %v, %q", err, b)
	}
}
