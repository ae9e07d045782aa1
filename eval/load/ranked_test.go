package load

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/predictions"
)

// writeRanked writes a predictions file ranking k classes per image: image
// i's true class (i%5) at rank i%7 (so absent from the first k when i%7 ≥ k).
func writeRanked(t *testing.T, path string, n, k int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := predictions.NewWriter(f, k)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		var ranked []predictions.ClassProb
		for r := range k {
			c := 500 + r
			if r == i%7 {
				c = i % 5
			}
			ranked = append(ranked, predictions.ClassProb{Class: c, Prob: 0.1})
		}
		if err := w.Write(predictions.Prediction{FileName: valName(i), Class: ranked[0].Class, Prob: 0.1, TopK: ranked}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
}

func TestRankedFiles(t *testing.T) {
	var images []fixtureImage
	for i := 1; i <= 42; i++ {
		images = append(images, fixtureImage{valName(i), i % 5, []string{eval.Factors[i%3]}})
	}
	ds, err := Annotations(writeFixture(t, images, nil, nil), eval.DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	top5, top3, plain := filepath.Join(dir, "top5.csv"), filepath.Join(dir, "top3.csv"), filepath.Join(dir, "plain.csv")
	writeRanked(t, top5, 42, 5)
	writeRanked(t, top3, 42, 3)
	writeRanked(t, plain, 42, 1)
	if b, _ := os.ReadFile(plain); !strings.HasPrefix(string(b), "file_name,predicted_class,predicted_probability\n") {
		t.Fatalf("plain file: %q", b[:60])
	}
	for _, k := range []int{2, 3, 5} {
		acc := eval.NewAccumulatorWith(ds, eval.AccumulatorOptions{CountsOnly: true, TopK: k})
		if err := Predictions(context.Background(), acc, []Source{{"m", top5}}); err != nil {
			t.Fatal(err)
		}
		tbl, err := acc.TopKTable(eval.ErrorClass)
		if err != nil {
			t.Fatal(err)
		}
		// rank i%7 < k: 6 of each 7 images for k... counted directly
		right := 0
		for i := 1; i <= 42; i++ {
			if i%7 < k {
				right++
			}
		}
		if r, _ := tbl.Row("m"); r.N != 42 || r.NCorrect != right {
			t.Errorf("top-%d: %d/%d right, want %d/42", k, r.NCorrect, r.N, right)
		}
	}
	acc := eval.NewAccumulatorWith(ds, eval.AccumulatorOptions{CountsOnly: true, TopK: 5})
	var few *TooFewRanksError
	err = File(acc, Source{"p", plain})
	if !errors.As(err, &few) || few.Ranks != 1 || !strings.Contains(err.Error(), "has no top-k columns") || !strings.Contains(err.Error(), "top2_class … top5_class") {
		t.Errorf("three-column file for top-5: %v", err)
	}
	err = File(acc, Source{"q", top3})
	if !errors.As(err, &few) || few.Ranks != 3 || !strings.Contains(err.Error(), "rank 3") {
		t.Errorf("top-3 file for top-5: %v", err)
	}
	if len(acc.Models()) != 0 {
		t.Errorf("refused files left models %v", acc.Models())
	}
}
