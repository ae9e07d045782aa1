package runfiles

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/predictions"
	"github.com/imagenetx/imagenetx/preprocess"
)

func mustEqualFiles(t *testing.T, got, want string) {
	t.Helper()
	g, err1 := os.ReadFile(got)
	w, err2 := os.ReadFile(want)
	if err1 != nil || err2 != nil {
		t.Fatalf("read: %v, %v", err1, err2)
	}
	if !bytes.Equal(g, w) {
		t.Fatalf("%s differs from %s", got, want)
	}
}

func mustNotExist(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s exists", path)
	}
}

// fixtureRun writes the output files of the shards of a run over names, as
// `run` would: some images failed, the rest predicted with made-up scores.
type fixtureRun struct {
	names []string
	m     Manifest
}

func newFixtureRun(names []string) fixtureRun {
	items := make([]engine.Item, len(names))
	for i, n := range names {
		items[i] = engine.Item{Index: i, Name: n}
	}
	fp, err := FingerprintItems(items)
	if err != nil {
		panic(err)
	}
	return fixtureRun{names: names, m: Manifest{
		Model: "fixture", ModelSHA256: strings.Repeat("ab", 32), Preprocess: RecordPreprocess(preprocess.DefaultConfig()),
		Decode: preprocess.PolicyPillow, Batch: 4, TopK: 3, OutputKind: "logits", Device: "cpu", Runtime: "1.24.3",
		Images: len(names), ImagesSHA256: fp,
	}}
}

func fixtureNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("ILSVRC2012_val_%08d.JPEG", i+1)
	}
	return names
}

// write puts shard sh's files at preds (+ .run.json, .errors.csv), letting
// edit change the manifest and the list of rows first. Each image's row
// depends on its name only, as a real model's does.
func (r fixtureRun) write(t testing.TB, preds string, sh ShardSpec, edit func(m *Manifest, names []string) []string) {
	t.Helper()
	m := r.m
	var names []string
	for _, n := range r.names {
		if sh.Owns(n) {
			names = append(names, n)
		}
	}
	m.Shard, m.ShardImages = sh, len(names)
	if edit != nil {
		names = edit(&m, names)
	}
	var pb, eb bytes.Buffer
	pw, _ := predictions.NewWriter(&pb, m.TopK)
	eb.WriteString(csvLine(ErrorsHeader))
	failed := 0
	for _, n := range names {
		k := len(n) + int(n[len(n)-6]) // depends on the name only
		if k%5 == 4 {
			fmt.Fprintf(&eb, "%s,decode,broken image %d\n", n, k)
			failed++
			continue
		}
		c := k * 37 % 1000
		pw.Write(predictions.Prediction{FileName: n, Class: c, Prob: 0.5 / float64(k+1),
			TopK: []predictions.ClassProb{{Class: c, Prob: 0.5 / float64(k+1)}, {Class: c + 1, Prob: 0.25 / float64(k+1)}}})
	}
	pw.Flush()
	must(t, os.WriteFile(preds, pb.Bytes(), 0o644))
	if failed > 0 {
		must(t, os.WriteFile(ErrorsPathFor(preds), eb.Bytes(), 0o644))
	}
	must(t, WriteManifest(preds+".run.json", m))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestMergeFixtureShards merges generated shards; the reference is the
// same generator's unsharded output, which the merge must reproduce byte
// for byte (predictions, errors, run.json), for several shard counts.
func TestMergeFixtureShards(t *testing.T) {
	run := newFixtureRun(fixtureNames(60))
	for _, n := range []int{1, 2, 5, 64} { // 64 shards of 60 images: some are empty
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir := t.TempDir()
			whole := filepath.Join(dir, "whole.csv")
			run.write(t, whole, Whole, nil)
			var args []string
			for i := n - 1; i >= 0; i-- {
				p := filepath.Join(dir, fmt.Sprintf("s%d.csv", i))
				run.write(t, p, ShardSpec{Index: i, Count: n}, nil)
				args = append(args, p)
			}
			merged := filepath.Join(dir, "out", "merged.csv")
			// A stale errors file at the destination must not survive.
			must(t, os.MkdirAll(filepath.Dir(merged), 0o755))
			must(t, os.WriteFile(ErrorsPathFor(merged), []byte("stale"), 0o644))
			_, err := Merge(context.Background(), args, ForFile(merged, ""))
			must(t, err)
			mustEqualFiles(t, merged, whole)
			mustEqualFiles(t, ErrorsPathFor(merged), ErrorsPathFor(whole))
			mustEqualFiles(t, merged+".run.json", whole+".run.json")
		})
	}
}

