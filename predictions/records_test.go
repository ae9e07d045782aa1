package predictions

import (
	"encoding/csv"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
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
		for _, rr := range recordReaders(in, 1) {
			got, gerr := readAllRecords(rr.read)
			if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) || !reflect.DeepEqual(got, want) {
				t.Errorf("%q:\n got %q, %v\nwant %q, %v", in, got, gerr, want, werr)
			}
		}
	}
}

// recordReaders returns record readers of in: one as prediction files are
// read, one with a buffer of size bytes (which must grow and shift), one
// fed a byte at a time.
func recordReaders(in string, size int) []*recordReader {
	return []*recordReader{
		newRecordReader(strings.NewReader(in)),
		newRecordReaderSize(strings.NewReader(in), size),
		newRecordReaderSize(iotest.OneByteReader(strings.NewReader(in)), 3),
	}
}

// TestRecordReaderLongLine: a line longer than the buffer grows it.
func TestRecordReaderLongLine(t *testing.T) {
	long := strings.Repeat("x", 3*recordBufferSize/2)
	in := "a,b\n" + long + ",\"" + long + "\"\"\"\nc,d\n"
	want := [][]string{{"a", "b"}, {long, long + "\""}, {"c", "d"}}
	got, err := readAllRecords(newRecordReader(strings.NewReader(in)).read)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("%d records, error %v", len(got), err)
	}
}

// FuzzRecordReader checks the fast reader against encoding/csv: the same
// records, and an error exactly where encoding/csv has one.
func FuzzRecordReader(f *testing.F) {
	f.Add("file_name,predicted_class,predicted_probability\na,1,0.5\n", uint8(64))
	f.Add("a,b\n\"x\"\"y\",\"multi\nline\"\r\n", uint8(2))
	f.Add("a,b\n\"x\"y,2\n", uint8(5))
	f.Fuzz(func(t *testing.T, in string, size uint8) {
		want, werr := readAllRecords(csv.NewReader(strings.NewReader(in)).Read)
		for _, rr := range recordReaders(in, int(size)) {
			got, gerr := readAllRecords(rr.read)
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("%q: error %v, encoding/csv %v", in, gerr, werr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%q: records %q, encoding/csv %q", in, got, want)
			}
		}
	})
}
