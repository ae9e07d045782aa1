package preprocess_test

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/preprocess"
	"github.com/imagenetx/imagenetx/preprocess/internal/jpegenc"
)

// rssBytes is the process's resident set size from /proc/self/status.
func rssBytes(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}

// TestJPEGFailuresDoNotLeak decodes JPEGs that fail in every way libjpeg
// can fail (error_exit in the header and mid-scan, truncation, corrupt-data
// warnings, the scan limit, the pixel limit) thousands of times: each
// failure must longjmp back and free the decompressor. libjpeg allocates
// tens of kilobytes per decompressor, so a leak would grow the C heap by
// hundreds of megabytes; RSS may grow by a few pages only.
func TestJPEGFailuresDoNotLeak(t *testing.T) {
	base := mustJPEG(t, 64, 48, 3, jpegenc.Options{Progressive: true})
	s0, s1 := scanData(t, base)
	marker := bytes.Clone(base)
	copy(marker[(s0+s1)/2:], []byte{0xFF, 0xD9})
	bad := [][]byte{
		base[:20], base[:len(base)/2], marker,
		[]byte("\xff\xd8\xffgarbage"), withJPEGSize(t, base, 0, 48),
		withJPEGSize(t, base, 60000, 60000), repeatFirstScan(t, base, 600),
		append(bytes.Clone(base[:s0]), bytes.Repeat([]byte{0xFF, 0x00}, 40)...),
	}
	strict := preprocess.DecodeOptions{Strict: true}
	decodeAll := func(n int) {
		for range n {
			for _, data := range bad {
				// Strict: the corrupt-data warning fails too.
				if _, err := strict.Decode(data); err == nil {
					t.Fatalf("bad JPEG decoded")
				}
			}
		}
	}
	decodeAll(200) // warm up allocators
	before := rssBytes(t)
	decodeAll(3000)
	if grew := rssBytes(t) - before; grew > 16<<20 {
		t.Errorf("RSS grew by %d bytes over 24000 failed decodes", grew)
	}
}
