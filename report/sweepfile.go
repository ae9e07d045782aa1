package report

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/stats"
)

// SweepFile is the name of the spill-over table LoadSweepDir reads from a
// sweep's output folder.
const SweepFile = "spillover.csv"

// Columns of a sweep table. Only factor, strength and error_ratio are
// required. A "spillover" verdict column, as imagenetx sweep writes it,
// decides significance by the sweep's own rule: the verdict at the highest
// strength is "worse" or "better". Without it, the first p-value column
// present, in the order listed (the corrected ones first), decides.
var (
	sweepRequired = []string{"factor", "strength", "error_ratio"}
	sweepPColumns = []string{"pval_adj", "p_adjusted", "p_adj", "qval", "pval_holm", "pval_bh", "pval", "p_value", "p"}
)

// sweepSignificance is the p-value below which a sweep factor is significant.
const sweepSignificance = 0.05

// fitPoints is the number of points tracing a fitted curve.
const fitPoints = 64

// LoadSweepDir reads the spill-over table a sweep wrote into dir (see
// ReadSweepCSV); the sweep is titled by the folder's name.
func LoadSweepDir(dir string) (Sweep, error) {
	path := filepath.Join(dir, SweepFile)
	f, err := os.Open(path)
	if err != nil {
		return Sweep{}, fmt.Errorf("report: sweep %s: %w", dir, err)
	}
	defer f.Close()
	s, err := ReadSweepCSV(f, path)
	s.Title = filepath.Base(filepath.Clean(dir))
	return s, err
}

// ReadSweepCSV reads a sweep's spill-over table in long form: a header
// naming at least factor, strength and error_ratio, then one line per
// (factor, strength). A factor is significant when its smallest p-value
// (from the first p-value column present, corrected ones preferred) is
// below 0.05. Each factor gets a least-squares polynomial of error ratio
// against strength (cubic, or lower with fewer strengths), as the paper
// fits. source names the input in errors.
func ReadSweepCSV(r io.Reader, source string) (Sweep, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return Sweep{}, fmt.Errorf("%s: header: %w", source, err)
	}
	cols, pName, err := sweepColumns(header)
	if err != nil {
		return Sweep{}, fmt.Errorf("%s: %w", source, err)
	}
	acc := newSweepAccumulator()
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Sweep{}, fmt.Errorf("%s: %w", source, err)
		}
		line, _ := cr.FieldPos(0)
		if err := acc.add(rec, cols); err != nil {
			return Sweep{}, fmt.Errorf("%s:%d: %w", source, line, err)
		}
	}
	s, err := acc.sweep(pName)
	if err != nil {
		return Sweep{}, fmt.Errorf("%s: %w", source, err)
	}
	return s, nil
}

// sweepCols are the positions of the columns read (p is -1 when absent).
type sweepCols struct{ factor, strength, ratio, p, verdict int }

func sweepColumns(header []string) (sweepCols, string, error) {
	pos := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := pos[h]; !dup {
			pos[h] = i
		}
	}
	for _, name := range sweepRequired {
		if _, ok := pos[name]; !ok {
			return sweepCols{}, "", fmt.Errorf("header lacks column %q (want %s)", name, strings.Join(sweepRequired, ","))
		}
	}
	c := sweepCols{factor: pos["factor"], strength: pos["strength"], ratio: pos["error_ratio"], p: -1, verdict: -1}
	if i, ok := pos["spillover"]; ok {
		c.verdict = i
		return c, "spillover", nil
	}
	for _, name := range sweepPColumns {
		if i, ok := pos[name]; ok {
			c.p = i
			return c, name, nil
		}
	}
	return c, "", nil
}

// sweepAccumulator gathers the lines of a sweep table.
type sweepAccumulator struct {
	factors   []string
	strengths []float64
	ratio     map[[2]int]float64 // (factor, strength) index → error ratio
	minP      map[int]float64    // factor → smallest p-value
	minPAt    map[int]float64    // factor → strength of that p-value
	verdict   map[[2]int]string  // (factor, strength) index → sweep verdict
	factorIdx map[string]int
}

func newSweepAccumulator() *sweepAccumulator {
	return &sweepAccumulator{ratio: map[[2]int]float64{}, minP: map[int]float64{}, minPAt: map[int]float64{},
		verdict: map[[2]int]string{}, factorIdx: map[string]int{}}
}

