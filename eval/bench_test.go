package eval_test

import (
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/internal/cputime"
)

// BenchmarkEvalBaseModels is the whole eval process on real data: load the
// val annotations and the four base models' 50k-row prediction files, then
// build the class, metaclass and ReaL tables. The reference toolkit needs
// about 2 s for the same work on a 2-core machine.
func BenchmarkEvalBaseModels(b *testing.B) {
	cpu0 := cputime.Process()
	defer func() { b.ReportMetric(float64((cputime.Process()-cpu0).Nanoseconds())/1e6/float64(b.N), "cpu-ms/op") }()
	for b.Loop() {
		acc := loadBase(b, eval.DatasetOptions{})
		for _, et := range eval.ErrorTypes {
			if _, err := acc.Table(et); err != nil {
				b.Fatal(err)
			}
		}
	}
}
