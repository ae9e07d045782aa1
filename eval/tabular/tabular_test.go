package tabular

import (
	"bytes"
	"math"
	"testing"
)

func TestFormatFloat(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{{1, "1.0"}, {0, "0.0"}, {0.5, "0.5"}, {1e-05, "1e-05"}, {math.NaN(), ""}, {1.0 / 3, "0.3333333333333333"}, {math.Inf(1), "inf"}} {
		if got := FormatFloat(c.v); got != c.want {
			t.Errorf("FormatFloat(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func TestRecordsCSVQuotesAndJSONKeepsOrder(t *testing.T) {
	rec := &Records{Header: []string{"name", "x", "ok"}, Rows: [][]any{{`a,"b"`, math.Inf(1), true}, {"ünï", 2.5, false}}}
	var csv, js bytes.Buffer
	if err := rec.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	if want := "name,x,ok\n\"a,\"\"b\"\"\",inf,True\nünï,2.5,False\n"; csv.String() != want {
		t.Errorf("CSV %q, want %q", csv.String(), want)
	}
	if err := rec.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if want := "[\n  {\"name\": \"a,\\\"b\\\"\", \"x\": null, \"ok\": true},\n  {\"name\": \"ünï\", \"x\": 2.5, \"ok\": false}\n]\n"; js.String() != want {
		t.Errorf("JSON %q, want %q", js.String(), want)
	}
}

func TestMarkdownTableAlignsMultibyteCells(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMarkdown(&b, []string{"a − b", "n"}, [][]string{{"x", "10"}}, 1); err != nil {
		t.Fatal(err)
	}
	want := "| a − b |  n |\n| ----- | -: |\n| x     | 10 |\n"
	if b.String() != want {
		t.Errorf("got\n%swant\n%s", b.String(), want)
	}
}

func TestPValueText(t *testing.T) {
	cases := []struct {
		p            float64
		cell, clause string
	}{
		{0.0123456, "0.0123", "p = 0.0123"},
		{1, "1", "p = 1"},
		{0, "<1e-300", "p < 1e-300"},
		{1e-310, "<1e-300", "p < 1e-300"},
		{math.NaN(), "", "p = "},
	}
	for _, c := range cases {
		if got := FormatP(c.p); got != c.cell {
			t.Errorf("FormatP(%g) = %q, want %q", c.p, got, c.cell)
		}
		if got := PClause("p", c.p); got != c.clause {
			t.Errorf("PClause(%g) = %q, want %q", c.p, got, c.clause)
		}
	}
}
