package eval_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/imagenetx/imagenetx/eval"
)

// BenchmarkEvalBaseModels is the whole eval process on real data: load the
// val annotations and the four base models' 50k-row prediction files, then
// build the class, metaclass and ReaL tables. The reference toolkit needs
// about 2 s for the same work on a 2-core machine.
func BenchmarkEvalBaseModels(b *testing.B) {
	cpu0 := cpuSeconds(b)
	defer func() { b.ReportMetric(1000*(cpuSeconds(b)-cpu0)/float64(b.N), "cpu-ms/op") }()
	for b.Loop() {
		acc := loadBase(b, eval.DatasetOptions{})
		for _, et := range eval.ErrorTypes {
			if _, err := acc.Table(et); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// cpuSeconds is the process's user+system CPU time: on a shared machine it
// varies far less than wall time.
func cpuSeconds(b *testing.B) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
