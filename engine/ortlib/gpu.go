package ortlib

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/imagenetx/imagenetx/engine/ortlib/elfdeps"
	"github.com/imagenetx/imagenetx/models/fetch"
)

// The CUDA-enabled ONNX Runtime that `imagenetx setup --gpu` assembles from
// two npm packages of one ONNX Runtime version, 1.29.0:
//
//   - libonnxruntime.so.1 from onnxruntime-node@1.29.0: a provider-bridge
//     build, which loads libonnxruntime_providers_shared.so and
//     libonnxruntime_providers_cuda.so from its own folder when CUDA is
//     asked for; it provides C API 24, which onnxruntime_go v1.27.0 needs;
//   - those two provider libraries from
//     com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9, built from ONNX
//     Runtime 1.29.0 for CUDA 13 and cuDNN 9.
//
// The provider must be of exactly the core's version, so the pair is pinned
// together. It is installed in its own folder (GPUSubdir), beside and not
// over the default CPU library.
const (
	GPUVersion        = "1.29.0"
	GPUCorePackage    = "onnxruntime-node@" + GPUVersion
	GPUProviderPkg    = "com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9"
	CUDAProviderFile  = "libonnxruntime_providers_cuda.so"
	SharedProvideFile = "libonnxruntime_providers_shared.so"
)

// PinnedFile is one file of an npm package, pinned by sha256.
type PinnedFile struct {
	// Name is the installed file name.
	Name string
	// Package is the npm package@version and Member the file's path in
	// its tarball.
	Package, Member string
	SHA256          string
	MaxBytes        int64
}

// GPUFiles are the three files of the CUDA-enabled library. The pins were
// computed from the files extracted from `npm pack` of each package.
var GPUFiles = []PinnedFile{
	{Name: FileName, Package: GPUCorePackage, Member: "package/bin/napi-v6/linux/x64/libonnxruntime.so.1",
		SHA256: "89688f5cf51c7e31befbb7b9101bc027799009b18d1baa9a5b1146a72e69538d", MaxBytes: 256 << 20},
	{Name: SharedProvideFile, Package: GPUProviderPkg, Member: "package/Plugins/Linux/x64/" + SharedProvideFile,
		SHA256: "c6a12593396095f5670160e284c35d1700b7708cf3037b7042e2a5200ccae772", MaxBytes: 16 << 20},
	{Name: CUDAProviderFile, Package: GPUProviderPkg, Member: "package/Plugins/Linux/x64/" + CUDAProviderFile,
		SHA256: "56cf3254b118ad837ccc4ed8f6d1b23504bbf7ef91b34cbc0b289cb7f10b3037", MaxBytes: 1 << 30},
}

// CUDARunTimeLibs are libraries the CUDA provider loads itself at run time
// (not in its DT_NEEDED): cuDNN 9, which its convolutions use.
var CUDARunTimeLibs = []string{"libcudnn.so.9"}

// GPUSubdir is where set-up installs the CUDA-enabled library inside a
// checkout, and GPUHomeSubdir in the data home outside one.
var (
	GPUSubdir     = filepath.Join(".cache", "onnxruntime-gpu")
	GPUHomeSubdir = "lib-gpu"
)

// InstallGPU makes sure dir holds GPUFiles. Files already in place and
// verified are kept; the others are taken from the package tarballs in
// tarballs (npm pack's file names, e.g. onnxruntime-node-1.29.0.tgz) when
// given there, else from a fresh `npm pack`. It returns the files it
// installed.
func InstallGPU(ctx context.Context, dir, tarballs string) (installed []string, err error) {
	return installPinned(ctx, dir, tarballs, GPUFiles)
}

// installPinned is InstallGPU for any list of pinned npm files.
func installPinned(ctx context.Context, dir, tarballs string, files []PinnedFile) (installed []string, err error) {
	need := map[string][]fetch.Member{}
	var order []string
	for _, f := range files {
		dest := filepath.Join(dir, f.Name)
		if err := fetch.VerifyDest(dest, f.SHA256); err == nil {
			continue
		}
		if _, ok := need[f.Package]; !ok {
			order = append(order, f.Package)
		}
		need[f.Package] = append(need[f.Package], fetch.Member{Name: f.Member, Dest: dest, SHA256: f.SHA256, MaxBytes: f.MaxBytes})
		installed = append(installed, f.Name)
	}
	if len(order) == 0 {
		return nil, nil
	}
	tmp, err := os.MkdirTemp("", "imagenetx-ort-gpu-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	for _, pkg := range order {
		tgz := ""
		if tarballs != "" {
			tgz = filepath.Join(tarballs, npmTarballName(pkg))
			if _, err := os.Stat(tgz); err != nil {
				return nil, fmt.Errorf("%s: %w (the tarball of %s, as `npm pack %s` names it)", tgz, err, pkg, pkg)
			}
		} else if tgz, err = PackNPM(ctx, tmp, pkg); err != nil {
			return nil, err
		}
		if err := extractMembers(tgz, need[pkg]); err != nil {
			return nil, err
		}
	}
	return installed, nil
}

// npmTarballName is the file name `npm pack` gives a package@version:
// scope and name joined by "-", then "-version.tgz".
func npmTarballName(pkg string) string {
	at := strings.LastIndex(pkg, "@")
	name, version := pkg[:at], pkg[at+1:]
	name = strings.ReplaceAll(strings.TrimPrefix(name, "@"), "/", "-")
	return name + "-" + version + ".tgz"
}

func extractMembers(tgz string, members []fetch.Member) error {
	f, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer f.Close()
	return fetch.ExtractMembers(f, tgz, members)
}

// GPUDeps resolves the shared libraries the CUDA provider in dir needs,
// including CUDARunTimeLibs, as the dynamic loader would; pythonLibDirs
// (PythonNvidiaLibDirs) are where missing ones are looked for besides.
func GPUDeps(dir string, pythonLibDirs []string) (elfdeps.Report, error) {
	s := elfdeps.SystemSearch()
	s.Elsewhere = pythonLibDirs
	return elfdeps.Resolve(filepath.Join(dir, CUDAProviderFile), CUDARunTimeLibs, s)
}

// PythonNvidiaLibDirs returns the nvidia/*/lib folders (where NVIDIA's pip
// wheels put the CUDA and cuDNN libraries: nvidia/cu13/lib,
// nvidia/cudnn/lib, ...) of the site-packages of the given Python
// interpreter.
func PythonNvidiaLibDirs(ctx context.Context, python string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, python, "-c",
		"import site, sys\nfor p in site.getsitepackages() + [site.getusersitepackages()]: print(p)").Output()
	if err != nil {
		return nil, fmt.Errorf("ask %s for its site-packages: %w", python, err)
	}
	return NvidiaLibDirs(strings.Fields(string(out))), nil
}

// NvidiaLibDirs returns the nvidia/*/lib folders under the given
// site-packages folders, in order, each once.
func NvidiaLibDirs(sitePackages []string) []string {
	var dirs []string
	for _, sp := range sitePackages {
		m, _ := filepath.Glob(filepath.Join(sp, "nvidia", "*", "lib"))
		slices.Sort(m)
		for _, d := range m {
			if st, err := os.Stat(d); err == nil && st.IsDir() && !slices.Contains(dirs, d) {
				dirs = append(dirs, d)
			}
		}
	}
	return dirs
}
