package eval

import "testing"

func TestAnnotationKeyCoversFactors(t *testing.T) {
	for i, f := range Factors {
		if got := annotationKey([]byte(f)); got != i {
			t.Errorf("annotationKey(%q) = %d, want %d", f, got, i)
		}
	}
	if annotationKey([]byte("nope")) != keyUnknown {
		t.Error("unknown key not reported")
	}
}
