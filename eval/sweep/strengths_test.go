package sweep

import "testing"

func TestParseStrengthsSorts(t *testing.T) {
	got, err := ParseStrengths(" 1, 0,0.25")
	if err != nil || len(got) != 3 || got[0] != 0 || got[1] != 0.25 || got[2] != 1 {
		t.Fatalf("%v, %v", got, err)
	}
}

// FuzzParseStrengths: whatever the text, a list it accepts starts at 0,
// rises strictly and stays within [0, 1].
func FuzzParseStrengths(f *testing.F) {
	for _, seed := range []string{"0,0.25,0.5,1", "1,0", "0", "0,0", "0,NaN", "0,-0", "0,1e-9", " 0 , 1 ", ",", "0,inf"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, err := ParseStrengths(text)
		if err != nil {
			return
		}
		if len(got) < 2 || got[0] != 0 {
			t.Fatalf("%q: %v lacks the baseline 0 or another strength", text, got)
		}
		for i, s := range got {
			if !(s >= 0 && s <= 1) || (i > 0 && !(s > got[i-1])) {
				t.Fatalf("%q: %v is not strictly rising within [0, 1]", text, got)
			}
		}
	})
}
