package preprocess_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/preprocess"
)

// pillowScript decodes each path named on stdin (one per line, hex-encoded
// so that any bytes survive) with Image.open(f).convert('RGB') and prints one
// JSON object a line: the RGB bytes' sha256, or the exception.
const pillowScript = `
import hashlib, json, os, sys
import PIL
from PIL import Image
assert PIL.__version__ == "9.4.0", PIL.__version__
for line in sys.stdin:
    path = os.fsdecode(bytes.fromhex(line.strip()))
    try:
        with Image.open(path) as im:
            rgb = im.convert("RGB")
        print(json.dumps({"ok": True, "w": rgb.width, "h": rgb.height,
                          "sha256": hashlib.sha256(rgb.tobytes()).hexdigest()}))
    except Exception as e:
        print(json.dumps({"ok": False, "err": type(e).__name__ + ": " + str(e)}))
`

// pillowResult is one line of pillowScript's output.
type pillowResult struct {
	OK     bool   `json:"ok"`
	W      int    `json:"w"`
	H      int    `json:"h"`
	SHA256 string `json:"sha256"`
	Err    string `json:"err"`
}

// pillowPython returns a Python with Pillow 9.4.0 (IMAGENETX_PYTHON, else
// /usr/bin/python3, else python3 on PATH); it skips locally when there is
// none and fails under CI, so CI never passes by skipping.
func pillowPython(t *testing.T) string {
	t.Helper()
	cands := []string{os.Getenv("IMAGENETX_PYTHON"), "/usr/bin/python3", "python3"}
	for _, py := range cands {
		if py == "" {
			continue
		}
		if exec.Command(py, "-c", `import PIL; assert PIL.__version__ == "9.4.0"`).Run() == nil {
			return py
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Pillow 9.4.0 required under CI (Debian bookworm: apt-get install python3-pil)")
	}
	t.Skip("no python3 with Pillow 9.4.0; set IMAGENETX_PYTHON")
	return ""
}

// runPillow decodes paths with Pillow.
func runPillow(t *testing.T, py string, paths []string) []pillowResult {
	t.Helper()
	var in strings.Builder
	for _, p := range paths {
		in.WriteString(hex.EncodeToString([]byte(p)) + "\n")
	}
	cmd := exec.Command(py, "-c", pillowScript)
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pillow: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(paths) {
		t.Fatalf("pillow answered %d of %d files", len(lines), len(paths))
	}
	res := make([]pillowResult, len(lines))
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &res[i]); err != nil {
			t.Fatalf("pillow output %q: %v", l, err)
		}
	}
	return res
}

// TestBadInputsMatchPillow gives the corpus to Pillow 9.4 and checks that
// we fail where it fails and decode the same pixels where it decodes,
// except for the cases marked pillowDecodes, where we refuse on purpose
// (DecodeOptions.Strict on damaged data, too many scans).
func TestBadInputsMatchPillow(t *testing.T) {
	py := pillowPython(t)
	dir := t.TempDir()
	var cases []badCase
	var paths []string
	for _, c := range badCases(t) {
		if c.pillow == pillowNotAsked {
			continue
		}
		cases = append(cases, c)
		paths = append(paths, c.make(t, filepath.Join(dir)))
	}
	for i, want := range runPillow(t, py, paths) {
		c, path := cases[i], paths[i]
		img, err := c.opts.DecodeFile(path)
		switch {
		case c.pillow == pillowDecodes:
			if !want.OK || err == nil {
				t.Errorf("%s: Pillow ok=%v (%s), ours %v: want Pillow to decode and us to refuse", c.name, want.OK, want.Err, err)
			}
		case !want.OK:
			if err == nil {
				t.Errorf("%s: Pillow fails (%s) but we decode", c.name, want.Err)
			}
		case err != nil:
			t.Errorf("%s: Pillow decodes %dx%d but we fail: %v", c.name, want.W, want.H, err)
		default:
			if got := rgbSHA256(img); got != want.SHA256 || img.W != want.W || img.H != want.H {
				t.Errorf("%s: pixels differ from Pillow's (%dx%d vs %dx%d)", c.name, img.W, img.H, want.W, want.H)
			}
		}
		t.Logf("%-28s pillow: %-5v %s | ours: %v", c.name, want.OK, want.Err, err)
	}
}

// rgbSHA256 hashes the tightly packed pixels, as PIL's tobytes() lays them out.
func rgbSHA256(img *preprocess.RGB8) string {
	h := sha256.New()
	for y := 0; y < img.H; y++ {
		h.Write(img.Row(y))
	}
	return hex.EncodeToString(h.Sum(nil))
}
