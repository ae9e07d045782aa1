package runfiles

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"github.com/imagenetx/imagenetx/engine"
)

// ShardSpec is one part of a deterministic partition of an image list, for
// spreading a run over the array jobs of a scheduler (Kubernetes Indexed
// Job, Slurm job array).
//
// The partition rule: an image belongs to shard
//
//	uint64(first 8 bytes, big-endian, of SHA-256(file name)) mod Count
//
// where the file name is the image's base name (the key of every output),
// as UTF-8 bytes. It depends on nothing but the name, so it is the same on
// every machine, whatever the folder's mount point, layout (flat or per
// class) or listing order, and adding images to the folder never moves an
// existing image to another shard. In Python:
//
//	int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") % n
//
// The zero value (and 0/1) is the whole list.
type ShardSpec struct {
	// Index is this shard's number, 0 ≤ Index < Count.
	Index int `json:"index"`
	// Count is the number of shards.
	Count int `json:"count"`
}

// Whole is the unsharded run, as outputs record it.
var Whole = ShardSpec{Index: 0, Count: 1}

// maxShards bounds n in "i/n": far above any array job, small enough that
// a typo is caught.
const maxShards = 1 << 20

// ParseShard reads "i/n" (0 ≤ i < n). The empty string is the whole list.
func ParseShard(s string) (ShardSpec, error) {
	if s == "" {
		return Whole, nil
	}
	is, ns, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(is)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil {
		return ShardSpec{}, fmt.Errorf("shard %q: want i/n, e.g. 0/4", s)
	}
	sh := ShardSpec{Index: i, Count: n}
	return sh, sh.Validate()
}

// Validate checks 0 ≤ Index < Count ≤ 2^20.
func (s ShardSpec) Validate() error {
	if s.Count < 1 || s.Count > maxShards {
		return fmt.Errorf("shard %d/%d: the number of shards must be 1 to %d", s.Index, s.Count, maxShards)
	}
	if s.Index < 0 || s.Index >= s.Count {
		return fmt.Errorf("shard %d/%d: the shard number must be 0 to %d", s.Index, s.Count, s.Count-1)
	}
	return nil
}

// IsWhole reports whether s selects every image.
func (s ShardSpec) IsWhole() bool { return s.Count <= 1 }

func (s ShardSpec) String() string {
	if s.Count == 0 {
		return Whole.String()
	}
	return strconv.Itoa(s.Index) + "/" + strconv.Itoa(s.Count)
}

// ShardOf returns the shard, of n, that the image named name belongs to.
func ShardOf(name string, n int) int {
	if n <= 1 {
		return 0
	}
	sum := sha256.Sum256([]byte(name))
	return int(binary.BigEndian.Uint64(sum[:8]) % uint64(n))
}

// Owns reports whether the image named name belongs to shard s.
func (s ShardSpec) Owns(name string) bool {
	return s.IsWhole() || ShardOf(name, s.Count) == s.Index
}

// Select returns the items of shard s, in their order, with Index
// renumbered to the position in the shard's list (the list the run, its
// batches and --resume work on). items is not modified.
func (s ShardSpec) Select(items []engine.Item) []engine.Item {
	out := make([]engine.Item, 0, len(items)/max(s.Count, 1)+1)
	for _, it := range items {
		if s.Owns(it.Name) {
			it.Index = len(out)
			out = append(out, it)
		}
	}
	return out
}

// Shard returns the items of shard i of n (see ShardSpec for the rule); an
// invalid i/n is an error.
func Shard(items []engine.Item, i, n int) ([]engine.Item, error) {
	s := ShardSpec{Index: i, Count: n}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s.Select(items), nil
}

// ListFingerprint identifies a set of image names: the hex SHA-256 of the
// names in byte order, each followed by "\n". A run records its whole
// list's fingerprint (before sharding) so that merging its shards can prove
// they cover exactly that list. In Python:
//
//	hashlib.sha256("".join(n + "\n" for n in sorted(names)).encode()).hexdigest()
type ListFingerprint struct {
	h    hash.Hash
	last string
	n    int
}

// NewListFingerprint starts an empty fingerprint.
func NewListFingerprint() *ListFingerprint {
	return &ListFingerprint{h: sha256.New()}
}

// Add appends the next name; names must come in strictly increasing order.
func (f *ListFingerprint) Add(name string) error {
	if f.n > 0 && name <= f.last {
		return fmt.Errorf("image list fingerprint: %s after %s: names must be distinct and sorted", name, f.last)
	}
	f.h.Write([]byte(name))
	f.h.Write([]byte{'\n'})
	f.last = name
	f.n++
	return nil
}

// Len is the number of names added.
func (f *ListFingerprint) Len() int { return f.n }

// Sum returns the hex digest of the names added so far.
func (f *ListFingerprint) Sum() string {
	return hex.EncodeToString(f.h.Sum(nil))
}

// FingerprintItems is the ListFingerprint of a sorted item list (as
// ListImages returns).
func FingerprintItems(items []engine.Item) (string, error) {
	f := NewListFingerprint()
	for _, it := range items {
		if err := f.Add(it.Name); err != nil {
			return "", err
		}
	}
	return f.Sum(), nil
}
