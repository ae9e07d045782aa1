// Package ortlib finds and installs the ONNX Runtime shared library that the
// engine loads at run time: the default (CPU and WebGPU) one, and the
// CUDA-enabled pair of `setup --gpu` (gpu.go), whose shared-library needs it
// checks without loading anything (package elfdeps). It only handles files:
// loading the library is the engine's job; where set-up keeps things is
// package datahome's.
package ortlib

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/imagenetx/imagenetx/datahome"
)

// The pinned ONNX Runtime build: libonnxruntime.so.1 for linux/x64 from the
// onnxruntime-node npm package. onnxruntime_go v1.27.0 needs C API 24, which
// ONNX Runtime 1.24 provides.
const (
	Version       = "1.24.3"
	NPMPackage    = "onnxruntime-node@" + Version
	TarballMember = "package/bin/napi-v6/linux/x64/libonnxruntime.so.1"
	SHA256        = "92ba8e44d31b80a34f5e805076a044122c3be1fffe0d88ed790de7267b0b2682"
	FileName      = "libonnxruntime.so.1"
)

// EnvVar names the environment variable that points at the library.
const EnvVar = "ONNXRUNTIME_LIB"

// RepoSubdir is where set-up installs the library inside a checkout.
var RepoSubdir = filepath.Join(".cache", "onnxruntime")

// ErrNotFound is returned (wrapped) by Locate when no library is found.
var ErrNotFound = errors.New("ONNX Runtime library not found")

// Locate returns the library path to load: explicit when set, then
// $ONNXRUNTIME_LIB, then the first existing DefaultPaths entry. An explicit
// path that does not exist is an error, never silently replaced.
func Locate(explicit string) (string, error) {
	for _, p := range []struct{ path, from string }{
		{explicit, "ONNX Runtime library"},
		{os.Getenv(EnvVar), EnvVar},
	} {
		if p.path == "" {
			continue
		}
		if _, err := os.Stat(p.path); err != nil {
			return "", fmt.Errorf("%s %s: %w (install it with `%s`)", p.from, p.path, err, datahome.SetupCommand)
		}
		return p.path, nil
	}
	candidates := DefaultPaths()
	for _, p := range candidates {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w (looked in %q; $%s unset): run `%s` in the imagenetx checkout, or set %s to a libonnxruntime.so %s",
		ErrNotFound, candidates, EnvVar, datahome.SetupCommand, EnvVar, Version)
}

// DefaultPaths lists where set-up may have put the library, in lookup order:
// the checkout holding the running binary (bin/imagenetx → .cache/onnxruntime),
// the library set-up recorded in the data home (found from any directory,
// by any program), the data home's lib/, and last the checkout holding the
// working directory (go test and go run in a checkout set-up has not
// recorded).
func DefaultPaths() []string {
	var out []string
	add := func(p string) {
		if p == "" {
			return
		}
		for _, q := range out {
			if q == p {
				return
			}
		}
		out = append(out, p)
	}
	if root := datahome.ExecutableCheckout(); root != "" {
		add(filepath.Join(root, RepoSubdir, FileName))
	}
	if lib, _, err := datahome.RecordedRuntime(); err == nil {
		add(lib)
	}
	if home, err := datahome.Dir(); err == nil {
		add(filepath.Join(home, datahome.LibDir, FileName))
	}
	if wd, err := os.Getwd(); err == nil {
		if root := datahome.CheckoutAbove(wd, 64); root != "" {
			add(filepath.Join(root, RepoSubdir, FileName))
		}
	}
	return out
}

// DefaultInstallPath is where set-up installs the library: the checkout
// holding the running binary or working directory, else the data home.
func DefaultInstallPath() (string, error) {
	if root := datahome.ExecutableCheckout(); root != "" {
		return filepath.Join(root, RepoSubdir, FileName), nil
	}
	if wd, err := os.Getwd(); err == nil {
		if root := datahome.CheckoutAbove(wd, 64); root != "" {
			return filepath.Join(root, RepoSubdir, FileName), nil
		}
	}
	home, err := datahome.Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, datahome.LibDir, FileName), nil
}

// DefaultGPUPaths lists where `setup --gpu` may have put the CUDA-enabled
// library, in DefaultPaths' order: GPUSubdir of the checkout holding the
// running binary, the data home's lib-gpu/, GPUSubdir of the checkout
// holding the working directory.
func DefaultGPUPaths() []string {
	var out []string
	if root := datahome.ExecutableCheckout(); root != "" {
		out = append(out, filepath.Join(root, GPUSubdir, FileName))
	}
	if home, err := datahome.Dir(); err == nil {
		out = append(out, filepath.Join(home, GPUHomeSubdir, FileName))
	}
	if wd, err := os.Getwd(); err == nil {
		if root := datahome.CheckoutAbove(wd, 64); root != "" {
			if p := filepath.Join(root, GPUSubdir, FileName); len(out) == 0 || out[0] != p {
				out = append(out, p)
			}
		}
	}
	return out
}

// DefaultGPUDir is where `setup --gpu` installs the CUDA-enabled library:
// GPUSubdir of the checkout holding the running binary or working
// directory, else the data home's lib-gpu/.
func DefaultGPUDir() (string, error) {
	lib, err := DefaultInstallPath()
	if err != nil {
		return "", err
	}
	for _, root := range []string{datahome.ExecutableCheckout(), workingCheckout()} {
		if root != "" && lib == filepath.Join(root, RepoSubdir, FileName) {
			return filepath.Join(root, GPUSubdir), nil
		}
	}
	home, err := datahome.Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, GPUHomeSubdir), nil
}

func workingCheckout() string {
	if wd, err := os.Getwd(); err == nil {
		return datahome.CheckoutAbove(wd, 64)
	}
	return ""
}

// LocateForCUDA is Locate for a CUDA session: without an explicit path
// (explicit, $ONNXRUNTIME_LIB), the CUDA-enabled library `setup --gpu`
// installed when there is one, else the default library (whose lack of
// CUDA the session then explains).
func LocateForCUDA(explicit string) (string, error) {
	if explicit == "" && os.Getenv(EnvVar) == "" {
		for _, p := range DefaultGPUPaths() {
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				return p, nil
			}
		}
	}
	return Locate(explicit)
}
