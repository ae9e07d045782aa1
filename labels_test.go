package imagenetx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/internal/shareddata"
)

// ownImages copies the first n images of val_227 under names the
// annotations do not know (photo_NNN.jpg): into one folder per wnid when
// byWnid, else into one flat folder. It returns the folder, the images'
// classes by their new names (from the annotations' labels), and the
// original images (for the score of the same images under their names).
func ownImages(t *testing.T, ann *Annotations, n int, byWnid bool) (string, Labels, *Images) {
	t.Helper()
	orig, err := Folder(shareddata.Require(t, "images", "val_227"), Selection{Limit: n})
	if err != nil {
		t.Fatal(err)
	}
	classes, err := LoadClassIndex(ann.Dir)
	if err != nil {
		t.Fatal(err)
	}
	wnids := make([]string, len(classes))
	for w, c := range classes {
		wnids[c] = w
	}
	dir := t.TempDir()
	want := Labels{}
	inFolder := map[int]int{}
	for i, it := range orig.Items {
		c, ok := ann.Labels[it.Name]
		if !ok {
			t.Fatalf("%s has no label", it.Name)
		}
		name := fmt.Sprintf("photo_%03d.jpg", i)
		to := dir
		if byWnid {
			// Numbered within each class folder, as many datasets are,
			// so that file names repeat across folders.
			to = filepath.Join(dir, wnids[c])
			name = fmt.Sprintf("%03d.jpg", inFolder[c])
			inFolder[c]++
		}
		data, err := os.ReadFile(it.Path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(to, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		want[filepath.Base(to)+"/"+name] = c
	}
	// An image is named by its file name, or folder/file where the file
	// name is in several folders (000.jpg is in every one).
	count := map[string]int{}
	for key := range want {
		count[filepath.Base(key)]++
	}
	named := Labels{}
	for key, c := range want {
		if count[filepath.Base(key)] == 1 || !byWnid {
			key = filepath.Base(key)
		}
		named[key] = c
	}
	if byWnid && count["000.jpg"] < 2 {
		t.Fatalf("000.jpg in %d folders; the test wants repeated file names", count["000.jpg"])
	}
	return dir, named, orig
}

// TestAuditOwnImages: renamed copies of val_227 images get the same top-1
// and top-5 as the originals, labelled by their wnid folders or by a
// labels CSV (class indices and wnids mixed); the factor table is empty
// and the summary says which file names the annotations know; images that
// nothing labels or annotates are refused before anything runs.
func TestAuditOwnImages(t *testing.T) {
	const n = 24
	ann := loadShared(t)
	m := openShared(t, "mobilenetv2-12-int8", Options{TopK: 5})
	wnidDir, want, orig := ownImages(t, ann, n, true)
	ref, err := m.Audit(context.Background(), orig, ann, AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ref.Score.Labeled != n || ref.Score.Top1 == 0 || ref.Score.TopK < ref.Score.Top1 {
		t.Fatalf("score of the originals %+v", ref.Score)
	}

	flatDir, flatWant, _ := ownImages(t, ann, n, false)
	classes, err := LoadClassIndex(ann.Dir)
	if err != nil {
		t.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("file_name,label\n")
	i := 0
	for name, c := range flatWant {
		label := fmt.Sprint(c)
		if i%2 == 1 { // every other label a wnid
			for w, wc := range classes {
				if wc == c {
					label = w
				}
			}
		}
		fmt.Fprintf(&csv, "%s,%s\n", name, label)
		i++
	}
	labelsFile := filepath.Join(t.TempDir(), "labels.csv")
	if err := os.WriteFile(labelsFile, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name, dir, labels string
		source            LabelSource
		want              Labels
	}{
		{"wnid folders", wnidDir, "", FromWnidFolders, want},
		{"labels CSV", flatDir, labelsFile, FromLabelsFile, flatWant},
	} {
		t.Run(c.name, func(t *testing.T) {
			images, err := Folder(c.dir, Selection{})
			if err != nil {
				t.Fatal(err)
			}
			choice, err := ChooseLabels(images, ann, c.labels)
			labels, source, other := choice.Labels, choice.Source, choice.OtherFolders
			if err != nil || source != c.source || len(other) != 0 || len(labels) != n {
				t.Fatalf("labels: %d, %q, other folders %v, %v", len(labels), source, other, err)
			}
			for name, cl := range c.want {
				if labels[name] != cl {
					t.Fatalf("%s labelled %d, want %d", name, labels[name], cl)
				}
			}
			as, err := AuditModels(context.Background(), []*Model{m}, images, ann, AuditOptions{Labels: labels, LabelSource: source})
			if err != nil {
				t.Fatal(err)
			}
			if as.Coverage != (Coverage{Images: n, Labeled: n}) {
				t.Errorf("coverage %+v", as.Coverage)
			}
			if got := as.Models[0].Score; got != ref.Score {
				t.Errorf("score %+v, want the originals' %+v", got, ref.Score)
			}
			var out bytes.Buffer
			if err := as.WriteSummary(&out, nil); err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{"annotations know none of these 24 images", "ILSVRC2012_val_NNNNNNNN.JPEG",
				fmt.Sprintf("top-1 %d/%d", ref.Score.Top1, n), fmt.Sprintf("top-5 %d/%d", ref.Score.TopK, n), string(c.source)} {
				if !strings.Contains(out.String(), s) {
					t.Errorf("summary lacks %q:\n%s", s, out.String())
				}
			}
		})
	}

	// Neither labels nor annotations: refused, saying what would help.
	images, err := Folder(flatDir, Selection{})
	if err != nil {
		t.Fatal(err)
	}
	choice, err := ChooseLabels(images, ann, "")
	labels, source := choice.Labels, choice.Source
	if err != nil || source != FromAnnotations {
		t.Fatalf("flat folder's labels from %q, %v", source, err)
	}
	as, err := AuditModels(context.Background(), []*Model{m}, images, ann, AuditOptions{Labels: labels})
	if !errors.Is(err, ErrNothingToScore) || as.Stats.Total != 0 || !strings.Contains(err.Error(), "ILSVRC2012_val_NNNNNNNN.JPEG") ||
		!strings.Contains(err.Error(), "photo_000.jpg") {
		t.Fatalf("audit of unknown images: %v after %d images", err, as.Stats.Total)
	}
	if _, err := m.Audit(context.Background(), images, ann, AuditOptions{}); !errors.Is(err, ErrNothingToScore) {
		t.Fatalf("Model.Audit of unknown images: %v", err)
	}
}

// TestReadLabelsRefusesBadRows: a labels CSV is checked row by row.
func TestReadLabelsRefusesBadRows(t *testing.T) {
	classes := ClassIndex{"n01440764": 0, "n01443537": 1}
	for _, c := range []struct{ text, want string }{
		{"file_name,label\na.jpg,1\na.jpg,0\n", "listed twice (first on line 2)"},
		{"file_name,label\na.jpg,n99999999\n", "not a class in 0..999 or an ImageNet wnid"},
		{"file_name,label\na.jpg,1000\n", "not a class in 0..999"},
		{"name,class\na.jpg,1\n", "want file_name,label"},
	} {
		path := filepath.Join(t.TempDir(), "labels.csv")
		if err := os.WriteFile(path, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadLabels(path, classes); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%q: %v, want an error naming the file and %q", c.text, err, c.want)
		}
	}
	path := filepath.Join(t.TempDir(), "labels.csv")
	if err := os.WriteFile(path, []byte("\ufefffile_name,label\na.jpg,n01443537\nb.png,0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if l, err := ReadLabels(path, classes); err != nil || len(l) != 2 || l["a.jpg"] != 1 || l["b.png"] != 0 {
		t.Fatalf("labels %v, %v", l, err)
	}
}

// TestAnnotationsFileSubset: an annotation subset file limits the factor
// table to the images it annotates.
func TestAnnotationsFileSubset(t *testing.T) {
	dir := shareddata.Require(t, "annotations")
	full, err := LoadAnnotations(dir, eval.DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "imagenet_x_val_top_factor.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	subset := filepath.Join(t.TempDir(), "subset.jsonl")
	if err := os.WriteFile(subset, []byte(strings.Join(lines[:50], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	part, err := LoadAnnotations(dir, eval.DatasetOptions{File: subset})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(part.Dataset.Images); n == 0 || n > 50 || n >= len(full.Dataset.Images) || len(part.Labels) != len(full.Labels) {
		t.Fatalf("subset: %d images of %d, %d labels of %d", n, len(full.Dataset.Images), len(part.Labels), len(full.Labels))
	}
}
