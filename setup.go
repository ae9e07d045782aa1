package imagenetx

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/imagenetx/imagenetx/datahome"
	"github.com/imagenetx/imagenetx/engine/ortlib"
	"github.com/imagenetx/imagenetx/models"
	"github.com/imagenetx/imagenetx/models/fetch"
)

// SetupOptions choose what Setup installs and where.
type SetupOptions struct {
	// Home is the data home (datahome.Dir); Mirror a local folder laid out
	// like it, tried before the upstream URLs ("" for none).
	Home, Mirror string
	// Models are the registered models to fetch (models.Known), besides
	// the annotations; Train adds the train-set annotations.
	Models []string
	Train  bool
	// RuntimeDest is the file or folder the ONNX Runtime library goes into
	// ("": the checkout's .cache/onnxruntime), RuntimeTarball an
	// onnxruntime-node tarball to take it from instead of running npm pack.
	RuntimeDest, RuntimeTarball string
	// SkipRuntime and SkipData leave out the library, or the annotations
	// and models.
	SkipRuntime, SkipData bool
}

// Setup installs what a default run needs: the ONNX Runtime library (from
// npm pack onnxruntime-node), recorded in the data home so that programs
// started anywhere find it, then the annotations and opts.Models, each file
// checked against its pinned sha256. Files already in place are only
// checked, so a second call does nothing slow. It says what it did, file by
// file, on log.
func Setup(ctx context.Context, opts SetupOptions, log io.Writer) error {
	if !opts.SkipRuntime {
		if err := setupRuntime(ctx, opts, log); err != nil {
			return err
		}
	}
	if opts.SkipData {
		return nil
	}
	return setupData(ctx, opts, log)
}

func setupRuntime(ctx context.Context, opts SetupOptions, log io.Writer) error {
	dest := ortlib.InstallDestination(opts.RuntimeDest)
	if dest == "" {
		var err error
		if dest, err = ortlib.DefaultInstallPath(); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return fmt.Errorf("install ONNX Runtime: %w", err)
	}
	changed, err := ortlib.Install(ctx, dest, opts.RuntimeTarball)
	if err != nil {
		return fmt.Errorf("install ONNX Runtime: %w", err)
	}
	// The record lets programs outside the checkout (any directory, any
	// Go program embedding imagenetx) find the library.
	if err := datahome.RecordRuntime(opts.Home, dest); err != nil {
		return fmt.Errorf("record the ONNX Runtime library in the data home: %w", err)
	}
	state := "present"
	if changed {
		state = "installed from " + ortlib.NPMPackage
	}
	fmt.Fprintf(log, "onnxruntime %s: %s (%s)\n", ortlib.Version, dest, state)
	return nil
}

func setupData(ctx context.Context, opts SetupOptions, log io.Writer) error {
	assets := models.AnnotationAssets(opts.Train)
	for _, name := range opts.Models {
		m, ok := models.Lookup(name)
		if !ok {
			return fmt.Errorf("unknown model %q (known: %s)", name, models.Names())
		}
		assets = append(assets, m.Asset())
	}
	fetcher := &fetch.Fetcher{Home: opts.Home, Mirror: opts.Mirror}
	var failed []string
	for _, a := range assets {
		path, outcome, err := fetcher.Ensure(ctx, a)
		if err != nil {
			fmt.Fprintf(log, "%s: FAILED: %v\n", a.Path, err)
			failed = append(failed, a.Path)
			continue
		}
		fmt.Fprintf(log, "%s: %s\n", path, outcome)
	}
	if len(failed) > 0 {
		return fmt.Errorf("set-up could not fetch %d file(s): %s", len(failed), strings.Join(failed, ", "))
	}
	fmt.Fprintf(log, "data home: %s (annotations: %s)\n", opts.Home, filepath.Join(opts.Home, "annotations"))
	return nil
}
