package report

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const goodSweep = `factor,strength,error_ratio,change,change_lo,change_hi,pval,pval_adj
color,0.5,1.1,-0.3,-0.5,-0.1,0.01,0.03
color,0,1.4,0,0,0,,
color,1,0.9,-0.5,-0.7,-0.3,0.001,0.004
color,0.25,1.3,-0.1,-0.2,0,0.2,0.4
pose,0,1.0,0,0,0,,
pose,0.25,1.0,0,-0.1,0.1,0.9,1
pose,0.5,1.1,0.1,0,0.2,0.04,0.2
pose,1,,,,,,
`

func TestReadSweepCSV(t *testing.T) {
	s, err := ReadSweepCSV(strings.NewReader(goodSweep), "good.csv")
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{0, 0.25, 0.5, 1}; !slices.Equal(s.Strengths, want) {
		t.Errorf("strengths %v, want %v", s.Strengths, want)
	}
	if len(s.Factors) != 2 {
		t.Fatalf("%d factors, want 2", len(s.Factors))
	}
	color, pose := s.Factors[0], s.Factors[1]
	if !slices.Equal(color.ErrorRatio, []float64{1.4, 1.3, 1.1, 0.9}) {
		t.Errorf("color error ratios %v", color.ErrorRatio)
	}
	// The corrected column decides: color's smallest is 0.004, pose's 0.2
	// (its raw 0.04 would have been significant).
	if !color.Significant || pose.Significant {
		t.Errorf("significant: color %v, pose %v; want true, false", color.Significant, pose.Significant)
	}
	if !strings.Contains(color.Evidence, "pval_adj = 0.004 (strength 1)") {
		t.Errorf("color evidence %q", color.Evidence)
	}
	if !math.IsNaN(pose.ErrorRatio[3]) {
		t.Errorf("pose at 1 = %v, want NaN", pose.ErrorRatio[3])
	}
	// A cubic through 4 points passes through them.
	if len(color.FitX) != fitPoints || math.Abs(color.FitY[0]-1.4) > 1e-9 || math.Abs(color.FitY[fitPoints-1]-0.9) > 1e-9 {
		t.Errorf("color fit starts %v ends %v, want 1.4 and 0.9", color.FitY[0], color.FitY[len(color.FitY)-1])
	}
	// pose has 3 finite points: a quadratic through them.
	if len(pose.FitX) != fitPoints || math.Abs(pose.FitX[fitPoints-1]-0.5) > 1e-12 {
		t.Errorf("pose fit should span 0..0.5, got %d points", len(pose.FitX))
	}
}

func TestReadSweepCSVErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "header"},
		{"no error_ratio", "factor,strength\ncolor,0\n", `lacks column "error_ratio"`},
		{"no lines", "factor,strength,error_ratio\n", "no data line"},
		{"bad factor", "factor,strength,error_ratio\nhue,0,1\n", "bad.csv:2:"},
		{"bad number", "factor,strength,error_ratio\ncolor,0,abc\n", `error_ratio "abc"`},
		{"infinite", "factor,strength,error_ratio\ncolor,0,inf\n", "not a finite"},
		{"empty strength", "factor,strength,error_ratio\ncolor,,1\n", "strength is empty"},
		{"duplicate", "factor,strength,error_ratio\ncolor,0,1\ncolor,0,2\n", "bad.csv:3: second line"},
		{"short line", "factor,strength,error_ratio,p\ncolor,0,1\n", "wrong number of fields"},
		{"bad p", "factor,strength,error_ratio,p\ncolor,0,1,x\n", `p-value "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadSweepCSV(strings.NewReader(tt.in), "bad.csv")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestLoadSweepDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mobilenet-colorjitter")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSweepDir(dir); err == nil || !strings.Contains(err.Error(), SweepFile) {
		t.Errorf("missing file: err = %v", err)
	}
	writeFile(t, filepath.Join(dir, SweepFile), goodSweep)
	s, err := LoadSweepDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.Title != "mobilenet-colorjitter" || len(s.Factors) != 2 {
		t.Errorf("title %q, %d factors", s.Title, len(s.Factors))
	}
}

func FuzzReadSweepCSV(f *testing.F) {
	f.Add(goodSweep)
	f.Add("factor,strength,error_ratio\ncolor,0,1\ncolor,1,1e308\ncolor,2,-1e308\ncolor,3,0\n")
	f.Add("factor,strength,error_ratio,q\npose,1e-300,0,\npose,2e-300,1,0.5\npose,3e-300,2,0\n")
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ReadSweepCSV(strings.NewReader(in), "fuzz.csv")
		if err != nil {
			return
		}
		if !slices.IsSorted(s.Strengths) {
			t.Errorf("strengths not sorted: %v", s.Strengths)
		}
		for _, f := range s.Factors {
			if len(f.ErrorRatio) != len(s.Strengths) || len(f.FitX) != len(f.FitY) {
				t.Errorf("factor %s: %d ratios for %d strengths, fit %d/%d", f.Name, len(f.ErrorRatio), len(s.Strengths), len(f.FitX), len(f.FitY))
			}
		}
		// Whatever was read must lay out without error or panic.
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
