// Package ortlib finds and installs the ONNX Runtime shared library that the
// engine loads at run time. It only handles files: loading the library is the
// engine's job.
package ortlib

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// HomeEnvVar names the environment variable of imagenetx's per-user data
// directory (default ~/.cache/imagenetx); the library may live in its lib/.
const HomeEnvVar = "IMAGENETX_HOME"

// SetupCommand is what a user runs to install the library.
const SetupCommand = "bash scripts/setup.sh"

// RepoSubdir is where set-up installs the library inside a checkout.
var RepoSubdir = filepath.Join(".cache", "onnxruntime")

// ErrNotFound is returned (wrapped) by Locate when no library is found.
var ErrNotFound = errors.New("ONNX Runtime library not found")

// Locate returns the library path to load: flagPath when set, then
// $ONNXRUNTIME_LIB, then the first existing DefaultPaths entry. An explicit
// path that does not exist is an error, never silently replaced.
func Locate(flagPath string) (string, error) {
	for _, explicit := range []struct{ path, from string }{
		{flagPath, "--ort-lib"},
		{os.Getenv(EnvVar), EnvVar},
	} {
		if explicit.path == "" {
			continue
		}
		if _, err := os.Stat(explicit.path); err != nil {
			return "", fmt.Errorf("%s=%s: %w (install it with `%s`)", explicit.from, explicit.path, err, SetupCommand)
		}
		return explicit.path, nil
	}
	candidates := DefaultPaths()
	for _, p := range candidates {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w (looked in %q, --ort-lib and $%s unset): run `%s` in the imagenetx checkout, or set %s to a libonnxruntime.so %s",
		ErrNotFound, candidates, EnvVar, SetupCommand, EnvVar, Version)
}

// DefaultPaths lists where set-up may have put the library, in lookup order:
// the checkout holding the running binary (bin/imagenetx → .cache/onnxruntime),
// the checkout holding the working directory (go test, go run), and the
// per-user data directory's lib/.
func DefaultPaths() []string {
	var out []string
	add := func(dir string) {
		if dir == "" {
			return
		}
		p := filepath.Join(dir, FileName)
		for _, q := range out {
			if q == p {
				return
			}
		}
		out = append(out, p)
	}
	if exe, err := os.Executable(); err == nil {
		if root := checkoutAbove(filepath.Dir(exe), 2); root != "" {
			add(filepath.Join(root, RepoSubdir))
		}
	}
	if wd, err := os.Getwd(); err == nil {
		if root := checkoutAbove(wd, 64); root != "" {
			add(filepath.Join(root, RepoSubdir))
		}
	}
	if home, err := DataHome(); err == nil {
		add(filepath.Join(home, "lib"))
	}
	return out
}

// DataHome returns imagenetx's per-user data directory: $IMAGENETX_HOME, else
// the user cache directory's imagenetx/ (~/.cache/imagenetx on Linux).
func DataHome() (string, error) {
	if d := os.Getenv(HomeEnvVar); d != "" {
		return d, nil
	}
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no data directory: set %s: %w", HomeEnvVar, err)
	}
	return filepath.Join(c, "imagenetx"), nil
}

// DefaultInstallPath is where set-up installs the library: the checkout
// holding the running binary or working directory, else the data home.
func DefaultInstallPath() (string, error) {
	if exe, err := os.Executable(); err == nil {
		if root := checkoutAbove(filepath.Dir(exe), 2); root != "" {
			return filepath.Join(root, RepoSubdir, FileName), nil
		}
	}
	if wd, err := os.Getwd(); err == nil {
		if root := checkoutAbove(wd, 64); root != "" {
			return filepath.Join(root, RepoSubdir, FileName), nil
		}
	}
	home, err := DataHome()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "lib", FileName), nil
}

// modulePath identifies an imagenetx checkout by its go.mod.
const modulePath = "module github.com/imagenetx/imagenetx"

// checkoutAbove returns the nearest directory at most maxUp levels above dir
// (dir included) that is an imagenetx checkout, or "".
func checkoutAbove(dir string, maxUp int) string {
	for i := 0; i <= maxUp; i++ {
		if isCheckout(dir) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return ""
}

// isCheckout reports whether dir holds imagenetx's go.mod (not some other
// module's, which would put the library in a stranger's tree).
func isCheckout(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == modulePath {
			return true
		}
	}
	return false
}
