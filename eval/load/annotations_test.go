package load

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
)

func TestAnnotationsErrors(t *testing.T) {
	good := `{"file_name":"a.JPEG","class":1,` + factorFields(0) + `}`
	cases := []struct {
		name, annotations, want string
	}{
		{"malformed JSON", good + "\n{\"file_name\": \n", "imagenet_x_val_top_factor.jsonl:2: malformed JSON"},
		{"missing factor", strings.Replace(good, `"pose":0,`, "", 1), `:1: a.JPEG: missing factor "pose"`},
		{"class out of range", strings.Replace(good, `"class":1`, `"class":1000`, 1), ":1: a.JPEG: class 1000 outside 0..999"},
		{"factor not 0/1", strings.Replace(good, `"pose":0`, `"pose":2`, 1), ":1: factor pose is 2"},
		{"duplicate", good + "\n" + good, `:2: duplicate file_name "a.JPEG"`},
		{"wrong shape", "file_name,predicted_class,predicted_probability\n", ":1: malformed JSON"},
		{"not objects", "[1,2,3]\n", ":1: malformed JSON"},
		{"no file name", `{"class":1,` + factorFields(0) + `}`, `:1: missing "file_name"`},
		{"empty", "\n\n", "no annotations"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFixture(t, nil, nil, nil)
			write(t, filepath.Join(dir, AnnotationFile(eval.Val, eval.TopFactor)), c.annotations)
			_, err := Annotations(dir, eval.DatasetOptions{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want containing %q", err, c.want)
			}
		})
	}
}

func TestAnnotationsSupportFileErrors(t *testing.T) {
	for _, c := range []struct{ name, file, content, want string }{
		{"metaclass rows", MetaclassFile, "wnid,name,metaclass\nn1,dog,0\n", "1 classes, want 1000"},
		{"metaclass header", MetaclassFile, "a,b\n", `missing column "name"`},
		{"prototype header", PrototypeFile, "path\nx\n", `missing column "file_name"`},
		{"real labels", RealLabelsFile, "[[1], [2000]]", "entry 1: label 2000 outside"},
		{"real labels syntax", RealLabelsFile, "[[1], [2,]]", "entry 1: malformed JSON"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFixture(t, []fixtureImage{{valName(1), 0, nil}}, nil, [][]int{{0}})
			write(t, filepath.Join(dir, c.file), c.content)
			_, err := Annotations(dir, eval.DatasetOptions{})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.file) {
				t.Errorf("err = %v, want naming %s and containing %q", err, c.file, c.want)
			}
		})
	}
	dir := writeFixture(t, []fixtureImage{{valName(1), 0, nil}}, nil, nil)
	if err := os.Remove(filepath.Join(dir, AnnotationFile(eval.Val, eval.TopFactor))); err != nil {
		t.Fatal(err)
	}
	if _, err := Annotations(dir, eval.DatasetOptions{}); err == nil || !strings.Contains(err.Error(), AnnotationFile(eval.Val, eval.TopFactor)) {
		t.Errorf("missing annotation file: err = %v", err)
	}
}

func TestRealLabelsOptional(t *testing.T) {
	dir := writeFixture(t, []fixtureImage{{valName(1), 0, nil}}, nil, nil)
	ds, err := Annotations(dir, eval.DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eval.NewAccumulator(ds).Table(eval.ErrorReal); !errors.Is(err, eval.ErrNoRealLabels) || !strings.Contains(err.Error(), RealLabelsFile) {
		t.Errorf("ReaL table without labels: err = %v", err)
	}
}

func factorFields(v int) string {
	parts := make([]string, len(eval.Factors))
	for i, f := range eval.Factors {
		b, _ := json.Marshal(v)
		parts[i] = `"` + f + `":` + string(b)
	}
	return strings.Join(parts, ",")
}

// FuzzParseAnnotation checks the fast scanner against encoding/json: it
// never panics, and whatever it accepts encoding/json reads the same way.
func FuzzParseAnnotation(f *testing.F) {
	f.Add([]byte(`{"file_name":"a.JPEG","class":1,` + factorFields(0) + `,"justification":"x\"y","one_word":null}`))
	f.Add([]byte(`{"file_name":"b\u00e9.JPEG","class":3.0,` + factorFields(1) + `,"extra":[1,{"a":[]}]}`))
	f.Add([]byte(`{"file_name":"a.JPEG"`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, line []byte) {
		im, err := parseAnnotation(line)
		if err != nil {
			return
		}
		var generic map[string]any
		if jerr := json.Unmarshal(line, &generic); jerr != nil {
			t.Fatalf("scanner accepted %q, encoding/json says %v", line, jerr)
		}
		if generic["file_name"] != im.FileName {
			t.Fatalf("file_name %q, encoding/json %q", im.FileName, generic["file_name"])
		}
		if c, ok := generic["class"].(float64); !ok || int(c) != im.Class {
			t.Fatalf("class %d, encoding/json %v", im.Class, generic["class"])
		}
	})
}

func FuzzParseRealLabels(f *testing.F) {
	f.Add([]byte(`[[], [970, 795], [230]]`))
	f.Add([]byte(`[[1],`))
	f.Fuzz(func(t *testing.T, b []byte) {
		lists, err := parseRealLabels(b)
		if err != nil {
			return
		}
		var want [][]int
		if jerr := json.Unmarshal(b, &want); jerr != nil {
			t.Fatalf("accepted %q, encoding/json says %v", b, jerr)
		}
		if len(want) != len(lists) {
			t.Fatalf("%d lists, encoding/json %d", len(lists), len(want))
		}
		for i := range want {
			if len(want[i]) != 0 && !reflect.DeepEqual(want[i], lists[i]) {
				t.Fatalf("entry %d: %v, encoding/json %v", i, lists[i], want[i])
			}
		}
	})
}

func TestAnnotationKeyCoversFactors(t *testing.T) {
	for i, f := range eval.Factors {
		if got := annotationKey([]byte(f)); got != i {
			t.Errorf("annotationKey(%q) = %d, want %d", f, got, i)
		}
	}
	if annotationKey([]byte("nope")) != keyUnknown {
		t.Error("unknown key not reported")
	}
}
