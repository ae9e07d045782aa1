package load

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestSourcesNamed: the NAME=PATH rule, paths containing '=' included.
func TestSourcesNamed(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"a/predictions.csv", "b/predictions.csv", "x=y.csv", "y.csv", "folder/m1.csv", "folder/m2.csv"} {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, full, "file_name,predicted_class,predicted_probability\n")
	}
	in := func(p string) string { return filepath.Join(dir, p) }
	ok := []struct {
		name string
		args []string
		want []Source
	}{
		{"two audits' files, named", []string{"first=" + in("a/predictions.csv"), "second=" + in("b/predictions.csv")},
			[]Source{{"first", in("a/predictions.csv")}, {"second", in("b/predictions.csv")}}},
		{"an existing path with '=' is a path", []string{in("x=y.csv")}, []Source{{"x=y", in("x=y.csv")}}},
		{"split at the first '='", []string{"m=" + in("x=y.csv")}, []Source{{"m", in("x=y.csv")}}},
		{"paths and names mixed with a folder", []string{in("folder"), "ResNet=" + in("y.csv")},
			[]Source{{"m1", in("folder/m1.csv")}, {"m2", in("folder/m2.csv")}, {"ResNet", in("y.csv")}}},
		{"a name may carry a strength", []string{"color0.5=" + in("y.csv")}, []Source{{"color0.5", in("y.csv")}}},
	}
	for _, c := range ok {
		got, err := Sources(c.args)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, %v; want %v", c.name, got, err, c.want)
		}
	}
	// dir/x=y.csv exists, and so does dir/y.csv: taken as the whole path.
	if got, _ := Sources([]string{filepath.Join(dir, "x") + "=" + "y.csv"}); len(got) != 1 || got[0].Model != "x=y" {
		t.Errorf("existing path with '=': %v", got)
	}
	bad := []struct {
		name, arg, want string
	}{
		{"missing file", in("none.csv"), "no such file"},
		{"missing file after a name", "m=" + in("none.csv"), "as NAME=PATH"},
		{"empty name", "=" + in("y.csv"), "NAME is empty"},
		{"named folder", "m=" + in("folder"), "is a folder"},
	}
	for _, c := range bad {
		if _, err := Sources([]string{c.arg}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s (%q): %v, want an error containing %q", c.name, c.arg, err, c.want)
		}
	}
	if _, err := Sources([]string{in("a/predictions.csv"), in("b/predictions.csv")}); err == nil || !strings.Contains(err.Error(), `model "predictions" given twice`) {
		t.Errorf("two unnamed predictions.csv: %v", err)
	}
	if _, err := Sources([]string{"m=" + in("y.csv"), "m=" + in("x=y.csv")}); err == nil || !strings.Contains(err.Error(), `model "m" given twice`) {
		t.Errorf("one name twice: %v", err)
	}
}
