package eval

import (
	"strings"
	"testing"
)

func FuzzReadTable(f *testing.F) {
	header := "model," + strings.Join(Factors[:], ",") + ",worst_factor,average\n"
	f.Add(header + "m" + strings.Repeat(",0.5", NumFactors) + ",0.5,0.5\n")
	f.Add(header + "m,\"x\n")
	f.Fuzz(func(t *testing.T, in string) {
		tbl, err := ReadTable(strings.NewReader(in), "fuzz.csv")
		if err == nil && tbl == nil {
			t.Fatal("nil table without error")
		}
	})
}
