package imagenetx

import (
	"fmt"
	"strings"
	"time"

	"github.com/imagenetx/imagenetx/engine"
)

// Summary says, for a terminal, what a run of the model over images did:
// images, failures, images kept from an earlier run, throughput, where the
// predictions went (dest) and which side of the pipeline was busy. After a
// run error it says where the run stopped and does not claim predictions
// that may never have reached the disk; the error itself is the caller's
// to say, once. A run refused before it began (a resume refused, no
// image) has nothing to summarise: "".
func (m *Model) Summary(images *Images, st engine.Stats, dest string, runErr error) string {
	if runErr != nil && st.Total == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s on %d images", m.Name(), st.Total)
	if sh := images.Shard(); !sh.IsWhole() {
		fmt.Fprintf(&b, " (shard %s of %d)", sh, images.List.Count)
	}
	if runErr != nil {
		fmt.Fprintf(&b, ": stopped after %d images, %d failed", st.Skipped+st.Done, st.Failed)
		return b.String()
	}
	fmt.Fprintf(&b, ": %d predicted, %d failed", st.Skipped+st.Done-st.Failed, st.Failed)
	if st.Skipped > 0 {
		fmt.Fprintf(&b, " (%d from the earlier run)", st.Skipped)
	}
	cfg := m.clf.Config
	fmt.Fprintf(&b, "; %.1f img/s over %s (batch %d, output %s) -> %s", st.Rate(), st.Elapsed.Round(time.Millisecond), cfg.Batch, st.OutputKind, dest)
	if u, ok := st.Utilisation(cfg); ok {
		b.WriteString("\n" + u.String())
	}
	b.WriteString("\nexecution provider " + m.clf.Session.Placement().String())
	return b.String()
}
