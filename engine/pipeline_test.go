package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const fakeLen, fakeClasses = 4, 1000

// fakePrep writes the item's index into its tensor (after a random pause, so
// workers finish out of order) and fails images whose name contains "bad".
type fakePrep struct{ jitter bool }

func (f fakePrep) NewWorker() PrepareFunc {
	rng := rand.New(rand.NewSource(rand.Int63()))
	return func(it Item, dst []float32) error {
		if f.jitter {
			time.Sleep(time.Duration(rng.Intn(300)) * time.Microsecond)
		}
		if strings.Contains(it.Name, "bad") {
			dst[0] = 999 // partial write: must not reach the model
			return &ImageError{Stage: StageDecode, Err: errors.New("corrupt")}
		}
		for i := range dst {
			dst[i] = float32(it.Index + 1)
		}
		return nil
	}
}

// fakeModel predicts class (value-1) % 1000 for an input filled with value,
// and records the batch sizes and inputs it saw.
type fakeModel struct {
	mu      sync.Mutex
	sizes   []int
	zeros   int
	failAt  int // fail the call whose first image has this value (0: never)
	softmax bool
	nan     float32
}

func (m *fakeModel) Run(in []float32, n int, out []float32) error {
	m.mu.Lock()
	m.sizes = append(m.sizes, n)
	m.mu.Unlock()
	if m.failAt != 0 && int(in[0]) == m.failAt {
		return errors.New("device lost")
	}
	for i := 0; i < n; i++ {
		row := out[i*fakeClasses : (i+1)*fakeClasses]
		v := in[i*fakeLen]
		clear(row)
		if v == 0 {
			m.mu.Lock()
			m.zeros++
			m.mu.Unlock()
			continue
		}
		if m.softmax {
			row[int(v-1)%fakeClasses] = 1
		} else {
			row[int(v-1)%fakeClasses] = 5
		}
		if m.nan != 0 && v == m.nan {
			row[3] = float32(math.NaN())
		}
	}
	return nil
}

func fakeItems(n int, bad ...int) []Item {
	items := make([]Item, n)
	for i := range items {
		items[i] = Item{Index: i, Name: fmt.Sprintf("img_%05d.JPEG", i)}
	}
	for _, b := range bad {
		items[b].Name = fmt.Sprintf("img_%05d_bad.JPEG", b)
	}
	return items
}

type collect struct {
	results []Result
	failPut int // fail the Put of this many-th result (1-based; 0: never)
}

func (c *collect) Put(r Result) error {
	if c.failPut != 0 && len(c.results)+1 == c.failPut {
		return errors.New("disk full")
	}
	c.results = append(c.results, r)
	return nil
}
func (c *collect) Flush() error { return nil }

func fakeConfig(batch, workers, runners int) Config {
	return Config{Batch: batch, Workers: workers, Runners: runners, InputLen: fakeLen, Classes: fakeClasses,
		Scorer: Scorer{Kind: OutputLogits}}
}

func TestRunOrderAndFailures(t *testing.T) {
	items := fakeItems(103, 0, 17, 50, 102)
	for _, tc := range []struct{ batch, workers, runners int }{
		{1, 1, 1}, {7, 3, 1}, {16, 8, 2}, {32, 2, 3}, {200, 4, 1},
	} {
		t.Run(fmt.Sprintf("batch%d_workers%d_runners%d", tc.batch, tc.workers, tc.runners), func(t *testing.T) {
			m := &fakeModel{}
			var c collect
			st, err := Run(context.Background(), items, 0, fakePrep{jitter: true}, m, &c, fakeConfig(tc.batch, tc.workers, tc.runners))
			if err != nil {
				t.Fatal(err)
			}
			if len(c.results) != len(items) || st.Done != len(items) || st.Failed != 4 {
				t.Fatalf("%d results, stats %+v", len(c.results), st)
			}
			for i, r := range c.results {
				if r.Item.Index != i {
					t.Fatalf("result %d is item %d: out of order", i, r.Item.Index)
				}
				if strings.Contains(r.Item.Name, "bad") {
					if r.Err == nil || r.Err.Stage != StageDecode {
						t.Fatalf("%s: err %v, want a decode failure", r.Item.Name, r.Err)
					}
					continue
				}
				if r.Err != nil || r.Pred.Class != i%fakeClasses || r.Pred.FileName != r.Item.Name {
					t.Fatalf("%s: %+v %v", r.Item.Name, r.Pred, r.Err)
				}
			}
			if m.zeros != 4 {
				t.Errorf("model saw %d zero-filled images, want the 4 failed ones", m.zeros)
			}
		})
	}
}

func TestRunPadsFixedBatch(t *testing.T) {
	m := &fakeModel{}
	cfg := fakeConfig(4, 2, 1)
	cfg.PadBatch = true
	var c collect
	if _, err := Run(context.Background(), fakeItems(10), 0, fakePrep{}, m, &c, cfg); err != nil {
		t.Fatal(err)
	}
	for _, n := range m.sizes {
		if n != 4 {
			t.Fatalf("batch sizes %v, want all 4", m.sizes)
		}
	}
	if len(c.results) != 10 || m.zeros != 2 {
		t.Fatalf("%d results, %d padding rows; want 10 and 2", len(c.results), m.zeros)
	}
}

