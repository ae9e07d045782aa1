package preprocess_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/preprocess"
)

// conformanceScript is the reference: for each path on stdin (one a line)
// it runs torchvision 0.14's pil_loader, Image.open(f).convert('RGB'), then
// Resize(256) (bilinear) and CenterCrop(224) as torchvision 0.14 does them
// on a PIL image (the same PIL calls, without importing torch). It prints a
// JSON line per file; when Pillow decoded it, the line is followed by the
// decoded RGB bytes and then the 224×224 crop's bytes. One process serves
// every file.
const conformanceScript = `
import json, sys, warnings
import PIL
from PIL import Image
assert PIL.__version__ == "9.4.0", PIL.__version__
warnings.simplefilter("ignore")  # DecompressionBombWarning is only a warning
out = sys.stdout.buffer

def resized_size(w, h, size):  # torchvision 0.14 _compute_resized_output_size
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = size, int(size * long / short)
    return (new_short, new_long) if w <= h else (new_long, new_short)

for line in sys.stdin:
    path = line.rstrip("\n")
    try:
        with open(path, "rb") as f:
            im = Image.open(f)
            mode = im.mode
            rgb = im.convert("RGB")
    except Exception as e:
        out.write((json.dumps({"ok": False, "err": type(e).__name__ + ": " + str(e)}) + "\n").encode())
        continue
    w, h = resized_size(rgb.width, rgb.height, 256)
    img = rgb.resize((w, h), Image.BILINEAR)
    top, left = int(round((h - 224) / 2.0)), int(round((w - 224) / 2.0))
    crop = img.crop((left, top, left + 224, top + 224))
    out.write((json.dumps({"ok": True, "mode": mode, "w": rgb.width, "h": rgb.height}) + "\n").encode())
    out.write(rgb.tobytes())
    out.write(crop.tobytes())
out.flush()
`

// conformanceHeader is the JSON line conformanceScript writes per file.
type conformanceHeader struct {
	OK   bool   `json:"ok"`
	Err  string `json:"err"`
	Mode string `json:"mode"`
	W    int    `json:"w"`
	H    int    `json:"h"`
}

// outcome is how imagenetx and Pillow compare on one file.
type outcome int

const (
	exact      outcome = iota // both decode; the RGB image and the crop are equal
	bothRefuse                // both refuse the file
	differ                    // both decode, to different pixels or sizes
	onlyPillowRefuses
	onlyOursRefuses
	panicked // the decoder or the pipeline panicked
	nOutcomes
)

var outcomeNames = [nOutcomes]string{"exact", "both refuse", "differ", "only Pillow refuses", "only imagenetx refuses", "panic"}

// TestPillowConformance decodes every file of Pillow's own test suite
// (../shared/corpora/pillow: JPEG, PNG, GIF, BMP, WebP, many deliberately
// broken) with the default DecodeOptions and the default pipeline, as
// `imagenetx preprocess --uint8` does, and compares with Pillow 9.4 +
// torchvision 0.14's eval transform. Consistent means bit-exact (the decoded
// RGB image and the 224×224 crop both) or refused by both. It logs the
// per-format table (the README's) and requires every file to be consistent.
func TestPillowConformance(t *testing.T) {
	dir := shareddata.RequireCorpus(t, "pillow")
	py := pillowPython(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		t.Fatalf("%s: no files", dir)
	}
	pipe, err := preprocess.NewPipeline(preprocess.DefaultConfig(), "")
	if err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(py, "-c", conformanceScript)
	var paths strings.Builder
	for _, n := range names {
		paths.WriteString(filepath.Join(dir, n) + "\n")
	}
	cmd.Stdin = strings.NewReader(paths.String())
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	r := bufio.NewReaderSize(stdout, 1<<20)

	counts := map[string]*[nOutcomes]int{}
	var problems []string
	crop := 3 * 224 * 224
	for _, name := range names {
		line, err := r.ReadBytes('\n')
		if err != nil {
			t.Fatalf("pillow stopped before %s: %v", name, err)
		}
		var want conformanceHeader
		if err := json.Unmarshal(line, &want); err != nil {
			t.Fatalf("%s: pillow output %q: %v", name, line, err)
		}
		var wantRGB, wantCrop []byte
		if want.OK {
			wantRGB, wantCrop = make([]byte, 3*want.W*want.H), make([]byte, crop)
			if _, err := io.ReadFull(r, wantRGB); err != nil {
				t.Fatalf("%s: pillow pixels: %v", name, err)
			}
			if _, err := io.ReadFull(r, wantCrop); err != nil {
				t.Fatalf("%s: pillow crop: %v", name, err)
			}
		}
		got, gotCrop, err, panicMsg := decodeAndCrop(pipe, filepath.Join(dir, name))
		o, detail := compareWithPillow(want, wantRGB, wantCrop, got, gotCrop, err, panicMsg)
		format := strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))
		if counts[format] == nil {
			counts[format] = &[nOutcomes]int{}
		}
		counts[format][o]++
		if o != exact && o != bothRefuse {
			problems = append(problems, fmt.Sprintf("%s (%s): %s: %s", name, format, outcomeNames[o], detail))
		}
	}
	if extra, _ := r.ReadByte(); extra != 0 || r.Buffered() > 0 {
		t.Errorf("pillow wrote more than expected")
	}

	table, consistent := conformanceTable(counts)
	t.Logf("Pillow 9.4 conformance over %s:\n%s", dir, table)
	for _, p := range problems {
		t.Error(p)
	}
	t.Logf("%d of %d files consistent", consistent, len(names))
}

