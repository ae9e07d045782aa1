package imagenetx

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/imagenetx/imagenetx/datahome"
	"github.com/imagenetx/imagenetx/engine"
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
	// GPU adds the CUDA-enabled ONNX Runtime (ortlib.GPUVersion) for CUDA
	// devices, installed into GPUDir ("": the checkout's
	// .cache/onnxruntime-gpu) from the npm tarballs in GPUTarballs ("": npm
	// pack), and checks the CUDA and cuDNN libraries its provider needs,
	// also in the nvidia/*/lib folders of Python's site-packages ("":
	// python3 on PATH).
	GPU                         bool
	GPUDir, GPUTarballs, Python string
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
	if !opts.SkipData {
		if err := setupData(ctx, opts, log); err != nil {
			return err
		}
	}
	if opts.GPU {
		return setupGPU(ctx, opts, log)
	}
	return nil
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
	assets := append(models.AnnotationAssets(opts.Train), models.ResultAssets()...)
	assets = append(assets, models.CorruptionAssets()...)
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

// setupGPU installs the CUDA-enabled library and reports, as the dynamic
// loader would see it, which CUDA and cuDNN libraries its CUDA provider
// still lacks. Missing libraries make it fail: the library is in place but
// a CUDA device cannot start yet.
func setupGPU(ctx context.Context, opts SetupOptions, log io.Writer) error {
	dir := opts.GPUDir
	if dir == "" {
		var err error
		if dir, err = ortlib.DefaultGPUDir(); err != nil {
			return err
		}
	}
	installed, err := ortlib.InstallGPU(ctx, dir, opts.GPUTarballs)
	if err != nil {
		return fmt.Errorf("install the CUDA-enabled ONNX Runtime: %w", err)
	}
	state := "present"
	if len(installed) > 0 {
		state = "installed " + strings.Join(installed, ", ") + " from " + ortlib.GPUCorePackage + " and " + ortlib.GPUProviderPkg
	}
	fmt.Fprintf(log, "onnxruntime %s with CUDA: %s (%s)\n", ortlib.GPUVersion, dir, state)

	python, pyDirs := opts.Python, []string(nil)
	if python == "" {
		python, _ = exec.LookPath("python3")
	}
	if python != "" {
		if pyDirs, err = ortlib.PythonNvidiaLibDirs(ctx, python); err != nil {
			fmt.Fprintf(log, "python %s: %v (not looking in its site-packages)\n", python, err)
		}
	}
	rep, err := ortlib.GPUDeps(dir, pyDirs)
	if err != nil {
		return err
	}
	shown := python
	if shown == "" {
		shown = "none"
	}
	fmt.Fprintf(log, "libraries of %s, as the dynamic loader would find them (Python: %s, nvidia/*/lib folders: %d):\n", rep.Root, shown, len(pyDirs))
	rep.WriteTo(log)
	if len(rep.Missing()) > 0 {
		return fmt.Errorf("the CUDA-enabled ONNX Runtime is installed in %s, but a CUDA device will fail until these are found: %s "+
			"(CUDA 13: libcublas, libcublasLt, libcudart, libcurand; cuDNN 9; libcuda.so.1 comes with the NVIDIA driver)",
			dir, engine.MissingLibraries(rep))
	}
	fmt.Fprintf(log, "every library is found: a CUDA device uses %s\n", dir)
	return nil
}
