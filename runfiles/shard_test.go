package runfiles

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/engine"
)

func TestParseShard(t *testing.T) {
	tests := []struct {
		in      string
		want    ShardSpec
		wantErr string
	}{
		{"", Whole, ""},
		{"0/1", Whole, ""},
		{"2/3", ShardSpec{2, 3}, ""},
		{"0/1048576", ShardSpec{0, 1 << 20}, ""},
		{"3/3", ShardSpec{}, "shard number must be 0 to 2"},
		{"-1/3", ShardSpec{}, "shard number must be 0 to 2"},
		{"0/0", ShardSpec{}, "number of shards must be 1 to"},
		{"0/1048577", ShardSpec{}, "number of shards must be 1 to"},
		{"1", ShardSpec{}, "want i/n"},
		{"a/3", ShardSpec{}, "want i/n"},
		{"1/3/4", ShardSpec{}, "want i/n"},
		{" 1/3", ShardSpec{}, "want i/n"},
	}
	for _, tc := range tests {
		got, err := ParseShard(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseShard(%q) = %v, %v; want error %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// TestShardOfMatchesDocumentedRule pins values computed with the Python
// one-liner in ShardSpec's documentation, so other tools can reproduce it.
func TestShardOfMatchesDocumentedRule(t *testing.T) {
	tests := []struct {
		name string
		want [4]int // shard for n = 2, 3, 7, 1000
	}{
		{"ILSVRC2012_val_00000001.JPEG", [4]int{1, 0, 6, 481}},
		{"ILSVRC2012_val_00000002.JPEG", [4]int{1, 0, 4, 917}},
		{"ILSVRC2012_val_00050000.JPEG", [4]int{0, 2, 4, 540}},
		{"é.png", [4]int{1, 2, 5, 3}},
	}
	for _, tc := range tests {
		for k, n := range []int{2, 3, 7, 1000} {
			if got := ShardOf(tc.name, n); got != tc.want[k] {
				t.Errorf("ShardOf(%q, %d) = %d, want %d", tc.name, n, got, tc.want[k])
			}
		}
		if got := ShardOf(tc.name, 1); got != 0 {
			t.Errorf("ShardOf(%q, 1) = %d", tc.name, got)
		}
	}
}

func itemsNamed(names ...string) []engine.Item {
	items := make([]engine.Item, len(names))
	for i, n := range names {
		items[i] = engine.Item{Index: i, Name: n, Path: "/x/" + n}
	}
	return items
}

func valNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("ILSVRC2012_val_%08d.JPEG", i+1)
	}
	return names
}

// TestShardPartition checks that the shards of a list are disjoint, cover
// it, keep its order, renumber Index and are roughly balanced.
func TestShardPartition(t *testing.T) {
	items := itemsNamed(valNames(5000)...)
	for _, n := range []int{1, 2, 3, 8, 13} {
		seen := map[string]int{}
		for i := 0; i < n; i++ {
			part, err := Shard(items, i, n)
			if err != nil {
				t.Fatal(err)
			}
			if want := len(items) / n; n > 1 && (len(part) < want*8/10 || len(part) > want*12/10) {
				t.Errorf("shard %d/%d has %d of %d images: unbalanced", i, n, len(part), len(items))
			}
			for k, it := range part {
				if it.Index != k {
					t.Fatalf("shard %d/%d item %d has Index %d", i, n, k, it.Index)
				}
				if k > 0 && part[k-1].Name >= it.Name {
					t.Fatalf("shard %d/%d out of order at %s", i, n, it.Name)
				}
				if prev, dup := seen[it.Name]; dup {
					t.Fatalf("%s in shards %d and %d of %d", it.Name, prev, i, n)
				}
				seen[it.Name] = i
			}
		}
		if len(seen) != len(items) {
			t.Errorf("n=%d: shards cover %d of %d images", n, len(seen), len(items))
		}
	}
	if items[7].Index != 7 {
		t.Error("Select modified its input")
	}
}

// TestShardStability checks that the partition depends on the names only:
// listing order and other images in the folder do not move an image.
func TestShardStability(t *testing.T) {
	names := valNames(600)
	base := ShardSpec{1, 4}.Select(itemsNamed(names...))
	grown := append(slices.Clone(names), valNames(900)[600:]...)
	shuffled := slices.Clone(grown)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	owned := map[string]bool{}
	for _, it := range (ShardSpec{1, 4}).Select(itemsNamed(shuffled...)) {
		owned[it.Name] = true
	}
	for _, it := range base {
		if !owned[it.Name] {
			t.Fatalf("%s left shard 1/4 when the list grew or was reordered", it.Name)
		}
	}
	if len(owned) <= len(base) {
		t.Errorf("grown list's shard has %d images, the original %d", len(owned), len(base))
	}
}

func TestShardRejectsBadSpec(t *testing.T) {
	if _, err := Shard(itemsNamed("a.png"), 2, 2); err == nil {
		t.Fatal("Shard(2/2) accepted")
	}
}

func TestListFingerprint(t *testing.T) {
	got, err := FingerprintItems(itemsNamed("ILSVRC2012_val_00000001.JPEG", "a.jpg", "b.png"))
	if err != nil {
		t.Fatal(err)
	}
	// hashlib.sha256("".join(n + "\n" for n in sorted(names)).encode())
	if want := "af469a9b9c1f4b8b0e2fdf5856356629e5cb39b69fb8b6df3cb93c80daa7eaff"; got != want {
		t.Errorf("fingerprint %s, want %s", got, want)
	}
	if got := NewListFingerprint().Sum(); got != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("empty fingerprint %s", got)
	}
	for _, bad := range [][]string{{"b.png", "a.png"}, {"a.png", "a.png"}} {
		if _, err := FingerprintItems(itemsNamed(bad...)); err == nil {
			t.Errorf("fingerprint of %q accepted", bad)
		}
	}
}

func FuzzParseShard(f *testing.F) {
	for _, s := range []string{"", "0/1", "2/3", "3/3", "-1/2", "1/0", "x", "1/2/3", "99999999999999999999/1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sh, err := ParseShard(s)
		if err != nil {
			return
		}
		if sh.Validate() != nil {
			t.Fatalf("ParseShard(%q) = %v, which does not validate", s, sh)
		}
		if again, err := ParseShard(sh.String()); err != nil || again != sh {
			t.Fatalf("%q → %v → %q → %v, %v", s, sh, sh.String(), again, err)
		}
		if got := ShardOf(s, sh.Count); got < 0 || got >= sh.Count {
			t.Fatalf("ShardOf(%q, %d) = %d", s, sh.Count, got)
		}
	})
}
