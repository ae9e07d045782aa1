package imagenetx

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// touchFiles makes empty files at the given paths below dir.
func touchFiles(t *testing.T, dir string, rels ...string) {
	t.Helper()
	for _, r := range rels {
		p := filepath.Join(dir, filepath.FromSlash(r))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMatchLabelsByPathOrBareName: cats/001..003.jpg and dogs/001.jpg name
// 001.jpg by its path (it is in two folders) and 002.jpg, 003.jpg by their
// file names; a labels file may write either cats/002.jpg or 002.jpg, and
// every row naming no image is counted and shown with the names to use.
func TestMatchLabelsByPathOrBareName(t *testing.T) {
	dir := t.TempDir()
	touchFiles(t, dir, "cats/001.jpg", "cats/002.jpg", "cats/003.jpg", "dogs/001.jpg")
	images, err := Folder(dir, Selection{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, it := range images.Items {
		names = append(names, it.Name)
	}
	if want := []string{"002.jpg", "003.jpg", "cats/001.jpg", "dogs/001.jpg"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("names %v, want %v", names, want)
	}
	for _, c := range []struct {
		name      string
		rows      Labels
		want      Labels
		matched   int
		unmatched []UnmatchedLabel
		poor      bool
	}{
		{"paths below the folder", Labels{"cats/001.jpg": 1, "cats/002.jpg": 1, "cats/003.jpg": 1, "dogs/001.jpg": 2},
			Labels{"cats/001.jpg": 1, "002.jpg": 1, "003.jpg": 1, "dogs/001.jpg": 2}, 4, nil, false},
		{"bare names where unambiguous", Labels{"cats/001.jpg": 1, "002.jpg": 1, "003.jpg": 1, "dogs/001.jpg": 2},
			Labels{"cats/001.jpg": 1, "002.jpg": 1, "003.jpg": 1, "dogs/001.jpg": 2}, 4, nil, false},
		{"ambiguous and missing rows", Labels{"001.jpg": 1, "cats/002.jpg": 1, "birds/009.jpg": 3, "dogs/003.jpg": 2},
			Labels{"002.jpg": 1}, 1, []UnmatchedLabel{
				{Row: "001.jpg", Use: []string{"cats/001.jpg", "dogs/001.jpg"}},
				{Row: "birds/009.jpg"},
				{Row: "dogs/003.jpg", Use: []string{"003.jpg"}},
			}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, m := MatchLabels(images, c.rows)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("labels %v, want %v", got, c.want)
			}
			if m.Rows != len(c.rows) || m.Matched != c.matched || m.Poor() != c.poor {
				t.Errorf("match %+v (poor %v), want %d of %d", m, m.Poor(), c.matched, len(c.rows))
			}
			// The rows are reported in name order.
			if len(c.unmatched) > 0 || len(m.Unmatched) > 0 {
				want := append([]UnmatchedLabel(nil), c.unmatched...)
				sortUnmatched(want)
				if !reflect.DeepEqual(m.Unmatched, want) {
					t.Errorf("unmatched %+v, want %+v", m.Unmatched, want)
				}
				msg := m.String()
				for _, s := range []string{"match none", "use one of cats/001.jpg, dogs/001.jpg", "use 003.jpg", "birds/009.jpg (no image"} {
					if !strings.Contains(msg, s) {
						t.Errorf("message lacks %q: %s", s, msg)
					}
				}
			}
		})
	}
}

func sortUnmatched(u []UnmatchedLabel) {
	sort.Slice(u, func(i, j int) bool { return u[i].Row < u[j].Row })
}

// TestFolderListsDeeperImages: every image below the folder is listed,
// at any depth, and labelled by the nearest wnid folder above it; an image
// with no wnid folder above it is named among the other folders.
func TestFolderListsDeeperImages(t *testing.T) {
	dir := t.TempDir()
	touchFiles(t, dir, "n01440764/a.JPEG", "n01440764/batch1/nested/b.JPEG", "batch2/n01443537/c.JPEG",
		"batch2/loose/d.JPEG", "top.JPEG", ".hidden/e.JPEG")
	images, err := Folder(dir, Selection{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, it := range images.Items {
		got[it.Name] = it.Rel
	}
	want := map[string]string{"a.JPEG": "n01440764/a.JPEG", "b.JPEG": "n01440764/batch1/nested/b.JPEG",
		"c.JPEG": "batch2/n01443537/c.JPEG", "d.JPEG": "batch2/loose/d.JPEG", "top.JPEG": "top.JPEG"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("listed %v, want %v", got, want)
	}
	classes := ClassIndex{"n01440764": 0, "n01443537": 1}
	labels, other := FolderLabels(images, classes)
	if wantL := (Labels{"a.JPEG": 0, "b.JPEG": 0, "c.JPEG": 1}); !reflect.DeepEqual(labels, wantL) {
		t.Errorf("labels %v, want %v", labels, wantL)
	}
	if !reflect.DeepEqual(other, []string{"batch2/loose"}) {
		t.Errorf("other folders %v", other)
	}
}
