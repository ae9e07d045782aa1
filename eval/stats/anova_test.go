package stats

import (
	"math"
	"strings"
	"testing"
)

func TestAlexanderGovern(t *testing.T) {
	// Values from scipy 1.10.1's scipy.stats.alexandergovern.
	for _, tc := range []struct {
		name   string
		groups [][]float64
		a, p   float64
		err    string
	}{
		{"three groups", [][]float64{{1, 2, 3, 4, 5.5}, {2, 4, 6, 9}, {10, 11, 10.5}}, 17.098464877428587, 0.00019369371431172234, ""},
		{"two groups", [][]float64{{0.1, 0.2, 0.15}, {0.12, 0.22, 0.13, 0.3}}, math.NaN(), 0.4644892540608162, ""},
		{"constant group", [][]float64{{1, 1, 1}, {1, 2, 3}}, math.NaN(), math.NaN(), ""},
		{"NaN", [][]float64{{1, math.NaN(), 2}, {1, 2, 3}}, math.NaN(), math.NaN(), ""},
		{"one group", [][]float64{{1, 2}}, 0, 0, "need at least 2"},
		{"one value", [][]float64{{1, 2}, {3}}, 0, 0, "1 value(s)"},
		{"infinite", [][]float64{{1, math.Inf(1)}, {3, 4}}, 0, 0, "finite"},
	} {
		a, p, err := AlexanderGovern(tc.groups...)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !close(p, tc.p) || (!math.IsNaN(tc.a) && !close(a, tc.a)) || (math.IsNaN(tc.p) && !math.IsNaN(a)) {
			t.Errorf("%s: A=%.17g p=%.17g, scipy A=%.17g p=%.17g", tc.name, a, p, tc.a, tc.p)
		}
	}
}

func close(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b))
}

func TestKendallW(t *testing.T) {
	for _, tc := range []struct {
		name   string
		scores [][]float64
		want   float64
	}{
		{"perfect agreement", [][]float64{{1, 2, 3, 4}, {10, 20, 30, 40}, {0.1, 0.2, 0.3, 0.4}}, 1},
		// Two raters in exactly opposite order: rank sums all equal, S = 0.
		{"opposite", [][]float64{{1, 2, 3, 4}, {4, 3, 2, 1}}, 0},
		// Textbook example: 3 raters, 4 items, ranks (1,2,3,4), (2,1,3,4),
		// (1,3,2,4): sums 4,6,8,12, S = 35, W = 12·35/(9·60) = 0.7778.
		{"textbook", [][]float64{{1, 2, 3, 4}, {2, 1, 3, 4}, {1, 3, 2, 4}}, 12.0 * 35 / (9 * 60)},
		// Ties: rater 2 ties items 1 and 2 (ranks 1.5, 1.5, 3): sums
		// 2.5, 3.5, 6 → S = 6.5; T = 2³−2 = 6; W = 12·6.5/(4·24 − 2·6).
		{"ties", [][]float64{{1, 2, 3}, {5, 5, 7}}, 12 * 6.5 / (4*24 - 2*6)},
		{"one rater", [][]float64{{1, 2, 3}}, math.NaN()},
		{"NaN", [][]float64{{1, 2, 3}, {1, math.NaN(), 3}}, math.NaN()},
		{"ragged", [][]float64{{1, 2, 3}, {1, 2}}, math.NaN()},
	} {
		if got := KendallW(tc.scores); !close(got, tc.want) {
			t.Errorf("%s: W = %.17g, want %.17g", tc.name, got, tc.want)
		}
	}
}
