package corrupt

import "testing"

// TestNumPyRandMatchesNumPy pins draws of NumPy 1.24's legacy generator:
// np.random.seed(5); random_sample(), standard_normal() ×3, randint(0, 7),
// randint(-2, 2), randint(5), uniform(-45, 45), poisson(3.5), poisson(40.0).
func TestNumPyRandMatchesNumPy(t *testing.T) {
	r := NewNumPyRand(5)
	floats := []struct {
		name      string
		got, want float64
	}{
		{"random_sample", r.Float64(), 0.22199317108973948},
		{"standard_normal", r.NormFloat64(), -0.2939598035905121},
		{"standard_normal (cached)", r.NormFloat64(), 0.3715905688783965},
		{"standard_normal", r.NormFloat64(), -0.023303746449855414},
	}
	for _, f := range floats {
		if f.got != f.want {
			t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
		}
	}
	ints := []struct {
		name      string
		got, want int64
	}{
		{"randint(0, 7)", int64(r.IntN(7)), 6},
		{"randint(-2, 2)", int64(r.IntN(4) - 2), 1},
		{"randint(5)", int64(r.IntN(5)), 0},
	}
	for _, c := range ints {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if u := -45 + 90*r.Float64(); u != 1.657618908564892 {
		t.Errorf("uniform(-45, 45) = %v, want 1.657618908564892", u)
	}
	if p := poisson(r, 3.5); p != 2 {
		t.Errorf("poisson(3.5) = %d, want 2", p)
	}
	if p := poisson(r, 40); p != 45 {
		t.Errorf("poisson(40) = %d, want 45", p)
	}
	if v := NewNumPyRand(4294967295).Float64(); v != 0.0976320289940138 {
		t.Errorf("seed 2^32-1: random_sample = %v, want 0.0976320289940138", v)
	}
}