// TestMergeRejects checks that each way shards can fail to fit together is
// refused with a message naming the shard (and image), and that a refused
// merge writes nothing.
func TestMergeRejects(t *testing.T) {
	run := newFixtureRun(fixtureNames(40))
	type shardEdit struct {
		spec string
		edit func(m *Manifest, names []string) []string
	}
	plain := func(specs ...string) []shardEdit {
		var out []shardEdit
		for _, s := range specs {
			out = append(out, shardEdit{spec: s})
		}
		return out
	}
	tests := []struct {
		name    string
		shards  []shardEdit
		wantErr string
	}{
		{"other model", append(plain("0/3", "1/3"), shardEdit{"2/3", func(m *Manifest, n []string) []string {
			m.ModelSHA256 = strings.Repeat("cd", 32)
			return n
		}}), "model_sha256 (abab"},
		{"other variant", append(plain("0/2"), shardEdit{"1/2", func(m *Manifest, n []string) []string {
			m.Variant = "brightness:factor=1.5"
			return n
		}}), "variant ( vs brightness:factor=1.5)"},
		{"other preprocessing", append(plain("0/2"), shardEdit{"1/2", func(m *Manifest, n []string) []string {
			m.Preprocess.Interpolation = preprocess.Bicubic.String()
			return n
		}}), "preprocess.interpolation (bilinear vs bicubic)"},
		{"other decode policy", append(plain("0/2"), shardEdit{"1/2", func(m *Manifest, n []string) []string {
			m.Decode = preprocess.PolicyStrict
			return n
		}}), "decode (pillow vs strict)"},
		{"other decoding", append(plain("0/2"), shardEdit{"1/2", func(m *Manifest, n []string) []string {
			m.FastDecode = true
			return n
		}}), "fast_decode (false vs true)"},
		{"other image list", append(plain("0/2"), shardEdit{"1/2", func(m *Manifest, n []string) []string {
			m.Images++
			return n
		}}), "images ("},
		{"duplicate shard", plain("0/3", "1/3", "1/3"), "shard 1/3 given twice"},
		{"missing shard", plain("0/4", "3/4"), "missing shard(s) 1/4, 2/4 of 4"},
		{"other shard count", plain("0/2", "1/3"), "split the images differently (2 and 3 shards)"},
		{"unfinished shard", append(plain("0/2"), shardEdit{"1/2", func(m *Manifest, n []string) []string {
			return n[:len(n)-2]
		}}), "holds "},
		{"image of another shard", append(plain("0/2"), shardEdit{"1/2", func(m *Manifest, n []string) []string {
			for _, x := range run.names {
				if ShardOf(x, 2) == 0 {
					return append([]string{x}, n...)[:len(n)]
				}
			}
			return n
		}}), "belongs to shard 0/2, not 1/2"},
		{"out of order", append(plain("0/2"), shardEdit{"1/2", func(m *Manifest, n []string) []string {
			n[0], n[1] = n[1], n[0]
			return n
		}}), "out of file-name order"},
		{"file changed after the run", append(plain("0/2"), shardEdit{"1/2", func(m *Manifest, n []string) []string {
			return append(n[:len(n)-1], "ILSVRC2012_val_99999999.JPEG")
		}}), "changed after the run"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var args []string
			for k, s := range tc.shards {
				sh, err := ParseShard(s.spec)
				must(t, err)
				p := filepath.Join(dir, fmt.Sprintf("s%d.csv", k))
				run.write(t, p, sh, s.edit)
				args = append(args, p)
			}
			merged := filepath.Join(dir, "merged.csv")
			_, err := Merge(context.Background(), args, ForFile(merged, ""))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("merge: %v, want an error with %q", err, tc.wantErr)
			}
			t.Log(err)
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), "merged") || strings.HasPrefix(e.Name(), ".merged") {
					t.Errorf("refused merge left %s", e.Name())
				}
			}
		})
	}
}

