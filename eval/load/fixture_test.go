package load

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
)

// fixtureImage is one annotation line of a generated fixture.
type fixtureImage struct {
	file    string
	class   int
	factors []string
}

// writeFixture writes a tiny annotation folder: classes 0 and 1 are "dog",
// 2 is "fish" (not a reported metaclass, so "other"), 3 is "bird", every
// other class "tool" (also "other"). ReaL labels are written for
// ILSVRC2012_val_00000001..5.
func writeFixture(t testing.TB, images []fixtureImage, prototypes []string, real [][]int) string {
	t.Helper()
	dir := t.TempDir()
	var meta strings.Builder
	meta.WriteString("wnid,name,metaclass\n")
	for c := 0; c < eval.NumClasses; c++ {
		name := "tool"
		switch c {
		case 0, 1:
			name = "dog"
		case 2:
			name = "fish"
		case 3:
			name = "bird"
		}
		fmt.Fprintf(&meta, "n%08d,%s,%d\n", c, name, c%100)
	}
	write(t, filepath.Join(dir, MetaclassFile), meta.String())
	write(t, filepath.Join(dir, PrototypeFile), "file_name\n"+strings.Join(prototypes, "\n")+"\n")
	var ann strings.Builder
	for _, im := range images {
		obj := map[string]any{"file_name": im.file, "class": im.class, "justification": "why \"quoted\"", "one_word": "word"}
		for _, f := range eval.Factors {
			obj[f] = 0
		}
		for _, f := range im.factors {
			obj[f] = 1
		}
		b, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		ann.Write(b)
		ann.WriteByte('\n')
	}
	write(t, filepath.Join(dir, AnnotationFile(eval.Val, eval.TopFactor)), ann.String())
	if real != nil {
		b, _ := json.Marshal(real)
		write(t, filepath.Join(dir, RealLabelsFile), string(b))
	}
	return dir
}

func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func valName(i int) string { return fmt.Sprintf("ILSVRC2012_val_%08d.JPEG", i) }
