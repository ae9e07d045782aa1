package engine

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/models"
	"github.com/imagenetx/imagenetx/preprocess"
	"github.com/imagenetx/imagenetx/preprocess/variant"
)

// BenchmarkSweep compares, with the default model on an image folder
// (IMAGENETX_BENCH_IMAGES names it inside the shared images, default
// val_orig: full-size JPEGs), one multi-view run over colorjitter at
// strengths 0, 0.25, 0.5, 1 against four plain runs, one per strength. Both
// rates count images done at every strength per second. Best of two
// interleaved rounds; run with -benchtime=1x.
func BenchmarkSweep(b *testing.B) {
	folder := "val_orig"
	if name := os.Getenv("IMAGENETX_BENCH_IMAGES"); name != "" {
		folder = name
	}
	items, err := ListImages(shareddata.Require(b, "images", folder))
	if err != nil {
		b.Fatal(err)
	}
	clf := openShared(b, models.DefaultName, Options{})
	strengths := []float64{0, 0.25, 0.5, 1}
	var sweep, separate float64
	for n := 0; n < b.N; n++ {
		for round := 0; round < 2; round++ {
			sweep = max(sweep, sweepRate(b, clf, items, strengths))
			separate = max(separate, separateRate(b, clf, items, strengths))
		}
	}
	b.ReportMetric(sweep, "sweep_img/s")
	b.ReportMetric(separate, "separate_img/s")
	b.ReportMetric(sweep/separate, "speedup")
}

func sweepRate(b *testing.B, clf *Classifier, items []Item, strengths []float64) float64 {
	var chains []*variant.Chain
	for _, s := range strengths {
		ch, err := variant.FamilyChain("colorjitter", s, 0)
		if err != nil {
			b.Fatal(err)
		}
		chains = append(chains, ch)
	}
	cfg, inf, err := WithViews(clf.Config, len(strengths), clf.Session)
	if err != nil {
		b.Fatal(err)
	}
	prep := &VariantPreparer{Pipeline: clf.Preparer.Pipeline, Layout: clf.Preparer.Layout, Variants: chains}
	t0 := time.Now()
	if _, err := Run(context.Background(), items, 0, prep, inf, FuncSink(func(Result) error { return nil }), cfg); err != nil {
		b.Fatal(err)
	}
	return float64(len(items)) / time.Since(t0).Seconds()
}

func separateRate(b *testing.B, clf *Classifier, items []Item, strengths []float64) float64 {
	var total time.Duration
	for _, s := range strengths {
		spec, err := variant.Family("colorjitter", s)
		if err != nil {
			b.Fatal(err)
		}
		pipe, err := preprocess.NewPipeline(clf.Spec.Preprocess, spec)
		if err != nil {
			b.Fatal(err)
		}
		prep := &ImagePreparer{Pipeline: pipe, Layout: clf.Preparer.Layout, Decode: clf.Preparer.Decode}
		t0 := time.Now()
		if _, err := Run(context.Background(), items, 0, prep, clf.Session, FuncSink(func(Result) error { return nil }), clf.Config); err != nil {
			b.Fatal(err)
		}
		total += time.Since(t0)
	}
	return float64(len(items)) / total.Seconds()
}