// TestMergeRejectsBadFiles covers inputs that are not shard outputs.
func TestMergeRejectsBadFiles(t *testing.T) {
	run := newFixtureRun(fixtureNames(20))
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	run.write(t, a, ShardSpec{Index: 0, Count: 2}, nil)
	run.write(t, b, ShardSpec{Index: 1, Count: 2}, nil)
	torn := filepath.Join(dir, "torn.csv")
	run.write(t, torn, ShardSpec{Index: 1, Count: 2}, nil)
	data, _ := os.ReadFile(torn)
	must(t, os.WriteFile(torn, data[:len(data)-12], 0o644))
	noManifest := filepath.Join(dir, "plain.csv")
	must(t, os.WriteFile(noManifest, data, 0o644))
	otherTopK := filepath.Join(dir, "k.csv")
	run.write(t, otherTopK, ShardSpec{Index: 1, Count: 2}, nil)
	must(t, os.WriteFile(otherTopK, []byte("file_name,predicted_class,predicted_probability\n"), 0o644))
	crlf := filepath.Join(dir, "crlf.csv")
	run.write(t, crlf, ShardSpec{Index: 1, Count: 2}, nil)
	data, _ = os.ReadFile(crlf)
	must(t, os.WriteFile(crlf, bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")), 0o644))
	tests := []struct {
		name    string
		shards  []string
		out     string
		wantErr string
	}{
		{"no shards", nil, filepath.Join(dir, "m.csv"), "no shards"},
		{"missing file", []string{a, filepath.Join(dir, "nope.csv")}, filepath.Join(dir, "m.csv"), "nope.csv"},
		{"no run.json", []string{a, noManifest}, filepath.Join(dir, "m.csv"), "needs the run.json"},
		{"torn last line", []string{a, torn}, filepath.Join(dir, "m.csv"), "torn.csv"},
		{"other header", []string{a, otherTopK}, filepath.Join(dir, "m.csv"), `k.csv:1: header "file_name,predicted_class,predicted_probability"`},
		{"overwrite input", []string{a, b}, b, "would overwrite the input"},
		// The header as read and as wanted differ, in the message too.
		{"CRLF line ends", []string{a, crlf}, filepath.Join(dir, "m.csv"), `,top3_probability\r", want "file_name`},
		{"CRLF line ends, said", []string{a, crlf}, filepath.Join(dir, "m.csv"), "CRLF"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Merge(context.Background(), tc.shards, ForFile(tc.out, ""))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("merge: %v, want an error with %q", err, tc.wantErr)
			}
		})
	}
}

// TestListImagesLimitThenShard checks that the limit is applied before the
// shard: the shards of a limited run are the limited run.
func TestListImagesLimitThenShard(t *testing.T) {
	dir := t.TempDir()
	for _, n := range fixtureNames(30) {
		must(t, os.WriteFile(filepath.Join(dir, n), nil, 0o644))
	}
	whole, list, err := ListImages(dir, Selection{Limit: 17})
	must(t, err)
	if len(whole) != 17 || list.Count != 17 {
		t.Fatalf("%d items, list of %d; want 17", len(whole), list.Count)
	}
	want, _ := FingerprintItems(whole)
	seen := 0
	for i := 0; i < 3; i++ {
		part, plist, err := ListImages(dir, Selection{Limit: 17, Shard: ShardSpec{Index: i, Count: 3}})
		must(t, err)
		if plist != list || plist.Fingerprint != want {
			t.Fatalf("shard %d/3 records list %+v, want %+v", i, plist, list)
		}
		for _, it := range part {
			if it.Name > whole[16].Name {
				t.Fatalf("shard %d/3 has %s, beyond the limit", i, it.Name)
			}
		}
		seen += len(part)
	}
	if seen != 17 {
		t.Fatalf("shards hold %d images, want 17", seen)
	}
}

// FuzzMergeShardFile feeds arbitrary bytes as one shard's predictions: the
// merge must refuse them with an error or, when they happen to be exactly
// that shard's rows, reproduce the unsharded file; never panic.
func FuzzMergeShardFile(f *testing.F) {
	run := newFixtureRun(fixtureNames(12))
	dir := f.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	run.write(f, a, ShardSpec{Index: 0, Count: 2}, nil)
	run.write(f, b, ShardSpec{Index: 1, Count: 2}, nil)
	good, err := os.ReadFile(b)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)-5])
	f.Add([]byte("file_name,predicted_class,predicted_probability,top2_class,top2_probability,top3_class,top3_probability\n\"x,1,0.5,,,,\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		work := t.TempDir()
		wa, wb := filepath.Join(work, "a.csv"), filepath.Join(work, "b.csv")
		for _, c := range []struct{ src, dst string }{{a, wa}, {b, wb}} {
			for _, suffix := range []string{"", ".run.json"} {
				raw, err := os.ReadFile(c.src + suffix)
				must(t, err)
				must(t, os.WriteFile(c.dst+suffix, raw, 0o644))
			}
			if raw, err := os.ReadFile(ErrorsPathFor(c.src)); err == nil {
				must(t, os.WriteFile(ErrorsPathFor(c.dst), raw, 0o644))
			}
		}
		must(t, os.WriteFile(wb, data, 0o644))
		out := filepath.Join(work, "m.csv")
		_, err := Merge(context.Background(), []string{wa, wb}, ForFile(out, ""))
		if err != nil {
			mustNotExist(t, out)
			return
		}
		if !bytes.Equal(data, good) {
			got, _ := os.ReadFile(out)
			if !strings.HasPrefix(string(got), csvLine(predictions.Header(3))) {
				t.Fatalf("merged output lacks the header: %q", got)
			}
		}
	})
}
