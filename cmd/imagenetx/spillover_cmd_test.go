package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/internal/shareddata"
)

func TestSpilloverCommandOnColorjitterTable(t *testing.T) {
	table := shareddata.Require(t, "results", "val", "top_factor", "colorjitter", "class", "accuracies_per_factor.csv")
	var out bytes.Buffer
	err := spilloverCommand(context.Background(), []string{"--table", table, "--strength-regex", `color([0-9.]+)`,
		"--factors", "pose,color"}, &out, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	// Numbers from the reference pipeline (see eval/spillover's tests).
	want := "factor,effect,pval,n_models,strength_low,strength_high\n" +
		"pose,-18.1044893358"
	if !strings.HasPrefix(out.String(), want) || !strings.Contains(out.String(), "\ncolor,26.7149226913") {
		t.Errorf("output:\n%s", out.String())
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "spill.md")
	err = spilloverCommand(context.Background(), []string{"--table", table, "--strength-regex", `color([0-9.]+)`,
		"--format", "markdown", "-o", path}, &out, &bytes.Buffer{})
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
		"no table":      {"--strength-regex", "a(b)"},
		"no regex":      {"--table", missing},
		"no group":      {"--table", missing, "--strength-regex", "color"},
		"bad format":    {"--table", missing, "--strength-regex", "a(b)", "--format", "json"},
		"bad factor":    {"--table", missing, "--strength-regex", "a(b)", "--factors", "pose,colour"},
		"bad transform": {"--table", missing, "--strength-regex", "a(b)", "--strength-transform", "x/2"},
		"min models":    {"--table", missing, "--strength-regex", "a(b)", "--min-models", "0"},
		"missing file":  {"--table", missing, "--strength-regex", "a(b)"},
		"extra arg":     {"--table", missing, "--strength-regex", "a(b)", "extra"},
	}
	for name, args := range cases {
		if err := spilloverCommand(context.Background(), args, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
