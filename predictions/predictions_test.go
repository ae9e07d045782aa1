package predictions

import (
	"bytes"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	in := []Prediction{
		{FileName: "a.JPEG", Class: 3, Prob: 0.5, TopK: []ClassProb{{3, 0.5}, {7, 0.25}, {1, 0.125}}},
		{FileName: "b,with comma.JPEG", Class: 999, Prob: 1, TopK: []ClassProb{{999, 1}, {0, 0}, {1, 0}}},
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range in {
		if err := w.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "file_name,predicted_class,predicted_probability,top2_class,top2_probability,top3_class,top3_probability\na.JPEG,3,0.5,7,0.25,1,0.125\n") {
		t.Errorf("written:\n%s", buf.String())
	}
	r, err := NewReader(&buf, "mem")
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		p, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p, in[i]) {
			t.Errorf("row %d: %+v, want %+v", i, p, in[i])
		}
	}
	if _, err := r.Read(); err != io.EOF {
		t.Errorf("after last row: %v, want EOF", err)
	}
}

func TestReaderErrors(t *testing.T) {
	const header = "file_name,predicted_class,predicted_probability\n"
	for _, c := range []struct{ name, in, want string }{
		{"empty", "", "p.csv: empty file"},
		{"missing column", "file_name,predicted_class\na,1\n", `p.csv:1: missing column(s) ["predicted_probability"]`},
		{"class not a number", header + "a,1,0.5\nb,x,0.5\n", `p.csv:3: predicted_class "x" is not a class index`},
		{"negative class", header + "a,-2,0.5\n", "p.csv:2: predicted_class -2 is negative"},
		{"probability above 1", header + "a,1,1.5\n", "p.csv:2: predicted_probability 1.5 is outside [0,1]"},
		{"probability NaN", header + "a,1,nan\n", "p.csv:2: predicted_probability nan is outside [0,1]"},
		{"empty file name", header + ",1,0.5\n", "p.csv:2: empty file_name"},
		{"bad quote", header + "a,1,0.5\n\"b,1,0.5\n", "p.csv"},
		{"ragged", header + "a,1\n", "wrong number of fields"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := readAll(c.in)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want containing %q", err, c.want)
			}
		})
	}
}

func readAll(in string) error {
	r, err := NewReader(strings.NewReader(in), "p.csv")
	if err != nil {
		return err
	}
	for {
		if _, err := r.Read(); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

func TestReaderAcceptsPandasStyle(t *testing.T) {
	// a BOM, reordered and extra columns, a float-formatted class
	in := "\ufeffpredicted_probability,extra,file_name,predicted_class\n0.8365915418000001,x,a.JPEG,12.0\n"
	r, err := NewReader(strings.NewReader(in), "p.csv")
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if p.FileName != "a.JPEG" || p.Class != 12 || p.Prob != 0.8365915418000001 {
		t.Errorf("%+v", p)
	}
}

func FuzzReader(f *testing.F) {
	f.Add("file_name,predicted_class,predicted_probability\na,1,0.5\n")
	f.Add("file_name,predicted_class,predicted_probability,top2_class,top2_probability\na,1,0.5,2,0.25\n")
	f.Add("file_name,predicted_class\n\"")
	f.Fuzz(func(t *testing.T, in string) {
		r, err := NewReader(strings.NewReader(in), "fuzz")
		if err != nil {
			return
		}
		for {
			p, err := r.Read()
			if err != nil {
				return
			}
			if p.Class < 0 || math.IsNaN(p.Prob) || p.Prob < 0 || p.Prob > 1 || p.FileName == "" {
				t.Fatalf("invalid prediction accepted: %+v", p)
			}
		}
	})
}

func TestReaderRanks(t *testing.T) {
	for _, c := range []struct {
		header string
		want   int
	}{
		{"file_name,predicted_class,predicted_probability\n", 1},
		{strings.Join(Header(5), ",") + "\n", 5},
		// a gap in the top-k columns ends them
		{"file_name,predicted_class,predicted_probability,top2_class,top2_probability,top4_class,top4_probability\n", 2},
	} {
		r, err := NewReader(strings.NewReader(c.header), "mem")
		if err != nil {
			t.Fatal(err)
		}
		if r.Ranks() != c.want {
			t.Errorf("%q: Ranks() = %d, want %d", c.header, r.Ranks(), c.want)
		}
	}
}
