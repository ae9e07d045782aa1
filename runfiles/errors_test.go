package runfiles

import (
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestReadErrors(t *testing.T) {
	const header = "file_name,stage,reason\n"
	for _, tt := range []struct {
		name, content string
		want          []ImageFailure
		err           string
	}{
		{"rows", header + "a.jpg,decode,unexpected EOF\n\"b,c.png\",preprocess,\"too \"\"big\"\"\"\n",
			[]ImageFailure{{"a.jpg", "decode", "unexpected EOF"}, {"b,c.png", "preprocess", `too "big"`}}, ""},
		{"torn last line left out", header + "a.jpg,decode,x\nb.jpg,dec", []ImageFailure{{"a.jpg", "decode", "x"}}, ""},
		{"header only", header, nil, ""},
		{"torn header", "file_na", nil, ""},
		{"empty", "", nil, ""},
		{"other header", "file_name,class,prob\n", nil, "not an imagenetx errors file"},
		{"short row", header + "a.jpg,decode\n", nil, "wrong number of fields"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "errors.csv")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			var got []ImageFailure
			err := ReadErrors(path, func(f ImageFailure) error { got = append(got, f); return nil })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), path) {
					t.Errorf("err = %v, want %q naming the file", err, tt.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	stop := errors.New("stop")
	path := filepath.Join(t.TempDir(), "errors.csv")
	if err := os.WriteFile(path, []byte(header+"a.jpg,decode,x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := ReadErrors(path, func(ImageFailure) error { return stop }); !errors.Is(err, stop) || !strings.Contains(err.Error(), path+":2") {
		t.Errorf("fn's error: %v, want it wrapped with the file and line", err)
	}
	if err := ReadErrors(filepath.Join(t.TempDir(), "none.csv"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestErrorsBeside(t *testing.T) {
	dir := t.TempDir()
	touch := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("file_name,stage,reason\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tt := range []struct{ preds, want string }{
		{"resnet.csv", ""},
		{PredictionsFile, ""},
	} {
		if got, err := ErrorsBeside(filepath.Join(dir, tt.preds)); err != nil || got != tt.want {
			t.Errorf("ErrorsBeside(%s) before any errors file = %q, %v", tt.preds, got, err)
		}
	}
	file := touch("resnet.errors.csv")
	folder := touch(ErrorsFile)
	for _, tt := range []struct{ preds, want string }{
		{"resnet.csv", file},      // a run's layout
		{PredictionsFile, folder}, // an audit folder's layout
		{"vit.csv", ""},
	} {
		if got, err := ErrorsBeside(filepath.Join(dir, tt.preds)); err != nil || got != tt.want {
			t.Errorf("ErrorsBeside(%s) = %q, %v; want %q", tt.preds, got, err, tt.want)
		}
	}
}

// FuzzReadErrors: any file gives rows or an error, never a panic; the rows
// of a file read without error, written out again as an errors file, read
// back the same.
func FuzzReadErrors(f *testing.F) {
	f.Add([]byte("file_name,stage,reason\na.jpg,decode,x\n"))
	f.Add([]byte("file_name,stage,reason\n\"a\nb\",decode,\"x\"\"y\"\nc,d"))
	f.Add([]byte("file_"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "errors.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var rows []ImageFailure
		if err := ReadErrors(path, func(r ImageFailure) error { rows = append(rows, r); return nil }); err != nil {
			return
		}
		var b strings.Builder
		w := csv.NewWriter(&b)
		w.Write(ErrorsHeader)
		for _, r := range rows {
			w.Write([]string{r.File, r.Stage, r.Reason})
		}
		w.Flush()
		again := filepath.Join(dir, "again.csv")
		if err := os.WriteFile(again, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		var back []ImageFailure
		if err := ReadErrors(again, func(r ImageFailure) error { back = append(back, r); return nil }); err != nil || !slices.Equal(rows, back) {
			t.Errorf("rows %q read back as %q, %v", rows, back, err)
		}
	})
}
