package main

import (
	"context"
	"flag"
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

type setupFlags struct {
	home, mirror, models, ortDest, ortTarball string
	noORT, noData, train                      bool
}

// setupCommand is `imagenetx setup`: it installs what a default run needs,
// the ONNX Runtime library (from `npm pack onnxruntime-node`), the
// annotations and the default model, each verified against its pinned
// sha256. Files already in place are only checked, so a second run does
// nothing slow.
func setupCommand() *command {
	var f setupFlags
	return &command{
		name:  "setup",
		usage: "imagenetx setup [flags]",
		short: "install ONNX Runtime, annotations and the default model (sha256-checked)",
		long: `
Installs the ONNX Runtime library (taken out of npm pack onnxruntime-node),
the ImageNet-X annotations and the default model, every file checked
against its pinned sha256, and records the library's place in the data home
so that imagenetx finds it from any directory. Files already in place are
only checked.`,
		flags: func(fs *flag.FlagSet) {
			home, _ := datahome.Dir()
			fs.StringVar(&f.home, "home", home, "data `DIR` for annotations/ and models/ (env "+datahome.EnvVar+")")
			fs.StringVar(&f.mirror, "mirror", datahome.Mirror(), "local `DIR` laid out like the data home, tried before upstream (env "+datahome.MirrorEnvVar+", else ../shared/imagenetx beside the checkout of this binary)")
			fs.StringVar(&f.models, "models", models.DefaultName, "comma-separated registered `MODELS` to fetch (all for every one)")
			fs.StringVar(&f.ortDest, "ort-dest", "", "`FILE` or folder to install libonnxruntime.so.1 into (default: the checkout's .cache/onnxruntime)")
			fs.StringVar(&f.ortTarball, "ort-tarball", "", "use this onnxruntime-node tarball `FILE` instead of running npm pack")
			fs.BoolVar(&f.noORT, "no-ort", false, "skip the ONNX Runtime library")
			fs.BoolVar(&f.noData, "no-data", false, "skip annotations and models")
			fs.BoolVar(&f.train, "train", false, "also fetch the train-set annotations")
		},
		run: func(ctx context.Context, e *env, _ []string) error {
			if !f.noORT {
				if err := setupORT(ctx, &f, e.stderr); err != nil {
					return err
				}
			}
			if f.noData {
				return nil
			}
			return setupData(ctx, &f, e.stderr)
		},
	}
}

func setupORT(ctx context.Context, f *setupFlags, log io.Writer) error {
	dest := ortlib.InstallDestination(f.ortDest)
	if dest == "" {
		var err error
		if dest, err = ortlib.DefaultInstallPath(); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return fmt.Errorf("install ONNX Runtime: %w", err)
	}
	changed, err := ortlib.Install(ctx, dest, f.ortTarball)
	if err != nil {
		return fmt.Errorf("install ONNX Runtime: %w", err)
	}
	// The record lets programs outside the checkout (any directory, any
	// Go program embedding imagenetx) find the library.
	if err := datahome.RecordRuntime(f.home, dest); err != nil {
		return fmt.Errorf("record the ONNX Runtime library in the data home: %w", err)
	}
	state := "present"
	if changed {
		state = "installed from " + ortlib.NPMPackage
	}
	fmt.Fprintf(log, "onnxruntime %s: %s (%s)\n", ortlib.Version, dest, state)
	return nil
}

func setupData(ctx context.Context, f *setupFlags, log io.Writer) error {
	assets, err := setupAssets(f)
	if err != nil {
		return err
	}
	fetcher := &fetch.Fetcher{Home: f.home, Mirror: f.mirror}
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
	fmt.Fprintf(log, "data home: %s (annotations: %s)\n", f.home, filepath.Join(f.home, "annotations"))
	return nil
}

func setupAssets(f *setupFlags) ([]fetch.Asset, error) {
	assets := models.AnnotationAssets(f.train)
	names := strings.Split(f.models, ",")
	if f.models == "all" {
		names = nil
		for _, m := range models.Known() {
			names = append(names, m.Name)
		}
	}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		m, ok := models.Lookup(n)
		if !ok {
			return nil, fmt.Errorf("--models: unknown model %q (known: %s)", n, models.Names())
		}
		assets = append(assets, m.Asset())
	}
	return assets, nil
}
