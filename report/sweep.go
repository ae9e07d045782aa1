package report

import (
	"cmp"
	"fmt"
	"strconv"

	"github.com/imagenetx/imagenetx/eval/sweep"
	"github.com/imagenetx/imagenetx/report/chart"
)

func validateSweep(s *sweep.Curves) error {
	if len(s.Strengths) == 0 || len(s.Factors) == 0 {
		return fmt.Errorf("report: sweep %q has %d strengths and %d factors", s.Title, len(s.Strengths), len(s.Factors))
	}
	for _, f := range s.Factors {
		if len(f.ErrorRatio) != len(s.Strengths) {
			return fmt.Errorf("report: sweep %q: factor %s has %d error ratios for %d strengths", s.Title, f.Name, len(f.ErrorRatio), len(s.Strengths))
		}
	}
	return nil
}

// sweepSection charts a sweep and tabulates it.
func sweepSection(s sweep.Curves, idx int) (sweepView, error) {
	if err := validateSweep(&s); err != nil {
		return sweepView{}, err
	}
	label := cmp.Or(s.StrengthLabel, "strength")
	cs := chart.Curves{XLabel: label, YLabel: "error ratio", References: []float64{1}, MutedLabel: "not significant"}
	t := &table{ID: fmt.Sprintf("sweep-table-%d", idx), Sortable: true, Head: []column{{Text: "factor"}}}
	for _, x := range s.Strengths {
		t.Head = append(t.Head, column{Text: label + " " + strconv.FormatFloat(x, 'g', 4, 64)})
	}
	t.Head = append(t.Head, column{Text: "significant"})
	v := sweepView{Title: cmp.Or(s.Title, fmt.Sprintf("sweep %d", idx+1)), Table: t}
	for _, f := range s.Factors {
		cs.Curves = append(cs.Curves, chart.Curve{Name: f.Name, X: s.Strengths, Y: f.ErrorRatio, FitX: f.FitX, FitY: f.FitY, Highlight: f.Significant()})
		row := []cell{{Text: f.Name}}
		for _, r := range f.ErrorRatio {
			row = append(row, cell{Text: fmt2(r), Sort: sortKey(r)})
		}
		sig := cell{Text: "no", Title: f.Evidence}
		if f.Significant() {
			sig = cell{Text: "yes", Title: f.Evidence, Class: "worse"}
			v.Findings = append(v.Findings, sweepFinding(s, f))
		}
		if f.Evidence != "" {
			sig.Text += " — " + f.Evidence
		}
		t.Rows = append(t.Rows, append(row, sig))
	}
	if len(v.Findings) == 0 {
		v.Findings = []string{"No factor's error ratio changes significantly with the strength."}
	}
	c, err := chart.Lines(cs)
	if err != nil {
		return sweepView{}, fmt.Errorf("report: sweep %q: %w", v.Title, err)
	}
	v.Figure, err = newFigure(c, fmt.Sprintf("sweep-%d", idx), "points", v.Title,
		"Error ratio of each factor at each strength (points) with the fitted curve; significant factors in colour, the others grey.")
	return v, err
}

// sweepFinding describes how a significant factor's error ratio moves
// between the lowest and highest strength measured.
func sweepFinding(s sweep.Curves, f sweep.FactorCurve) string {
	first, last := -1, -1
	for i, r := range f.ErrorRatio {
		if finite(r) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 || first == last {
		return fmt.Sprintf("%s changes significantly (%s).", f.Name, f.Evidence)
	}
	verb := "rises"
	if f.ErrorRatio[last] < f.ErrorRatio[first] {
		verb = "falls"
	}
	evidence := ""
	if f.Evidence != "" {
		evidence = " (" + f.Evidence + ")"
	}
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }
	return fmt.Sprintf("%s: the error ratio %s from %s at strength %s to %s at %s%s.",
		f.Name, verb, fmt2(f.ErrorRatio[first]), g(s.Strengths[first]), fmt2(f.ErrorRatio[last]), g(s.Strengths[last]), evidence)
}
