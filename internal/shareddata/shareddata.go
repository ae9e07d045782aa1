// Package shareddata locates the read-only ImageNet-X data set (annotations,
// predictions, models, images, golden tensors) that tests, benchmarks and
// benchmarks read. It never copies anything: callers open files in place.
// It imports package testing, so only test code may import it (the shipped
// binary finds the mirror through package datahome instead).
package shareddata

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// EnvVar names the environment variable that overrides the data location.
const EnvVar = "IMAGENETX_DATA"

// Dir returns the data directory: $IMAGENETX_DATA when set, otherwise
// ../shared/imagenetx next to the module root found from the working directory.
func Dir() (string, error) {
	if d := os.Getenv(EnvVar); d != "" {
		if _, err := os.Stat(d); err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvVar, d, err)
		}
		return d, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	d := filepath.Join(filepath.Dir(root), "shared", "imagenetx")
	if _, err := os.Stat(d); err != nil {
		return "", fmt.Errorf("ImageNet-X data not found at %s (set %s): %w", d, EnvVar, err)
	}
	return d, nil
}

// Path joins elem onto Dir.
func Path(elem ...string) (string, error) {
	d, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(append([]string{d}, elem...)...), nil
}

// Require returns the path of elem inside the data directory for a test.
// Where the data is absent the test is skipped on a developer machine, but
// fails under CI (CI set in the environment), so CI never passes by skipping.
func Require(tb testing.TB, elem ...string) string {
	tb.Helper()
	p, err := Path(elem...)
	if err == nil {
		_, err = os.Stat(p)
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("shared data required under CI: %v", err)
		}
		tb.Skipf("shared data absent: %v", err)
	}
	return p
}

// CorporaEnvVar names the environment variable that overrides where the
// image corpora from other projects live (default ../shared/corpora).
const CorporaEnvVar = "IMAGENETX_CORPORA"

// RequireCorpus returns the folder of the named corpus (e.g. "pillow": the
// images of Pillow's own test suite) for a test: $IMAGENETX_CORPORA/name, or
// ../shared/corpora/name next to the module root. Like Require, it skips the
// test where the corpus is absent, but fails it under CI.
func RequireCorpus(tb testing.TB, name string) string {
	tb.Helper()
	dir := os.Getenv(CorporaEnvVar)
	var err error
	if dir == "" {
		var root string
		if root, err = moduleRoot(); err == nil {
			dir = filepath.Join(filepath.Dir(root), "shared", "corpora")
		}
	}
	p := filepath.Join(dir, name)
	if err == nil {
		_, err = os.Stat(p)
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("corpus %s required under CI (set %s): %v", name, CorporaEnvVar, err)
		}
		tb.Skipf("corpus %s absent (set %s): %v", name, CorporaEnvVar, err)
	}
	return p
}

// moduleRoot walks up from the working directory to the folder holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}
