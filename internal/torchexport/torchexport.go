package torchexport

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// PythonEnvVar overrides the Python interpreter (default /usr/bin/python3,
// Debian's, which sees the python3-torch package; a pyenv shim on PATH
// would not).
const PythonEnvVar = "IMAGENETX_PYTHON"

// CacheEnvVar overrides the cache folder (default: the user cache
// directory's imagenetx/torch-exports).
const CacheEnvVar = "IMAGENETX_EXPORT_CACHE"

// Request says what to export.
type Request struct {
	// Model is a torchvision architecture name (resnet50, mobilenet_v2).
	Model string `json:"model"`
	// Seed initialises the random weights.
	Seed int `json:"seed"`
	// CalibDir holds the images whose statistics recalibrate BatchNorm
	// (the first CalibCount in file-name order).
	CalibDir   string `json:"calib_dir"`
	CalibCount int    `json:"calib_count"`
	// PredictDir, when set, also gets PyTorch's predictions (the first
	// PredictLimit images; 0 for all).
	PredictDir   string `json:"predict_dir,omitempty"`
	PredictLimit int    `json:"predict_limit,omitempty"`
}

// Export is an exported model's files.
type Export struct {
	// ONNX is MODEL.onnx and Sidecar its MODEL.json (preprocessing).
	ONNX, Sidecar string
	// Weights is the PyTorch state dict the script's predict mode loads.
	Weights string
	// Predictions is PyTorch's predictions CSV, "" when not asked for.
	Predictions string
}

// Python is the interpreter the script runs with.
func Python() string {
	if p := os.Getenv(PythonEnvVar); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

// ScriptPath is the export script in this checkout.
func ScriptPath() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cannot tell where the export script is")
	}
	p := filepath.Join(filepath.Dir(file), "..", "..", "scripts", "export_torchvision.py")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("export script: %w", err)
	}
	return filepath.Clean(p), nil
}

// Available reports why PyTorch cannot export here, nil when it can.
func Available(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, Python(), "-c", "import torch, torchvision").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s cannot import torch and torchvision (Debian: apt-get install python3-torch python3-torchvision): %v: %s",
			Python(), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// CacheDir is where exports are kept.
func CacheDir() (string, error) {
	if d := os.Getenv(CacheEnvVar); d != "" {
		return d, nil
	}
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache folder for exports (set %s): %w", CacheEnvVar, err)
	}
	return filepath.Join(c, "imagenetx", "torch-exports"), nil
}

// Run exports (or finds in the cache) what req asks for.
func Run(ctx context.Context, req Request) (Export, error) {
	script, err := ScriptPath()
	if err != nil {
		return Export{}, err
	}
	src, err := os.ReadFile(script)
	if err != nil {
		return Export{}, err
	}
	cache, err := CacheDir()
	if err != nil {
		return Export{}, err
	}
	key, err := cacheKey(src, req)
	if err != nil {
		return Export{}, err
	}
	dir := filepath.Join(cache, key)
	exp := filesIn(dir, req)
	if _, err := os.Stat(filepath.Join(dir, doneMarker)); err == nil {
		return exp, nil
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return Export{}, err
	}
	tmp, err := os.MkdirTemp(cache, key+".tmp-")
	if err != nil {
		return Export{}, err
	}
	defer os.RemoveAll(tmp)
	if err := runScript(ctx, script, tmp, req); err != nil {
		return Export{}, err
	}
	if err := os.WriteFile(filepath.Join(tmp, doneMarker), nil, 0o644); err != nil {
		return Export{}, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Another process finished the same export first: use theirs.
		if _, serr := os.Stat(filepath.Join(dir, doneMarker)); serr != nil {
			return Export{}, fmt.Errorf("export into %s: %w", dir, err)
		}
	}
	return exp, nil
}

// doneMarker marks a finished export folder.
const doneMarker = "DONE"

// cacheKey is the sha256 of the script and the request.
func cacheKey(script []byte, req Request) (string, error) {
	r, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write(script)
	h.Write([]byte{0})
	h.Write(r)
	return req.Model + "-" + hex.EncodeToString(h.Sum(nil))[:16], nil
}

func filesIn(dir string, req Request) Export {
	base := filepath.Join(dir, req.Model)
	e := Export{ONNX: base + ".onnx", Sidecar: base + ".json", Weights: base + ".pt"}
	if req.PredictDir != "" {
		e.Predictions = base + ".torch.csv"
	}
	return e
}

func runScript(ctx context.Context, script, out string, req Request) error {
	args := []string{script, "export", "--model", req.Model, "--seed", strconv.Itoa(req.Seed),
		"--calib", req.CalibDir, "--calib-count", strconv.Itoa(req.CalibCount), "--out", out}
	if req.PredictDir != "" {
		args = append(args, "--predict", req.PredictDir, "--predict-limit", strconv.Itoa(req.PredictLimit))
	}
	cmd := exec.CommandContext(ctx, Python(), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", Python(), strings.Join(args, " "), err, tail(stderr.String(), 4000))
	}
	return nil
}

// tail keeps the end of a long output.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
