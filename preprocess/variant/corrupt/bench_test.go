package corrupt_test

import (
	"math/rand/v2"
	"testing"

	"github.com/imagenetx/imagenetx/preprocess/variant/corrupt"
)

// BenchmarkCorruptions times each corruption at severity 3 on one val_227
// crop (scripts/bench.sh corruptions compares whole processes with the
// reference's).
func BenchmarkCorruptions(b *testing.B) {
	_, imgs := crops(b, 1)
	e := env(b, 1)
	for _, c := range corrupt.All() {
		b.Run(c.Name, func(b *testing.B) {
			e.Rand = rand.New(rand.NewPCG(1, 2))
			for b.Loop() {
				if _, err := corrupt.Apply(c.Name, imgs[0].Clone(), 3, e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
