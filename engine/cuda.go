package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/imagenetx/imagenetx/engine/ortlib"
	"github.com/imagenetx/imagenetx/engine/ortlib/elfdeps"
)

// CUDAHelp says how to get an ONNX Runtime library that can use CUDA.
const CUDAHelp = "a CUDA-enabled ONNX Runtime is needed: the version-matched " + ortlib.GPUVersion + " pair (core and CUDA 13 provider, " +
	"sha256-pinned) that set-up installs beside the default library, which a CUDA device then loads, or any libonnxruntime.so.1 " +
	"with libonnxruntime_providers_shared.so and libonnxruntime_providers_cuda.so of its own version beside it, loaded instead " +
	"(ONNXRUNTIME_LIB, or the runtime library path given to imagenetx; docs/GPU.md). imagenetx never falls back to the CPU silently"

// ErrNoCUDAProvider is wrapped by the error of a CUDA session whose ONNX
// Runtime library has no CUDA provider beside it.
var ErrNoCUDAProvider = errors.New("no CUDA provider beside the ONNX Runtime library")

// appendCUDA adds the CUDA execution provider, or explains why it cannot.
func appendCUDA(so *ort.SessionOptions, dev Device) error {
	co, err := ort.NewCUDAProviderOptions()
	if err != nil {
		return cudaError(dev, err)
	}
	defer co.Destroy()
	search := dev.ConvAlgoSearch
	if search == "" {
		search = "EXHAUSTIVE"
	}
	opts := map[string]string{
		"device_id":              strconv.Itoa(dev.ID),
		"cudnn_conv_algo_search": search,
		// Grow the arena by what is asked, not by doubling: with a fixed
		// batch the footprint is stable and doubling wastes up to half.
		"arena_extend_strategy": "kSameAsRequested",
	}
	if dev.MemLimit > 0 {
		opts["gpu_mem_limit"] = strconv.FormatInt(dev.MemLimit, 10)
	}
	if err := co.Update(opts); err != nil {
		return cudaError(dev, err)
	}
	if err := so.AppendExecutionProviderCUDA(co); err != nil {
		return cudaError(dev, err)
	}
	return nil
}

// cudaError explains why the loaded library cannot start CUDA: it has no
// CUDA provider beside it, or the provider's own libraries (CUDA, cuDNN)
// are missing, which are then named with where they were looked for.
func cudaError(dev Device, err error) error {
	lib := RuntimePath()
	dir := filepath.Dir(lib)
	provider := filepath.Join(dir, ortlib.CUDAProviderFile)
	if _, serr := os.Stat(provider); serr != nil {
		return fmt.Errorf("device %s: the ONNX Runtime library %s (%s): %w (no %s): %v; %s",
			dev, lib, RuntimeVersion(), ErrNoCUDAProvider, ortlib.CUDAProviderFile, err, CUDAHelp)
	}
	rep, rerr := ortlib.GPUDeps(dir, pythonNvidiaDirs())
	if rerr != nil || len(rep.Missing()) == 0 {
		return fmt.Errorf("device %s: the ONNX Runtime library %s (%s) cannot start CUDA: %w", dev, lib, RuntimeVersion(), err)
	}
	return fmt.Errorf("device %s: the CUDA provider beside %s needs libraries the dynamic loader cannot find: %s; %v",
		dev, lib, MissingLibraries(rep), err)
}

// MissingLibraries says which of a report's libraries are missing, where
// they were looked for and, for those found outside the loader's search
// (a Python environment's NVIDIA wheels), which LD_LIBRARY_PATH finds them.
func MissingLibraries(rep elfdeps.Report) string {
	var names, dirs []string
	for _, l := range rep.Missing() {
		n := l.Name
		if l.RunTime {
			n += " (loaded at run time)"
		}
		names = append(names, n)
		for _, p := range l.Elsewhere {
			if d := filepath.Dir(p); !slices.Contains(dirs, d) {
				dirs = append(dirs, d)
			}
		}
	}
	s := strings.Join(names, ", ") + " (looked in " + strings.Join(rep.Looked, ", ") + ")"
	if len(dirs) > 0 {
		path := strings.Join(dirs, ":")
		if old := os.Getenv("LD_LIBRARY_PATH"); old != "" {
			path += ":" + old
		}
		s += "; some are in a Python environment's NVIDIA packages: run with LD_LIBRARY_PATH=" + path
	}
	return s
}

// pythonNvidiaDirs is the nvidia/*/lib folders of the python3 on PATH, if
// any (best effort: this only adds hints to an error).
func pythonNvidiaDirs() []string {
	py, err := exec.LookPath("python3")
	if err != nil {
		return nil
	}
	dirs, err := ortlib.PythonNvidiaLibDirs(context.Background(), py)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	return dirs
}
