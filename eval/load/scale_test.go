package load_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/internal/shareddata"
)

// TestManyModelsRowsAsAlone is the paper-scale property at small scale:
// twelve prediction files (the four base models under three names each)
// loaded together into a counts-only accumulator give each model the row
// that model gets when evaluated alone with every prediction kept, in
// every table. scripts/bench.sh paper measures it at 2,200 files.
func TestManyModelsRowsAsAlone(t *testing.T) {
	ds, sources, base := paperScale(t, 12)
	bases := baseModels
	many := eval.NewAccumulatorWith(ds, eval.AccumulatorOptions{CountsOnly: true})
	if err := load.Predictions(context.Background(), many, sources); err != nil {
		t.Fatal(err)
	}
	alone := map[string]*eval.Accumulator{}
	for _, b := range bases {
		alone[b] = eval.NewAccumulator(ds)
		if err := load.File(alone[b], load.Source{Model: b, Path: filepath.Join(base, b+".csv")}); err != nil {
			t.Fatal(err)
		}
	}
	for _, et := range eval.ErrorTypes {
		for _, byMetaclass := range []bool{false, true} {
			got := table(t, many, et, byMetaclass)
			for _, b := range bases {
				want := table(t, alone[b], et, byMetaclass)
				for i, s := range sources {
					if bases[i%4] != b {
						continue
					}
					for _, w := range want.Rows {
						if w.Model == eval.HumanModel {
							continue
						}
						g := findRow(got, s.Model, w.Metaclass)
						w.Model = s.Model
						if fmt.Sprint(g) != fmt.Sprint(&w) {
							t.Fatalf("%v by metaclass %v: %s (%s) row\n%v\nalone\n%v", et, byMetaclass, s.Model, b, g, &w)
						}
					}
				}
			}
		}
	}
}

func table(t *testing.T, acc *eval.Accumulator, et eval.ErrorType, byMetaclass bool) *eval.Table {
	t.Helper()
	tbl, err := acc.Table(et)
	if byMetaclass {
		tbl, err = acc.MetaclassTable(et)
	}
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

func findRow(t *eval.Table, model, metaclass string) *eval.Row {
	for i := range t.Rows {
		if t.Rows[i].Model == model && t.Rows[i].Metaclass == metaclass {
			return &t.Rows[i]
		}
	}
	return nil
}

// baseModels are the base models whose prediction files the paper-scale
// tests copy.
var baseModels = []string{"DINO", "ResNet50", "SimCLR", "ViT"}

// paperScale is the set-up of scripts/bench.sh paper in small: the val
// annotations, and n sources named m0000… in order, source i being base
// model i%4's prediction file (linked from a temp dir). It also returns
// the folder of the base files.
func paperScale(tb testing.TB, n int) (ds *eval.Dataset, sources []load.Source, base string) {
	tb.Helper()
	ann := shareddata.Require(tb, "annotations")
	base = shareddata.Require(tb, "predictions", "base")
	ds, err := load.Annotations(ann, eval.DatasetOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	for i := range n {
		if err := os.Symlink(filepath.Join(base, baseModels[i%4]+".csv"), filepath.Join(dir, fmt.Sprintf("m%04d.csv", i))); err != nil {
			tb.Fatal(err)
		}
	}
	if sources, err = load.Sources([]string{dir}); err != nil {
		tb.Fatal(err)
	}
	return ds, sources, base
}