func TestRunAlignsBatchesToTheList(t *testing.T) {
	m := &fakeModel{}
	var c collect
	if _, err := Run(context.Background(), fakeItems(23), 8, fakePrep{}, m, &c, fakeConfig(8, 2, 1)); err != nil {
		t.Fatal(err)
	}
	// Batches may reach the model in either order (whichever is prepared
	// first); what must hold is their split, 8..15 and 16..22, and the
	// commit order.
	sizes := slices.Sorted(slices.Values(m.sizes))
	if fmt.Sprint(sizes) != "[7 8]" || len(c.results) != 15 {
		t.Fatalf("batch sizes %v, %d results; want batches of 8 and 7, 15 results", m.sizes, len(c.results))
	}
	for i, r := range c.results {
		if r.Item.Index != 8+i {
			t.Fatalf("result %d is item %d, want %d", i, r.Item.Index, 8+i)
		}
	}
	if _, err := Run(context.Background(), fakeItems(23), 5, fakePrep{}, m, &c, fakeConfig(8, 2, 1)); err == nil {
		t.Fatal("start 5 with batch 8 accepted")
	}
}

func TestRunCancelKeepsAPrefix(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := fakeConfig(8, 2, 2)
	cfg.Progress = func(p Progress) {
		if p.Done >= 40 {
			cancel()
		}
	}
	var c collect
	st, err := Run(ctx, fakeItems(5000), 0, fakePrep{jitter: true}, &fakeModel{}, &c, cfg)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if len(c.results) < 40 || len(c.results) >= 5000 || st.Done != len(c.results) {
		t.Fatalf("%d results (stats %d) after cancelling at 40", len(c.results), st.Done)
	}
	for i, r := range c.results {
		if r.Item.Index != i {
			t.Fatalf("result %d is item %d", i, r.Item.Index)
		}
	}
}

func TestRunFatalErrors(t *testing.T) {
	t.Run("inference", func(t *testing.T) {
		var c collect
		_, err := Run(context.Background(), fakeItems(100), 0, fakePrep{}, &fakeModel{failAt: 41}, &c, fakeConfig(8, 2, 1))
		if err == nil || !strings.Contains(err.Error(), "device lost") || !strings.Contains(err.Error(), "img_00040.JPEG") {
			t.Fatalf("err = %v", err)
		}
		if len(c.results) > 40 {
			t.Fatalf("%d results committed past the failed batch", len(c.results))
		}
	})
	t.Run("sink", func(t *testing.T) {
		c := collect{failPut: 30}
		_, err := Run(context.Background(), fakeItems(100), 0, fakePrep{}, &fakeModel{}, &c, fakeConfig(8, 2, 1))
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestRunNonFiniteOutputIsAnImageError(t *testing.T) {
	var c collect
	st, err := Run(context.Background(), fakeItems(20), 0, fakePrep{}, &fakeModel{nan: 6}, &c, fakeConfig(8, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	if st.Failed != 1 || c.results[5].Err == nil || c.results[5].Err.Stage != StageInference || !errors.Is(c.results[5].Err, ErrNonFinite) {
		t.Fatalf("stats %+v, result 5: %v", st, c.results[5].Err)
	}
}

func TestRunDetectsOutputKind(t *testing.T) {
	for _, softmax := range []bool{false, true} {
		cfg := fakeConfig(4, 2, 1)
		cfg.Scorer.Kind = OutputAuto
		var decided []OutputKind
		cfg.KindDecided = func(k OutputKind) error { decided = append(decided, k); return nil }
		var c collect
		// The first batch fails entirely: detection waits for real scores.
		st, err := Run(context.Background(), fakeItems(12, 0, 1, 2, 3), 0, fakePrep{}, &fakeModel{softmax: softmax}, &c, cfg)
		if err != nil {
			t.Fatal(err)
		}
		want := OutputLogits
		if softmax {
			want = OutputProbabilities
		}
		if st.OutputKind != want || len(decided) != 1 || decided[0] != want {
			t.Fatalf("softmax=%v: kind %v, decided %v", softmax, st.OutputKind, decided)
		}
		if p := c.results[4].Pred.Prob; softmax && p != 1 {
			t.Fatalf("probability model: prob %v, want the model's 1", p)
		}
	}
}

// panicPrep panics on the images whose name contains "bad", as a decoder
// bug would, and prepares the others as fakePrep does.
type panicPrep struct{}

func (panicPrep) NewWorker() PrepareFunc {
	ok := fakePrep{}.NewWorker()
	return func(it Item, dst []float32) error {
		if strings.Contains(it.Name, "bad") {
			dst[0] = 999
			var palette []uint8
			_ = palette[it.Index] // index out of range
		}
		return ok(it, dst)
	}
}

// TestRunSurvivesPanickingPreparer: a panic while preparing one image fails
// that image with the panic as its reason; every other image is predicted.
func TestRunSurvivesPanickingPreparer(t *testing.T) {
	items := fakeItems(40, 3, 21)
	m := &fakeModel{}
	var c collect
	st, err := Run(context.Background(), items, 0, panicPrep{}, m, &c, fakeConfig(8, 3, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.results) != len(items) || st.Failed != 2 {
		t.Fatalf("%d results, stats %+v", len(c.results), st)
	}
	for i, r := range c.results {
		bad := i == 3 || i == 21
		switch {
		case bad && (r.Err == nil || r.Err.Stage != StagePreprocess || !strings.Contains(r.Err.Error(), "panic: runtime error: index out of range")):
			t.Errorf("%s: err %v, want the panic recorded", r.Item.Name, r.Err)
		case !bad && (r.Err != nil || r.Pred.Class != i):
			t.Errorf("%s: %+v %v", r.Item.Name, r.Pred, r.Err)
		}
	}
	if m.zeros != 2 {
		t.Errorf("model saw %d zero-filled images, want the 2 failed ones", m.zeros)
	}
}
