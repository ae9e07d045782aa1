package load_test

import (
	"context"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/internal/cputime"
	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/models"
)

// BenchmarkPredictionsCountsOnly is the paper-scale hot path: the four base
// models' 50,000-row prediction files, each read eight times under its own
// name, into a counts-only accumulator (what `imagenetx eval` does with
// every file), with GOMAXPROCS workers. It reports the time per row; at
// 2,200 files (110 M rows) a 30 s budget on 2 cores is about 0.5 µs of CPU
// a row. scripts/bench.sh paper measures the whole process.
func BenchmarkPredictionsCountsOnly(b *testing.B) {
	ds, sources, _ := paperScale(b, 32)
	rows := 0
	cpu0 := cputime.Process()
	for b.Loop() {
		acc := eval.NewAccumulatorWith(ds, eval.AccumulatorOptions{CountsOnly: true})
		if err := load.Predictions(context.Background(), acc, sources); err != nil {
			b.Fatal(err)
		}
		rows = 0
		for _, name := range acc.Models() {
			m, _ := acc.Model(name)
			rows += m.Joined + m.Unannotated
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/row")
	b.ReportMetric(float64((cputime.Process()-cpu0).Nanoseconds())/float64(b.N)/float64(rows), "cpu-ns/row")
}

// BenchmarkAnnotationsPinned loads the val annotations (top factor) as the
// data home's copy is loaded, each file checked against its sha256 pin,
// and without the check: the difference is what the check costs next to
// parsing (README, Reliability).
func BenchmarkAnnotationsPinned(b *testing.B) {
	dir := shareddata.Require(b, "annotations")
	for _, bc := range []struct {
		name string
		pins map[string]string
	}{{"unchecked", nil}, {"pinned", models.AnnotationSHA256s()}} {
		b.Run(bc.name, func(b *testing.B) {
			cpu0 := cputime.Process()
			for b.Loop() {
				if _, err := load.Annotations(dir, eval.DatasetOptions{Pins: bc.pins}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cputime.Process()-cpu0).Nanoseconds())/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}
