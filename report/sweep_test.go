package report

import (
	"strconv"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/eval/sweep"
)

// sweepTable writes a spill-over table of one factor at the given error
// ratios (strengths 0, 1, 2, …), the last line judged verdict.
func sweepTable(factor, verdict string, ratios ...string) string {
	var b strings.Builder
	b.WriteString(strings.Join(sweep.Columns, ",") + "\n")
	for i, r := range ratios {
		v := "none"
		switch {
		case i == 0:
			v = "baseline"
		case i == len(ratios)-1:
			v = verdict
		}
		b.WriteString(factor + "," + strconv.Itoa(i) + ",40,0.5," + r + ",0.1,-0.1,0.3,1,2,0.5,0.9," + v + "\n")
	}
	return b.String()
}

// FuzzSweepSection: whatever spill-over table sweep.ReadCSV accepts lays
// out without error, panic or a non-finite number in the SVG.
func FuzzSweepSection(f *testing.F) {
	f.Add(sweepTable("color", "worse", "1", "1e308", "-1e308", "0"))
	f.Add(sweepTable("pose", "better", "0", "1", "2"))
	f.Add(sweepTable("pose", "none", "", "", "1"))
	f.Fuzz(func(t *testing.T, in string) {
		s, err := sweep.ReadCSV(strings.NewReader(in), "fuzz.csv")
		if err != nil {
			return
		}
		v, err := sweepSection(s, 0)
		if err != nil {
			if !strings.Contains(err.Error(), "no finite point") {
				t.Errorf("sweepSection: %v", err)
			}
			return
		}
		if svg := string(v.Figure.SVG); strings.Contains(svg, "NaN") || strings.Contains(svg, "Inf") {
			t.Errorf("SVG with a non-finite number for input %q", in)
		}
	})
}
