package datahome

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/imagenetx/imagenetx/internal/atomicfile"
)

// EnvVar names the environment variable of the data home.
const EnvVar = "IMAGENETX_HOME"

// MirrorEnvVar names the environment variable of the mirror.
const MirrorEnvVar = "IMAGENETX_MIRROR"

// SetupCommand is what a user runs, in the checkout, to install everything.
const SetupCommand = "bash scripts/setup.sh"

// Sub-folders of the data home (and of the mirror, which shares its layout).
const (
	AnnotationsDir = "annotations"
	ModelsDir      = "models"
	LibDir         = "lib"
)

// runtimeRecord is the file in the data home where set-up writes the
// absolute path of the ONNX Runtime library it installed, so that programs
// outside the checkout find it.
const runtimeRecord = "onnxruntime-library.txt"

// Dir returns the data home: $IMAGENETX_HOME, else the user cache
// directory's imagenetx/ (~/.cache/imagenetx on Linux).
func Dir() (string, error) {
	if d := os.Getenv(EnvVar); d != "" {
		return d, nil
	}
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no data home: set %s: %w", EnvVar, err)
	}
	return filepath.Join(c, "imagenetx"), nil
}

// Annotations returns the data home's annotation folder, where set-up puts
// the ImageNet-X annotations.
func Annotations() (string, error) {
	d, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, AnnotationsDir), nil
}

// ModelDirs lists the folders where a registered model's file is looked
// for, in order: the data home's models/, then the mirror's.
func ModelDirs() []string {
	var dirs []string
	if home, err := Dir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ModelsDir))
	}
	if m := Mirror(); m != "" {
		dirs = append(dirs, filepath.Join(m, ModelsDir))
	}
	return dirs
}

// Mirror returns the default mirror: $IMAGENETX_MIRROR, else the shared
// data folder beside the checkout that holds the running executable
// (CHECKOUT/../shared/imagenetx) when it exists, else "". It never looks at
// the working directory, so every directory gives the same answer.
func Mirror() string {
	if m := os.Getenv(MirrorEnvVar); m != "" {
		return m
	}
	root := ExecutableCheckout()
	if root == "" {
		return ""
	}
	d := SharedBeside(root)
	if st, err := os.Stat(d); err == nil && st.IsDir() {
		return d
	}
	return ""
}

// SharedBeside is where a checkout's shared data folder lives:
// ROOT/../shared/imagenetx.
func SharedBeside(root string) string {
	return filepath.Join(filepath.Dir(root), "shared", "imagenetx")
}

// ExecutableCheckout returns the imagenetx checkout holding the running
// executable (bin/imagenetx, at most two levels below the root), or "".
func ExecutableCheckout() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	return CheckoutAbove(filepath.Dir(exe), 2)
}

// modulePath identifies an imagenetx checkout by its go.mod.
const modulePath = "module github.com/imagenetx/imagenetx"

// CheckoutAbove returns the nearest directory at most maxUp levels above
// dir (dir included) that is an imagenetx checkout, or "".
func CheckoutAbove(dir string, maxUp int) string {
	for i := 0; i <= maxUp; i++ {
		if IsCheckout(dir) {
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

// IsCheckout reports whether dir holds imagenetx's go.mod (not some other
// module's, which would put files in a stranger's tree).
func IsCheckout(dir string) bool {
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

// RecordRuntime writes, in the data home folder home (Dir, or set-up's
// --home), the absolute path of the ONNX Runtime library that set-up
// installed.
func RecordRuntime(home, libPath string) error {
	abs, err := filepath.Abs(libPath)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(home, 0o755); err != nil {
		return fmt.Errorf("data home: %w", err)
	}
	return atomicfile.Write(filepath.Join(home, runtimeRecord), func(f io.Writer) error {
		_, err := fmt.Fprintln(f, abs)
		return err
	})
}

// RecordedRuntime returns the library path that set-up recorded in the data
// home, with the record's own path for messages. It returns "" when there is
// no record; a record naming a file that is gone is returned as it is, for
// the caller to check.
func RecordedRuntime() (lib, record string, err error) {
	home, err := Dir()
	if err != nil {
		return "", "", err
	}
	record = filepath.Join(home, runtimeRecord)
	b, err := os.ReadFile(record)
	if errors.Is(err, os.ErrNotExist) {
		return "", record, nil
	}
	if err != nil {
		return "", record, err
	}
	return strings.TrimSpace(string(b)), record, nil
}
