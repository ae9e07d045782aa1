package engine

import "testing"

func TestUtilisation(t *testing.T) {
	st := Stats{PrepareTime: 3e9, InferTime: 1e9}
	st.Elapsed, st.Done = 2e9, 100
	u, ok := st.Utilisation(Config{Workers: 2, Runners: 1})
	if !ok {
		t.Fatal("no utilisation")
	}
	if u.Prep != 0.75 || u.Infer != 0.5 {
		t.Fatalf("prep %v infer %v, want 0.75 and 0.5", u.Prep, u.Infer)
	}
	if got, want := u.String(), "busy: preprocessing workers 75% (2 workers, 30ms per image each), inference 50% (1 runner)"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
	if _, ok := (Stats{}).Utilisation(Config{}); ok {
		t.Fatal("utilisation of an empty run")
	}
}
