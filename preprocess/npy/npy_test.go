package npy

import (
	"bytes"
	"math"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	u8 := []uint8{1, 2, 3, 4, 5, 6}
	if err := WriteUint8(&buf, []int{1, 2, 3}, u8); err != nil {
		t.Fatal(err)
	}
	if (buf.Len()-len(u8))%64 != 0 {
		t.Errorf("data starts at %d, not 64-byte aligned", buf.Len()-len(u8))
	}
	a, err := Read(&buf)
	if err != nil || !bytes.Equal(a.U8, u8) || len(a.Shape) != 3 || a.Shape[2] != 3 || a.DType() != "uint8" {
		t.Fatalf("uint8 round trip: %+v %v", a, err)
	}
	f32 := []float32{0, -1.5, float32(math.Inf(1)), 3.25}
	buf.Reset()
	if err := WriteFloat32(&buf, []int{4}, f32); err != nil {
		t.Fatal(err)
	}
	a, err = Read(&buf)
	if err != nil || len(a.F32) != 4 || a.Shape[0] != 4 || a.DType() != "float32" {
		t.Fatalf("float32 round trip: %+v %v", a, err)
	}
	for i := range f32 {
		if a.F32[i] != f32[i] {
			t.Errorf("value %d = %v, want %v", i, a.F32[i], f32[i])
		}
	}
	if err := WriteUint8(&buf, []int{2, 2}, u8); err == nil {
		t.Error("shape/data mismatch accepted")
	}
}

func TestReadErrors(t *testing.T) {
	cases := map[string]string{
		"bad magic":  "\x93NUMPX\x01\x00",
		"short":      "\x93NUMPY\x01",
		"fortran":    "\x93NUMPY\x01\x00\x46\x00{'descr': '|u1', 'fortran_order': True, 'shape': (1,), }",
		"dtype":      "\x93NUMPY\x01\x00\x46\x00{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }",
		"truncated":  "\x93NUMPY\x01\x00\x46\x00{'descr': '|u1', 'fortran_order': False, 'shape': (9,), }",
		"huge shape": "\x93NUMPY\x01\x00\x4e\x00{'descr': '|u1', 'fortran_order': False, 'shape': (99999999999,9), }",
	}
	for name, data := range cases {
		if _, err := Read(bytes.NewReader([]byte(data))); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	_ = WriteFloat32(&buf, []int{2, 1}, []float32{1, 2})
	f.Add(buf.Bytes())
	f.Add([]byte("\x93NUMPY\x01\x00\x10\x00{'shape': ()}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		n := 1
		for _, d := range a.Shape {
			n *= d
		}
		if len(a.U8)+len(a.F32) != n {
			t.Fatalf("shape %v but %d values", a.Shape, len(a.U8)+len(a.F32))
		}
	})
}
