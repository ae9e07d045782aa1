package preprocess_test

import (
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/preprocess"
	"github.com/imagenetx/imagenetx/preprocess/npy"
)

// goldenRow is one line of golden/manifest.csv.
type goldenRow struct {
	image, kind, variant, interp, resize, crop, file string
}

func readManifest(t *testing.T, dir string) []goldenRow {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "manifest.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("manifest.csv: %v", err)
	}
	var rows []goldenRow
	for _, r := range recs[1:] {
		rows = append(rows, goldenRow{r[0], r[1], r[2], r[3], r[4], r[5], r[6]})
	}
	return rows
}

// findImage locates a reference's source image in val_orig or val_227.
func findImage(t *testing.T, name string) string {
	t.Helper()
	for _, sub := range []string{"val_orig", "val_227"} {
		p := filepath.Join(shareddata.Require(t, "images", sub), name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatalf("golden image %s not found in val_orig or val_227", name)
	return ""
}

func goldenConfig(t *testing.T, r goldenRow) preprocess.Config {
	t.Helper()
	cfg := preprocess.DefaultConfig()
	interp, err := preprocess.ParseInterpolation(r.interp)
	if err != nil {
		t.Fatalf("%s: %v", r.file, err)
	}
	cfg.Interpolation = interp
	cfg.ResizeSize = atoi(t, r.resize)
	cfg.CropSize = atoi(t, r.crop)
	return cfg
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("bad integer %q in manifest", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// TestGolden reproduces every torchvision 0.14.1 + Pillow 9.4.0 reference in
// golden/manifest.csv bit for bit: raw decodes, uint8 eval crops (bilinear
// and bicubic 256->224, bilinear 232->224), normalized float32 tensors and
// the 13 variant pipelines. Crops and tensors are checked from the whole
// decode and from Pipeline.DecodeFileInto's partial one.
func TestGolden(t *testing.T) {
	dir := shareddata.Require(t, "golden")
	rows := readManifest(t, dir)
	if len(rows) < 400 {
		t.Fatalf("manifest has %d rows, expected the full reference set", len(rows))
	}
	exact := map[string]int{}
	total := map[string]int{}
	decoded := map[string]*preprocess.RGB8{}
	for _, r := range rows {
		total[r.kind]++
		img := decoded[r.image]
		if img == nil {
			var err error
			if img, err = preprocess.DecodeFile(findImage(t, r.image)); err != nil {
				t.Fatal(err)
			}
			decoded[r.image] = img
		}
		want, err := npy.ReadFile(filepath.Join(dir, r.file))
		if err != nil {
			t.Fatal(err)
		}
		ok := checkGolden(t, r, img, want)
		if r.kind != "decode" {
			// Again through the decode a run uses, which skips the pixels
			// the pipeline never reads.
			p, err := preprocess.NewPipeline(goldenConfig(t, r), r.variant)
			if err != nil {
				t.Fatalf("%s: %v", r.file, err)
			}
			var buf bytes.Buffer
			part, err := p.DecodeFileInto(preprocess.DecodeOptions{}, nil, &buf, findImage(t, r.image))
			if err != nil {
				t.Fatal(err)
			}
			ok = checkGolden(t, r, part, want) && ok
		}
		if ok {
			exact[r.kind]++
		}
	}
	for k, n := range total {
		t.Logf("%-8s %d/%d references bit-exact", k, exact[k], n)
	}
}

// checkGolden compares one reference and reports whether it is bit-exact.
func checkGolden(t *testing.T, r goldenRow, img *preprocess.RGB8, want *npy.Array) bool {
	t.Helper()
	switch r.kind {
	case "decode":
		return compareU8(t, r.file, img, want)
	case "eval", "variant":
		p, err := preprocess.NewPipeline(goldenConfig(t, r), r.variant)
		if err != nil {
			t.Fatalf("%s: %v", r.file, err)
		}
		got, err := p.Image(img, r.image)
		if err != nil {
			t.Fatalf("%s: %v", r.file, err)
		}
		return compareU8(t, r.file, got, want)
	case "tensor":
		p, err := preprocess.NewPipeline(goldenConfig(t, r), "")
		if err != nil {
			t.Fatalf("%s: %v", r.file, err)
		}
		got := make([]float32, p.TensorLen())
		if err := p.Tensor(img, r.image, got, preprocess.NCHW); err != nil {
			t.Fatalf("%s: %v", r.file, err)
		}
		return compareF32(t, r.file, got, want)
	}
	t.Fatalf("%s: unknown kind %q", r.file, r.kind)
	return false
}

func compareU8(t *testing.T, name string, got *preprocess.RGB8, want *npy.Array) bool {
	t.Helper()
	if len(want.Shape) != 3 || want.Shape[0] != got.H || want.Shape[1] != got.W || want.Shape[2] != 3 || want.U8 == nil {
		t.Errorf("%s: got %dx%d RGB, reference shape %v %s", name, got.W, got.H, want.Shape, want.DType())
		return false
	}
	diff, maxd := 0, 0
	for y := 0; y < got.H; y++ {
		row := got.Row(y)
		for i, v := range row {
			if d := absInt(int(v) - int(want.U8[y*got.W*3+i])); d > 0 {
				diff++
				maxd = max(maxd, d)
			}
		}
	}
	if diff > 0 {
		t.Errorf("%s: %d of %d values differ, max %d", name, diff, len(want.U8), maxd)
	}
	return diff == 0
}

func compareF32(t *testing.T, name string, got []float32, want *npy.Array) bool {
	t.Helper()
	if want.F32 == nil || len(want.F32) != len(got) {
		t.Errorf("%s: reference %v %s, got %d float32s", name, want.Shape, want.DType(), len(got))
		return false
	}
	diff, maxd := 0, 0.0
	for i, v := range got {
		if math.Float32bits(v) != math.Float32bits(want.F32[i]) {
			diff++
			maxd = max(maxd, math.Abs(float64(v)-float64(want.F32[i])))
		}
	}
	if diff > 0 {
		t.Errorf("%s: %d of %d values differ, max %g", name, diff, len(got), maxd)
	}
	return diff == 0
}

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
