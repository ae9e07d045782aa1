package engine

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// ProgressPrinter shows a run's progress on a terminal (a redrawn bar) or a
// log (a plain line now and then).
type ProgressPrinter struct {
	w        io.Writer
	tty      bool
	interval time.Duration
	last     time.Time
	drawn    bool
}

// NewProgressPrinter writes to w, as a bar when w is a terminal. It returns
// nil when quiet; a nil printer's methods do nothing.
func NewProgressPrinter(w io.Writer, quiet bool) *ProgressPrinter {
	if quiet {
		return nil
	}
	tty := isTerminal(w)
	interval := 10 * time.Second
	if tty {
		interval = 100 * time.Millisecond
	}
	return &ProgressPrinter{w: w, tty: tty, interval: interval}
}

// isTerminal reports whether w is a file on a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Update shows p unless the last update was too recent.
func (pp *ProgressPrinter) Update(p Progress) {
	if pp == nil || time.Since(pp.last) < pp.interval {
		return
	}
	pp.last = time.Now()
	pp.show(p)
}

// Finish shows the final state and ends the bar's line.
func (pp *ProgressPrinter) Finish(p Progress) {
	if pp == nil {
		return
	}
	pp.show(p)
	if pp.tty {
		fmt.Fprintln(pp.w)
	}
}

func (pp *ProgressPrinter) show(p Progress) {
	if pp.tty {
		fmt.Fprintf(pp.w, "\r%s %s\x1b[K", bar(p, 30), FormatProgress(p))
		return
	}
	fmt.Fprintf(pp.w, "imagenetx: %s\n", FormatProgress(p))
}

// FormatProgress renders "640/1300 images (49%), 123.4 img/s, ETA 5s".
func FormatProgress(p Progress) string {
	done := p.Skipped + p.Done
	pct := 0.0
	if p.Total > 0 {
		pct = 100 * float64(done) / float64(p.Total)
	}
	s := fmt.Sprintf("%d/%d images (%.0f%%)", done, p.Total, pct)
	if rate := p.Rate(); rate > 0 {
		eta := time.Duration(float64(p.Total-done) / rate * float64(time.Second))
		s += fmt.Sprintf(", %.1f img/s, ETA %s", rate, eta.Round(time.Second))
	}
	if p.Failed > 0 {
		s += fmt.Sprintf(", %d failed", p.Failed)
	}
	return s
}

// Rate is this run's images per second.
func (p Progress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Done) / p.Elapsed.Seconds()
}

func bar(p Progress, width int) string {
	filled := 0
	if p.Total > 0 {
		filled = width * (p.Skipped + p.Done) / p.Total
	}
	return "[" + strings.Repeat("=", filled) + strings.Repeat(" ", width-filled) + "]"
}
