package sweep

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ParseStrengths reads a comma-separated list of distinct strengths in
// [0, 1] that includes 0 (the baseline every other strength is compared
// with) and at least one other, and returns it sorted.
func ParseStrengths(text string) ([]float64, error) {
	var out []float64
	for _, field := range strings.Split(text, ",") {
		s, err := strconv.ParseFloat(strings.TrimSpace(field), 64)
		if err != nil || !(s >= 0 && s <= 1) {
			return nil, fmt.Errorf("strength %q is not a number in [0, 1]", strings.TrimSpace(field))
		}
		if slices.Contains(out, s) {
			return nil, fmt.Errorf("strength %v given twice", s)
		}
		out = append(out, s)
	}
	slices.Sort(out)
	if len(out) < 2 || out[0] != 0 {
		return nil, fmt.Errorf("strengths %q: need 0 (the baseline) and at least one other strength", text)
	}
	return out, nil
}
