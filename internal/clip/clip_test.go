package clip

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	long := strings.Repeat("é", 5000) // 2 bytes a character: a cut may fall inside one
	tests := []struct {
		name, in string
		quoted   string
		maxLen   int
	}{
		{"short", "abc", `"abc"`, 5},
		{"exactly Max", strings.Repeat("a", Max), strconv.Quote(strings.Repeat("a", Max)), Max + 2},
		{"long", strings.Repeat("a", 50<<20), strconv.Quote(strings.Repeat("a", Max)) + "… (52428800 bytes)", 300},
		{"long, multibyte", long, strconv.Quote(strings.Repeat("é", Max/2)) + "… (10000 bytes)", 300},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := Quote(tc.in)
			if q != tc.quoted || len(q) > tc.maxLen {
				t.Fatalf("Quote = %.80q… (%d bytes), want %.80q", q, len(q), tc.quoted)
			}
			if s := String(tc.in); len(s) > tc.maxLen || !utf8.ValidString(s) {
				t.Fatalf("String: %d bytes, valid UTF-8 %v", len(s), utf8.ValidString(s))
			}
		})
	}
	many := make([]string, 1000)
	for i := range many {
		many[i] = strings.Repeat("x", 1000)
	}
	if q := Quotes(many); len(q) > MaxItems*(Max+30)+40 || !strings.HasSuffix(q, "… (1000 values)]") {
		t.Fatalf("Quotes of 1000 long values: %d bytes, ends %q", len(q), q[len(q)-30:])
	}
}
