package predictions

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/imagenetx/imagenetx/internal/cputime"
)

// rowResult is what a reader gave for one row, or its final error.
type rowResult struct {
	name  string
	class int
	prob  uint64 // math.Float64bits
	line  int
	err   string
}

// readAllPredictions reads in with Read.
func readAllPredictions(in io.Reader) []rowResult {
	r, err := NewReader(in, "p.csv")
	if err != nil {
		return []rowResult{{err: err.Error()}}
	}
	var out []rowResult
	for {
		p, err := r.Read()
		if err != nil {
			return append(out, rowResult{line: r.Line(), err: err.Error()})
		}
		out = append(out, rowResult{p.FileName, p.Class, math.Float64bits(p.Prob), r.Line(), ""})
	}
}

// readAllRows reads in with ReadRow.
func readAllRows(in io.Reader) []rowResult {
	r, err := NewReader(in, "p.csv")
	if err != nil {
		return []rowResult{{err: err.Error()}}
	}
	var out []rowResult
	var row Row
	for {
		if err := r.ReadRow(&row); err != nil {
			return append(out, rowResult{line: r.Line(), err: err.Error()})
		}
		out = append(out, rowResult{string(row.FileName), row.Class, math.Float64bits(row.Prob()), r.Line(), ""})
	}
}

const plainHeader = "file_name,predicted_class,predicted_probability\n"

// readRowCases are inputs on which ReadRow must do exactly what Read does:
// rows for the fast path, and rows it must leave to the general one.
var readRowCases = []string{
	plainHeader + "ILSVRC2012_val_00000293.JPEG,394,0.5196555853\nILSVRC2012_val_00002138.JPEG,0,0.9796582460000001\n",
	plainHeader + "a,1,0\nb,2,1\nc,3,1.000\nd,4,0.\ne,5,1.\nf,007,0.25",
	plainHeader + "a,1,0.5\r\n\r\n\nb,2,0.5\r\n",
	"\ufeff" + plainHeader + "a,1,0.5\n",
	plainHeader + "a,12.0,0.5\nb,+3,0.5\nc,3,5e-05\nd,3,.5\ne,3,0.5e0\n",
	plainHeader + "\"a,b\",1,0.5\nc,2,0.5\n",
	plainHeader + "\"multi\nline\",1,0.5\nc,2,0.5\n",
	plainHeader + "a\"b,1,0.5\n",
	plainHeader + "a,1,\"0.5\"\n",
	plainHeader + "a,1,1.5\n",
	plainHeader + "a,1,1.01\n",
	plainHeader + "a,1,0.5x\n",
	plainHeader + "a,1,nan\n",
	plainHeader + "a,-1,0.5\n",
	plainHeader + "a,1234567890,0.5\n",
	plainHeader + "a,x,0.5\n",
	plainHeader + ",1,0.5\n",
	plainHeader + "a,1\n",
	plainHeader + "a,1,0.5,2\n",
	plainHeader + "a,,0.5\n",
	plainHeader + "a,1,\n",
	plainHeader + "a,1,0.5\r\r\n",
	plainHeader + "a,1,0.5\n\"open,2,0.5\n",
	"predicted_class,file_name,predicted_probability\n1,a,0.5\n",
	"file_name,predicted_class,predicted_probability,top2_class,top2_probability\na,1,0.5,2,0.25\nb,1,0.5,x,0.25\n",
	"file_name,predicted_class,predicted_probability,extra\na,1,0.5,x\n",
	"file_name,predicted_class\na,1\n",
	"",
}

// TestReadRowMatchesRead: ReadRow gives Read's rows, line numbers and
// errors, read whole or a byte at a time.
func TestReadRowMatchesRead(t *testing.T) {
	for _, in := range readRowCases {
		want := readAllPredictions(strings.NewReader(in))
		for _, r := range []io.Reader{strings.NewReader(in), iotest.OneByteReader(strings.NewReader(in))} {
			if got := readAllRows(r); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%q:\n got %v\nwant %v", in, got, want)
			}
		}
	}
}

// FuzzReadRow checks ReadRow's fast path against Read: the same rows,
// line numbers and errors.
func FuzzReadRow(f *testing.F) {
	for _, in := range readRowCases {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		want := readAllPredictions(strings.NewReader(in))
		if got := readAllRows(strings.NewReader(in)); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%q:\n got %v\nwant %v", in, got, want)
		}
		// lines split across reads
		if got := readAllRows(iotest.HalfReader(strings.NewReader(in))); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%q read in halves:\n got %v\nwant %v", in, got, want)
		}
	})
}

// plainRows returns a prediction file of the reference format, n rows.
func plainRows(n int) []byte {
	var b bytes.Buffer
	b.WriteString(plainHeader)
	for i := range n {
		fmt.Fprintf(&b, "ILSVRC2012_val_%08d.JPEG,%d,%v\n", (i*7919)%n+1, i%1000, 1/(1+float64(i%97)/3.7))
	}
	return b.Bytes()
}

// TestReadRowAllocations: a row of the reference format costs no
// allocation.
func TestReadRowAllocations(t *testing.T) {
	data := plainRows(1000)
	r, err := NewReader(bytes.NewReader(data), "p.csv")
	if err != nil {
		t.Fatal(err)
	}
	var row Row
	if n := testing.AllocsPerRun(900, func() {
		if err := r.ReadRow(&row); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%.2f allocations a row", n)
	}
}

// BenchmarkReadRow reads 50,000 rows of the reference format from memory.
func BenchmarkReadRow(b *testing.B) {
	data := plainRows(50_000)
	b.SetBytes(int64(len(data)))
	var row Row
	cpu0 := cputime.Process()
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), "p.csv")
		if err != nil {
			b.Fatal(err)
		}
		for {
			if err := r.ReadRow(&row); err != nil {
				if err == io.EOF {
					break
				}
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/50_000, "ns/row")
	b.ReportMetric(float64((cputime.Process()-cpu0).Nanoseconds())/float64(b.N)/50_000, "cpu-ns/row")
}
