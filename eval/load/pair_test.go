package load

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPair: two files, or a folder of two, are the pair A then B; the same
// stem in two folders is named by path; anything else says what it got.
func TestPair(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	a, b, a2 := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv"), filepath.Join(other, "a.csv")
	for _, p := range []string{a, b, a2} {
		if err := os.WriteFile(p, []byte("file_name,predicted_class,predicted_probability\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		paths []string
		want  []Source
	}{
		{[]string{b, a}, []Source{{"b", b}, {"a", a}}},
		{[]string{dir}, []Source{{"a", a}, {"b", b}}},
		{[]string{a, a2}, []Source{{a, a}, {a2, a2}}},
	} {
		got, err := Pair(tc.paths)
		if err != nil || len(got) != 2 || got[0] != tc.want[0] || got[1] != tc.want[1] {
			t.Errorf("%q: %v, %v; want %v", tc.paths, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		paths []string
		want  string
	}{
		{[]string{a}, "exactly two models (two prediction files), got 1: " + a},
		{[]string{dir, a2}, "got 3"},
		{[]string{a, a}, "got " + a + " twice"},
		{[]string{a, filepath.Join(dir, "missing.csv")}, "missing.csv"},
	} {
		if _, err := Pair(tc.paths); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.paths, err, tc.want)
		}
	}
}
