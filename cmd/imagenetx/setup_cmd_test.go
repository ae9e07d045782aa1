package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/models"
)

func TestSetupDataFromMirror(t *testing.T) {
	mirror := filepath.Dir(shareddata.Require(t, "annotations"))
	home := t.TempDir()
	f := &setupFlags{home: home, mirror: mirror, models: models.DefaultName}
	var log bytes.Buffer
	if err := setupData(context.Background(), f, &log); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(log.String(), "copied from mirror"); n != 8 {
		t.Fatalf("%d files copied, want 7 annotations + 1 model:\n%s", n, log.String())
	}
	// A damaged file is replaced; the rest are only checked.
	os.WriteFile(filepath.Join(home, "models", "mobilenetv2-12-int8.onnx"), []byte("damaged"), 0o644)
	log.Reset()
	if err := setupData(context.Background(), f, &log); err != nil {
		t.Fatal(err)
	}
	if strings.Count(log.String(), "present") != 7 || strings.Count(log.String(), "copied from mirror") != 1 {
		t.Fatalf("second set-up:\n%s", log.String())
	}
	// A registered model without a public download needs the mirror.
	f.mirror, f.models = t.TempDir(), "mobilenetv2-7.quant"
	log.Reset()
	if err := setupData(context.Background(), f, &log); err == nil || !strings.Contains(log.String(), "no upstream URL") {
		t.Fatalf("err = %v\n%s", err, log.String())
	}
	f.models = "nope"
	if err := setupData(context.Background(), f, &log); err == nil || !strings.Contains(err.Error(), "unknown model") {
		t.Fatalf("err = %v", err)
	}
}
