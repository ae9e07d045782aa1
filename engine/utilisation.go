package engine

import (
	"fmt"
	"time"
)

// Utilisation says which side of the pipeline limits a run: preparing
// workers that are always busy mean the model waits for images (more
// workers, or CPUs, help); an inference side that is always busy means the
// model is the bottleneck (a larger batch, another device).
type Utilisation struct {
	// Workers and Runners are the goroutines on each side.
	Workers, Runners int
	// Prep and Infer are the busy fractions, 0..1: summed busy time over
	// wall time × goroutines.
	Prep, Infer float64
	// PrepPerImage is the mean time one worker spends on one image.
	PrepPerImage time.Duration
}

// Utilisation is the run's utilisation under cfg; false when no image was
// prepared (nothing to say).
func (st Stats) Utilisation(cfg Config) (Utilisation, bool) {
	if st.Elapsed <= 0 || st.Done == 0 {
		return Utilisation{}, false
	}
	wall := st.Elapsed.Seconds()
	workers, runners := max(cfg.Workers, 1), max(cfg.Runners, 1)
	return Utilisation{
		Workers: workers, Runners: runners,
		Prep:         st.PrepareTime.Seconds() / (wall * float64(workers)),
		Infer:        st.InferTime.Seconds() / (wall * float64(runners)),
		PrepPerImage: st.PrepareTime / time.Duration(st.Done),
	}, true
}

// String is "busy: preprocessing workers 75% (2 workers, 30ms per image
// each), inference 50% (1 runner)".
func (u Utilisation) String() string {
	return fmt.Sprintf("busy: preprocessing workers %.0f%% (%s, %s per image each), inference %.0f%% (%s)",
		100*u.Prep, plural(u.Workers, "worker"), u.PrepPerImage.Round(10*time.Microsecond), 100*u.Infer, plural(u.Runners, "runner"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
