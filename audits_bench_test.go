package imagenetx

import (
	"context"
	"os"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/internal/shareddata"
)

// cost is the wall and CPU time (user + system, the whole process) one
// step took.
type cost struct{ wall, cpu time.Duration }

func (c cost) add(d cost) cost { return cost{c.wall + d.wall, c.cpu + d.cpu} }

// measure runs f and returns its cost.
func measure(b *testing.B, f func() error) cost {
	b.Helper()
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	c0, t0 := cpu(), time.Now()
	if err := f(); err != nil {
		b.Fatal(err)
	}
	return cost{time.Since(t0), cpu() - c0}
}

// BenchmarkAuditModels compares, on val_227 (the first
// IMAGENETX_BENCH_LIMIT images when set), the four registry models audited
// in one pass (AuditModels, files written) with four separate audits (one
// Model.Audit each, files written) and with the bound: the images
// prepared once for all four (each read and decoded once, one tensor per
// distinct preprocessing, on every worker) plus each model's inference
// alone (its session over as many batches as the images fill, on one
// batch of real tensors), each session warmed first. Wall and CPU time
// (user + system) of each;
// bash scripts/bench.sh audits runs it with -benchtime 1x.
func BenchmarkAuditModels(b *testing.B) {
	sel := Selection{}
	if s := os.Getenv("IMAGENETX_BENCH_LIMIT"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatalf("IMAGENETX_BENCH_LIMIT=%q: %v", s, err)
		}
		sel.Limit = n
	}
	images, err := Folder(shareddata.Require(b, "images", "val_227"), sel)
	if err != nil {
		b.Fatal(err)
	}
	ann := loadShared(b)
	ms := openRegistry(b, Options{})
	ctx := context.Background()
	// Every session's first calls allocate its arenas: warm each before
	// anything is timed, so that no side pays for them.
	for _, m := range ms {
		if err := inferAlone(m, images.Items[:min(len(images.Items), 2*m.clf.Config.Batch)]); err != nil {
			b.Fatal(err)
		}
	}
	var pass, separate, prep cost
	infer := make([]cost, len(ms))
	for n := 0; n < b.N; n++ {
		pass = measure(b, func() error {
			_, err := AuditModels(ctx, ms, images, ann, AuditOptions{Dir: b.TempDir()})
			return err
		})
		separate = cost{}
		for _, m := range ms {
			separate = separate.add(measure(b, func() error {
				_, err := m.Audit(ctx, images, ann, AuditOptions{Dir: b.TempDir()})
				return err
			}))
		}
		p, err := planPass(ms)
		if err != nil {
			b.Fatal(err)
		}
		prep = measure(b, func() error { return prepareAll(p.prep, images.Items, ms[0].clf.Config.Workers) })
		for i, m := range ms {
			infer[i] = measure(b, func() error { return inferAlone(m, images.Items) })
		}
	}
	bound := prep
	for i, c := range infer {
		bound = bound.add(c)
		b.Logf("%s: inference alone %.2f s wall, %.2f s CPU", ms[i].Name(), c.wall.Seconds(), c.cpu.Seconds())
	}
	b.Logf("%d images; prepared once for all: %.2f s wall, %.2f s CPU", len(images.Items), prep.wall.Seconds(), prep.cpu.Seconds())
	b.ReportMetric(pass.wall.Seconds(), "pass_s")
	b.ReportMetric(pass.cpu.Seconds(), "pass_cpu_s")
	b.ReportMetric(separate.wall.Seconds(), "separate_s")
	b.ReportMetric(separate.cpu.Seconds(), "separate_cpu_s")
	b.ReportMetric(bound.wall.Seconds(), "bound_s")
	b.ReportMetric(bound.cpu.Seconds(), "bound_cpu_s")
	b.ReportMetric(pass.wall.Seconds()/bound.wall.Seconds(), "pass/bound")
	b.ReportMetric(separate.wall.Seconds()/pass.wall.Seconds(), "separate/pass")
}

// prepareAll prepares every item once through prep on workers goroutines,
// as a pass's workers do, with no inference.
func prepareAll(prep *engine.SharedPreparer, items []engine.Item, workers int) error {
	total := 0
	for _, n := range prep.TensorLens() {
		total += n
	}
	next := make(chan engine.Item)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < max(workers, 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work, dst := prep.NewWorker(), make([]float32, total)
			for it := range next {
				if err := work(it, dst); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for _, it := range items {
		next <- it
	}
	close(next)
	wg.Wait()
	close(errs)
	return <-errs
}

// inferAlone runs m's session over the batches that items fill, as its
// run would batch them, every batch holding the first images' tensors.
func inferAlone(m *Model, items []engine.Item) error {
	cfg := m.clf.Config
	in := make([]float32, cfg.Batch*cfg.InputLen)
	out := make([]float32, cfg.Batch*cfg.Classes)
	work := m.clf.Preparer.NewWorker()
	for i := 0; i < cfg.Batch && i < len(items); i++ {
		if err := work(items[i], in[i*cfg.InputLen:(i+1)*cfg.InputLen]); err != nil {
			return err
		}
	}
	for start := 0; start < len(items); start += cfg.Batch {
		n := min(cfg.Batch, len(items)-start)
		if cfg.PadBatch {
			n = cfg.Batch
		}
		if err := m.clf.Session.Run(in[:n*cfg.InputLen], n, out[:n*cfg.Classes]); err != nil {
			return err
		}
	}
	return nil
}