// decodeAndCrop is `imagenetx preprocess --uint8` without the file output:
// decode with the default options, then Resize(256) + CenterCrop(224). A
// panic is caught and returned, so that the table still counts it.
func decodeAndCrop(pipe *preprocess.Pipeline, path string) (img, crop *preprocess.RGB8, err error, panicMsg string) {
	defer func() {
		if r := recover(); r != nil {
			panicMsg = fmt.Sprint(r)
		}
	}()
	if img, err = preprocess.DecodeFile(path); err != nil {
		return nil, nil, err, ""
	}
	crop, err = pipe.Crop(img)
	return img, crop, err, ""
}

// compareWithPillow classifies one file and says what differs.
func compareWithPillow(want conformanceHeader, wantRGB, wantCrop []byte, got, gotCrop *preprocess.RGB8, err error, panicMsg string) (outcome, string) {
	switch {
	case panicMsg != "":
		return panicked, panicMsg
	case !want.OK && err != nil:
		return bothRefuse, ""
	case !want.OK:
		return onlyPillowRefuses, fmt.Sprintf("Pillow: %s; imagenetx decodes %dx%d", want.Err, got.W, got.H)
	case err != nil:
		return onlyOursRefuses, fmt.Sprintf("Pillow decodes %dx%d (mode %s); imagenetx: %v", want.W, want.H, want.Mode, err)
	case got.W != want.W || got.H != want.H:
		return differ, fmt.Sprintf("size %dx%d, Pillow %dx%d (mode %s)", got.W, got.H, want.W, want.H, want.Mode)
	}
	dRGB, dCrop := maxAbsDiff(packed(got), wantRGB), maxAbsDiff(packed(gotCrop), wantCrop)
	if dRGB == 0 && dCrop == 0 {
		return exact, ""
	}
	return differ, fmt.Sprintf("mode %s %dx%d: decoded pixels differ by up to %d, the crop by up to %d", want.Mode, want.W, want.H, dRGB, dCrop)
}

// packed returns img's pixels without row padding, as PIL's tobytes().
func packed(img *preprocess.RGB8) []byte {
	if img.Stride == 3*img.W {
		return img.Pix[:3*img.W*img.H]
	}
	var b bytes.Buffer
	for y := 0; y < img.H; y++ {
		b.Write(img.Row(y))
	}
	return b.Bytes()
}

func maxAbsDiff(a, b []byte) int {
	if len(a) != len(b) {
		return 256
	}
	m := 0
	for i := range a {
		m = max(m, int(a[i])-int(b[i]), int(b[i])-int(a[i]))
	}
	return m
}

// conformanceTable renders the per-format counts as a Markdown table and
// returns the number of consistent files (exact or both refuse).
func conformanceTable(counts map[string]*[nOutcomes]int) (string, int) {
	var b strings.Builder
	b.WriteString("| format | files | exact | both refuse | differ | only Pillow refuses | only imagenetx refuses | panic |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	var total [nOutcomes]int
	formats := make([]string, 0, len(counts))
	for f := range counts {
		formats = append(formats, f)
	}
	slices.Sort(formats)
	row := func(name string, c *[nOutcomes]int) {
		n := 0
		for _, v := range c {
			n += v
		}
		fmt.Fprintf(&b, "| %s | %d |", name, n)
		for _, v := range c {
			fmt.Fprintf(&b, " %d |", v)
		}
		b.WriteString("\n")
	}
	for _, f := range formats {
		row(f, counts[f])
		for i, v := range counts[f] {
			total[i] += v
		}
	}
	row("all", &total)
	return b.String(), total[exact] + total[bothRefuse]
}
