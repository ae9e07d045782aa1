package eval

import "testing"

// TestValIndexIsExact: only the canonical spelling of a validation image
// indexes by number, so that names pandas tells apart never share a slot.
func TestValIndexIsExact(t *testing.T) {
	for _, c := range []struct {
		name string
		n    int
		ok   bool
	}{
		{"ILSVRC2012_val_00000001.JPEG", 0, true},
		{"ILSVRC2012_val_00050000.JPEG", 49999, true},
		{"ILSVRC2012_val_1.JPEG", 0, false},
		{"ILSVRC2012_val_+0000001.JPEG", 0, false},
		{"ILSVRC2012_val_000000001.JPEG", 0, false},
		{"ILSVRC2012_val_00000000.JPEG", 0, false},
		{"ILSVRC2012_val_0000000a.JPEG", 0, false},
		{"ILSVRC2012_val_00000001.jpeg", 0, false},
	} {
		if n, ok := valIndex(c.name); n != c.n || ok != c.ok {
			t.Errorf("valIndex(%q) = %d, %v; want %d, %v", c.name, n, ok, c.n, c.ok)
		}
	}
	x := newNameIndex()
	x.put("ILSVRC2012_val_00000001.JPEG", 0)
	x.put("ILSVRC2012_val_1.JPEG", 1)
	if i, _ := x.get("ILSVRC2012_val_00000001.JPEG"); i != 0 {
		t.Errorf("canonical name at %d, want 0", i)
	}
	if i, _ := x.get("ILSVRC2012_val_1.JPEG"); i != 1 {
		t.Errorf("short name at %d, want 1", i)
	}
}
