package predictions

import (
	"encoding/csv"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// readAllRecords reads every record, or the first error.
func readAllRecords(next func() ([]string, error)) ([][]string, error) {
	var out [][]string
	for {
		rec, err := next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, append([]string(nil), rec...))
	}
}

func TestRecordReaderMatchesEncodingCSV(t *testing.T) {
	for _, in := range []string{
		"a,b,c\n1,2,3\n",
		"a,b\r\n1,2\r\n\r\n3,4",
		"a,b\n\"x,y\",\"he said \"\"hi\"\"\"\n",
		"a,b\n\"multi\nline\",2\n",
		"a,b\n\"\",\n",
		"a,b\n1,2,3\n",
		"a,b\nx\"y,2\n",
		"a,b\n\"x\"y,2\n",
		"a,b\n\"open,2\n",
		"\n\na\n",
		",\n,\n",
	} {
		want, werr := readAllRecords(csv.NewReader(strings.NewReader(in)).Read)
		rr := newRecordReader(strings.NewReader(in))
		got, gerr := readAllRecords(rr.read)
		if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) || !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %q, %v\nwant %q, %v", in, got, gerr, want, werr)
		}
	}
}

// FuzzRecordReader checks the fast reader against encoding/csv: the same
// records, and an error exactly where encoding/csv has one.
func FuzzRecordReader(f *testing.F) {
	f.Add("file_name,predicted_class,predicted_probability\na,1,0.5\n")
	f.Add("a,b\n\"x\"\"y\",\"multi\nline\"\r\n")
	f.Add("a,b\n\"x\"y,2\n")
	f.Fuzz(func(t *testing.T, in string) {
		want, werr := readAllRecords(csv.NewReader(strings.NewReader(in)).Read)
		got, gerr := readAllRecords(newRecordReader(strings.NewReader(in)).read)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%q: error %v, encoding/csv %v", in, gerr, werr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: records %q, encoding/csv %q", in, got, want)
		}
	})
}
