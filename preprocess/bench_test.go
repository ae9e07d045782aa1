package preprocess_test

import (
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/preprocess"
)

// loadValOrig reads every val_orig file into memory (so disk speed is not measured).
func loadValOrig(b *testing.B) [][]byte {
	b.Helper()
	dir := shareddata.Require(b, "images", "val_orig")
	entries, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	var files [][]byte
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, data)
	}
	return files
}

// BenchmarkDecodeToTensor is the eval pipeline as a run does it (decode for
// the pipeline -> Resize(256) -> CenterCrop(224) -> ToTensor -> Normalize)
// over images/val_orig, on all GOMAXPROCS cores: exact is the default,
// bit-exact to torchvision; fast is DecodeOptions.Fast. Compare exact's
// img/s with scripts/bench_torchvision.py (DataLoader, num_workers=2): the
// goal is at least 2x torchvision, and fast at least 1.5x exact.
func BenchmarkDecodeToTensor(b *testing.B) {
	files := loadValOrig(b)
	for _, mode := range []struct {
		name string
		opts preprocess.DecodeOptions
	}{{"exact", preprocess.DecodeOptions{}}, {"fast", preprocess.DecodeOptions{Fast: true}}} {
		b.Run(mode.name, func(b *testing.B) {
			p, err := preprocess.NewPipeline(preprocess.DefaultConfig(), "")
			if err != nil {
				b.Fatal(err)
			}
			var next atomic.Int64
			cpu0 := cpuSeconds(b)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var img *preprocess.RGB8
				dst := make([]float32, p.TensorLen())
				for pb.Next() {
					i := int(next.Add(1)-1) % len(files)
					var err error
					if img, err = p.DecodeInto(mode.opts, img, files[i]); err != nil {
						b.Error(err)
						return
					}
					if err := p.Tensor(img, "", dst, preprocess.NCHW); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "img/s")
			b.ReportMetric(1000*(cpuSeconds(b)-cpu0)/float64(b.N), "cpu-ms/img")
		})
	}
}

// cpuSeconds is the process's user+system CPU time, a measure that other
// load on the machine disturbs far less than wall time.
func cpuSeconds(b *testing.B) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// BenchmarkDecode is the JPEG decode alone, one core.
func BenchmarkDecode(b *testing.B) {
	files := loadValOrig(b)
	var img *preprocess.RGB8
	var err error
	for i := 0; b.Loop(); i++ {
		if img, err = preprocess.DecodeInto(img, files[i%len(files)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "img/s")
}

// BenchmarkCropToTensor is resize + crop + tensor on decoded images, one core.
func BenchmarkCropToTensor(b *testing.B) {
	files := loadValOrig(b)
	imgs := make([]*preprocess.RGB8, len(files))
	for i, f := range files {
		var err error
		if imgs[i], err = preprocess.Decode(f); err != nil {
			b.Fatal(err)
		}
	}
	p, err := preprocess.NewPipeline(preprocess.DefaultConfig(), "")
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]float32, p.TensorLen())
	for i := 0; b.Loop(); i++ {
		if err := p.Tensor(imgs[i%len(imgs)], "", dst, preprocess.NCHW); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "img/s")
}