func (a *sweepAccumulator) add(rec []string, c sweepCols) error {
	if n := max(c.factor, c.strength, c.ratio, c.p, c.verdict); len(rec) <= n {
		return fmt.Errorf("%d fields, want at least %d", len(rec), n+1)
	}
	name := strings.TrimSpace(rec[c.factor])
	if _, err := eval.FactorIndex(name); err != nil {
		return err
	}
	strength, err := parseSweepFloat(rec[c.strength], "strength")
	if err != nil || math.IsNaN(strength) {
		return cmpErr(err, fmt.Errorf("strength is empty"))
	}
	ratio, err := parseSweepFloat(rec[c.ratio], "error_ratio")
	if err != nil {
		return err
	}
	fi, ok := a.factorIdx[name]
	if !ok {
		fi = len(a.factors)
		a.factorIdx[name] = fi
		a.factors = append(a.factors, name)
	}
	si := slices.Index(a.strengths, strength)
	if si < 0 {
		si = len(a.strengths)
		a.strengths = append(a.strengths, strength)
	}
	key := [2]int{fi, si}
	if _, dup := a.ratio[key]; dup {
		return fmt.Errorf("second line for factor %s at strength %v", name, strength)
	}
	a.ratio[key] = ratio
	if c.verdict >= 0 {
		a.verdict[key] = strings.TrimSpace(rec[c.verdict])
	}
	if c.p >= 0 {
		p, err := parseSweepFloat(rec[c.p], "p-value")
		if err != nil {
			return err
		}
		if old, ok := a.minP[fi]; !math.IsNaN(p) && (!ok || p < old) {
			a.minP[fi], a.minPAt[fi] = p, strength
		}
	}
	return nil
}

func cmpErr(err, alt error) error {
	if err != nil {
		return err
	}
	return alt
}

// parseSweepFloat reads a number; an empty field is NaN.
func parseSweepFloat(s, what string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return math.NaN(), nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s %q is not a finite number", what, s)
	}
	return v, nil
}

// sweep arranges the lines by ascending strength and fits each factor.
func (a *sweepAccumulator) sweep(pName string) (Sweep, error) {
	if len(a.factors) == 0 {
		return Sweep{}, fmt.Errorf("no data line")
	}
	order := make([]int, len(a.strengths))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int { return cmp.Compare(a.strengths[x], a.strengths[y]) })
	s := Sweep{Strengths: make([]float64, len(order))}
	for i, si := range order {
		s.Strengths[i] = a.strengths[si]
	}
	for fi, name := range a.factors {
		f := SweepFactor{Name: name, ErrorRatio: make([]float64, len(order))}
		for i, si := range order {
			v, ok := a.ratio[[2]int{fi, si}]
			if !ok {
				v = math.NaN()
			}
			f.ErrorRatio[i] = v
		}
		if v, ok := a.verdict[[2]int{fi, order[len(order)-1]}]; ok {
			f.Significant = v == "worse" || v == "better"
			f.Evidence = fmt.Sprintf("spill-over at strength %v: %s", s.Strengths[len(order)-1], v)
		} else if p, ok := a.minP[fi]; ok {
			f.Significant = p < sweepSignificance
			f.Evidence = fmt.Sprintf("min %s = %.3g (strength %v)", pName, p, a.minPAt[fi])
		}
		var err error
		if f.FitX, f.FitY, err = fitCurve(s.Strengths, f.ErrorRatio); err != nil {
			return Sweep{}, fmt.Errorf("fit %s: %w", name, err)
		}
		s.Factors = append(s.Factors, f)
	}
	return s, nil
}

// fitCurve fits the finite points with a polynomial of degree up to 3 (one
// less than the number of points) and samples it across their range; with
// fewer than 3 points there is no curve worth drawing beyond the points.
func fitCurve(x, y []float64) (fx, fy []float64, err error) {
	var xs, ys []float64
	for i := range x {
		if finite(y[i]) {
			xs, ys = append(xs, x[i]), append(ys, y[i])
		}
	}
	if len(xs) < 3 {
		return nil, nil, nil
	}
	coef, err := stats.PolyFit(xs, ys, min(3, len(xs)-1))
	if err != nil {
		return nil, nil, err
	}
	lo, hi := xs[0], xs[len(xs)-1]
	for i := range fitPoints {
		v := lo + (hi-lo)*float64(i)/float64(fitPoints-1)
		fx, fy = append(fx, v), append(fy, stats.PolyVal(coef, v))
	}
	return fx, fy, nil
}
