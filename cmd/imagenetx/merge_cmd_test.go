package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/predictions"
	"github.com/imagenetx/imagenetx/preprocess"
)

// builtBinary is the imagenetx binary the tests run as separate processes,
// built once on first use into a folder TestMain removes.
var builtBinary struct {
	once      sync.Once
	dir, path string
	err       error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBinary.dir != "" {
		os.RemoveAll(builtBinary.dir)
	}
	os.Exit(code)
}

// imagenetxBinary builds this package into a temporary folder (once).
func imagenetxBinary(t *testing.T) string {
	t.Helper()
	b := &builtBinary
	b.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		if b.dir, b.err = os.MkdirTemp("", "imagenetx-bin-"); b.err != nil {
			return
		}
		b.path = filepath.Join(b.dir, "imagenetx")
		out, err := exec.Command(goTool, "build", "-o", b.path, ".").CombinedOutput()
		if err != nil {
			b.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// runProcesses runs the binary once per argument list, concurrently, and
// returns each process's exit error and stderr.
func runProcesses(t *testing.T, argLists [][]string) ([]error, []string) {
	t.Helper()
	bin := imagenetxBinary(t)
	errs, stderr := make([]error, len(argLists)), make([]string, len(argLists))
	var wg sync.WaitGroup
	for i, args := range argLists {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			cmd := exec.Command(bin, args...)
			cmd.Stderr = &buf
			errs[i], stderr[i] = cmd.Run(), buf.String()
		}()
	}
	wg.Wait()
	return errs, stderr
}

func mustEqualFiles(t *testing.T, got, want string) {
	t.Helper()
	g, err1 := os.ReadFile(got)
	w, err2 := os.ReadFile(want)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g, w) {
		t.Fatalf("%s (%d bytes) differs from %s (%d bytes)", got, len(g), want, len(w))
	}
}

func mustNotExist(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s exists (%v)", path, err)
	}
}

// realRunArgs are the arguments of a small real run writing to out.
func realRunArgs(t *testing.T, images, out string, extra ...string) []string {
	t.Helper()
	lib := ortLibrary(t)
	model := shareddata.Require(t, "models", "mobilenetv2-12-int8.onnx")
	args := []string{"run", "--images", images, "--model", model, "--ort-lib", lib, "--batch", "8", "--topk", "5",
		"--workers", "1", "--threads", "1", "--quiet", "-o", out}
	return append(args, extra...)
}

// TestMergeOfShardProcessesMatchesSingleRun runs 3 shards of a real model
// as separate processes and checks that their merge is byte-identical to
// one unsharded run: predictions and run.json.
func TestMergeOfShardProcessesMatchesSingleRun(t *testing.T) {
	ortLibrary(t)
	images := shareddata.Require(t, "images", "val_227")
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.csv")
	argLists := [][]string{realRunArgs(t, images, whole, "--limit", "200")}
	var shards []string
	for i := 0; i < 3; i++ {
		p := filepath.Join(dir, fmt.Sprintf("shard%d", i), "preds.csv")
		shards = append(shards, p)
		argLists = append(argLists, realRunArgs(t, images, p, "--limit", "200", "--shard", fmt.Sprintf("%d/3", i)))
	}
	errs, stderr := runProcesses(t, argLists)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("process %d (%q): %v\n%s", i, argLists[i], err, stderr[i])
		}
	}
	total := 0
	for i, p := range shards {
		n := len(readLines(t, p)) - 1
		if n < 40 || n > 95 {
			t.Errorf("shard %d/3 has %d of 200 images", i, n)
		}
		total += n
		if !strings.Contains(stderr[i+1], fmt.Sprintf("(shard %d/3 of 200)", i)) || !strings.Contains(stderr[i+1], "busy: preprocessing workers") {
			t.Errorf("shard %d summary:\n%s", i, stderr[i+1])
		}
	}
	if total != 200 {
		t.Fatalf("shards hold %d images, want 200", total)
	}
	merged := filepath.Join(dir, "merged", "preds.csv")
	// Shards in any order on the command line.
	if err := runMerge(context.Background(), []string{shards[2], shards[0], shards[1], "-o", merged}); err != nil {
		t.Fatal(err)
	}
	mustEqualFiles(t, merged, whole)
	mustEqualFiles(t, merged+".run.json", whole+".run.json")
	mustNotExist(t, engine.ErrorsPathFor(merged))
}

// TestMergeCarriesErrorsFiles shards a folder with broken images and checks
// that the merged predictions and errors files equal an unsharded run's.
func TestMergeCarriesErrorsFiles(t *testing.T) {
	ortLibrary(t)
	src := shareddata.Require(t, "images", "val_227")
	images := t.TempDir()
	data, err := os.ReadFile(filepath.Join(src, "ILSVRC2012_val_00000347.JPEG"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 16; i++ {
		body := data
		switch i % 5 {
		case 0:
			body = data[:len(data)/3] // truncated
		case 3:
			body = []byte("not an image")
		}
		name := fmt.Sprintf("ILSVRC2012_val_%08d.JPEG", i)
		if err := os.WriteFile(filepath.Join(images, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.csv")
	argLists := [][]string{realRunArgs(t, images, whole)}
	var shards []string
	for i := 0; i < 2; i++ {
		p := filepath.Join(dir, fmt.Sprintf("p%d.csv", i))
		shards = append(shards, p)
		argLists = append(argLists, realRunArgs(t, images, p, "--shard", fmt.Sprintf("%d/2", i)))
	}
	errs, stderr := runProcesses(t, argLists)
	for i, err := range errs {
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 3 {
			t.Fatalf("process %d: %v, want exit status 3 (incomplete)\n%s", i, err, stderr[i])
		}
	}
	merged := filepath.Join(dir, "merged.csv")
	err = runMerge(context.Background(), []string{shards[0], shards[1], "-o", merged})
	if !errors.Is(err, errIncomplete) || !strings.Contains(err.Error(), "6 of 16 images failed") {
		t.Fatalf("merge: %v, want incomplete with 6 of 16 failed", err)
	}
	mustEqualFiles(t, merged, whole)
	mustEqualFiles(t, engine.ErrorsPathFor(merged), engine.ErrorsPathFor(whole))
	mustEqualFiles(t, merged+".run.json", whole+".run.json")
}

// fixtureRun writes the output files of the shards of a run over names, as
// `run` would: some images failed, the rest predicted with made-up scores.
type fixtureRun struct {
	names []string
	m     manifest
}

func newFixtureRun(names []string) fixtureRun {
	items := make([]engine.Item, len(names))
	for i, n := range names {
		items[i] = engine.Item{Index: i, Name: n}
	}
	fp, err := engine.FingerprintItems(items)
	if err != nil {
		panic(err)
	}
	return fixtureRun{names: names, m: manifest{
		Model: "fixture", ModelSHA256: strings.Repeat("ab", 32), Preprocess: preprocess.DefaultConfig(),
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
func (r fixtureRun) write(t testing.TB, preds string, sh engine.ShardSpec, edit func(m *manifest, names []string) []string) {
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
	eb.WriteString(csvLine(engine.ErrorsHeader))
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
		must(t, os.WriteFile(engine.ErrorsPathFor(preds), eb.Bytes(), 0o644))
	}
	must(t, writeManifest(preds+".run.json", m))
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
			run.write(t, whole, engine.Whole, nil)
			var args []string
			for i := n - 1; i >= 0; i-- {
				p := filepath.Join(dir, fmt.Sprintf("s%d.csv", i))
				run.write(t, p, engine.ShardSpec{Index: i, Count: n}, nil)
				args = append(args, p)
			}
			merged := filepath.Join(dir, "out", "merged.csv")
			// A stale errors file at the destination must not survive.
			must(t, os.MkdirAll(filepath.Dir(merged), 0o755))
			must(t, os.WriteFile(engine.ErrorsPathFor(merged), []byte("stale"), 0o644))
			_, err := mergeShards(context.Background(), args, outputs{merged, engine.ErrorsPathFor(merged), merged + ".run.json"})
			must(t, err)
			mustEqualFiles(t, merged, whole)
			mustEqualFiles(t, engine.ErrorsPathFor(merged), engine.ErrorsPathFor(whole))
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
		edit func(m *manifest, names []string) []string
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
		{"other model", append(plain("0/3", "1/3"), shardEdit{"2/3", func(m *manifest, n []string) []string {
			m.ModelSHA256 = strings.Repeat("cd", 32)
			return n
		}}), "model_sha256 (abab"},
		{"other variant", append(plain("0/2"), shardEdit{"1/2", func(m *manifest, n []string) []string {
			m.Variant = "brightness:factor=1.5"
			return n
		}}), "variant ( vs brightness:factor=1.5)"},
		{"other preprocessing", append(plain("0/2"), shardEdit{"1/2", func(m *manifest, n []string) []string {
			m.Preprocess.Interpolation = preprocess.Bicubic
			return n
		}}), "preprocess ("},
		{"other decode policy", append(plain("0/2"), shardEdit{"1/2", func(m *manifest, n []string) []string {
			m.Decode = preprocess.PolicyStrict
			return n
		}}), "decode (pillow vs strict)"},
		{"other image list", append(plain("0/2"), shardEdit{"1/2", func(m *manifest, n []string) []string {
			m.Images++
			return n
		}}), "images ("},
		{"duplicate shard", plain("0/3", "1/3", "1/3"), "shard 1/3 given twice"},
		{"missing shard", plain("0/4", "3/4"), "missing shard(s) 1/4, 2/4 of 4"},
		{"other shard count", plain("0/2", "1/3"), "split the images differently (2 and 3 shards)"},
		{"unfinished shard", append(plain("0/2"), shardEdit{"1/2", func(m *manifest, n []string) []string {
			return n[:len(n)-2]
		}}), "holds "},
		{"image of another shard", append(plain("0/2"), shardEdit{"1/2", func(m *manifest, n []string) []string {
			for _, x := range run.names {
				if engine.ShardOf(x, 2) == 0 {
					return append([]string{x}, n...)[:len(n)]
				}
			}
			return n
		}}), "belongs to shard 0/2, not 1/2"},
		{"out of order", append(plain("0/2"), shardEdit{"1/2", func(m *manifest, n []string) []string {
			n[0], n[1] = n[1], n[0]
			return n
		}}), "out of file-name order"},
		{"file changed after the run", append(plain("0/2"), shardEdit{"1/2", func(m *manifest, n []string) []string {
			return append(n[:len(n)-1], "ILSVRC2012_val_99999999.JPEG")
		}}), "changed after the run"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var args []string
			for k, s := range tc.shards {
				sh, err := engine.ParseShard(s.spec)
				must(t, err)
				p := filepath.Join(dir, fmt.Sprintf("s%d.csv", k))
				run.write(t, p, sh, s.edit)
				args = append(args, p)
			}
			merged := filepath.Join(dir, "merged.csv")
			err := runMerge(context.Background(), append(args, "-o", merged))
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
	run.write(t, a, engine.ShardSpec{Index: 0, Count: 2}, nil)
	run.write(t, b, engine.ShardSpec{Index: 1, Count: 2}, nil)
	torn := filepath.Join(dir, "torn.csv")
	run.write(t, torn, engine.ShardSpec{Index: 1, Count: 2}, nil)
	data, _ := os.ReadFile(torn)
	must(t, os.WriteFile(torn, data[:len(data)-12], 0o644))
	noManifest := filepath.Join(dir, "plain.csv")
	must(t, os.WriteFile(noManifest, data, 0o644))
	otherTopK := filepath.Join(dir, "k.csv")
	run.write(t, otherTopK, engine.ShardSpec{Index: 1, Count: 2}, nil)
	must(t, os.WriteFile(otherTopK, []byte("file_name,predicted_class,predicted_probability\n"), 0o644))
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no output", []string{a, b}, "-o FILE"},
		{"no shards", []string{"-o", filepath.Join(dir, "m.csv")}, "want SHARD"},
		{"missing file", []string{a, filepath.Join(dir, "nope.csv"), "-o", filepath.Join(dir, "m.csv")}, "nope.csv"},
		{"no run.json", []string{a, noManifest, "-o", filepath.Join(dir, "m.csv")}, "needs the run.json"},
		{"torn last line", []string{a, torn, "-o", filepath.Join(dir, "m.csv")}, "torn.csv"},
		{"other header", []string{a, otherTopK, "-o", filepath.Join(dir, "m.csv")}, `k.csv:1: header "file_name,predicted_class,predicted_probability"`},
		{"overwrite input", []string{a, b, "-o", b}, "would overwrite the input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := runMerge(context.Background(), tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("merge: %v, want an error with %q", err, tc.wantErr)
			}
		})
	}
}

// TestListJobImagesLimitThenShard checks that --limit is applied before
// --shard: the shards of a limited run are the limited run.
func TestListJobImagesLimitThenShard(t *testing.T) {
	dir := t.TempDir()
	for _, n := range fixtureNames(30) {
		must(t, os.WriteFile(filepath.Join(dir, n), nil, 0o644))
	}
	whole, list, err := listJobImages(&runFlags{images: dir, limit: 17})
	must(t, err)
	if len(whole) != 17 || list.count != 17 {
		t.Fatalf("%d items, list of %d; want 17", len(whole), list.count)
	}
	want, _ := engine.FingerprintItems(whole)
	seen := 0
	for i := 0; i < 3; i++ {
		part, plist, err := listJobImages(&runFlags{images: dir, limit: 17, shard: engine.ShardSpec{Index: i, Count: 3}})
		must(t, err)
		if plist != list || plist.fingerprint != want {
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

func TestUtilisation(t *testing.T) {
	st := engine.Stats{PrepareTime: 3e9, InferTime: 1e9}
	st.Elapsed, st.Done = 2e9, 100
	u, ok := utilisationOf(st, engine.Config{Workers: 2, Runners: 1})
	if !ok {
		t.Fatal("no utilisation")
	}
	if u.prep != 0.75 || u.infer != 0.5 {
		t.Fatalf("prep %v infer %v, want 0.75 and 0.5", u.prep, u.infer)
	}
	if got, want := u.String(), "busy: preprocessing workers 75% (2 workers, 30ms per image each), inference 50% (1 runner)"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
	if _, ok := utilisationOf(engine.Stats{}, engine.Config{}); ok {
		t.Fatal("utilisation of an empty run")
	}
}

// TestMergeAuditShardFolders merges the output folders of `audit --shard`
// and compares with an unsharded audit's predictions and run.json.
func TestMergeAuditShardFolders(t *testing.T) {
	ortLibrary(t)
	images := shareddata.Require(t, "images", "val_227")
	ds := &datasetFlags{dir: shareddata.Require(t, "annotations"), factors: "top", partition: "val"}
	dir := t.TempDir()
	auditTo := func(out string, sh engine.ShardSpec) {
		f := &runFlags{model: "mobilenetv2-12-int8", images: images, device: "cpu", output: "auto", topk: 1, runners: 1,
			limit: 90, quiet: true, pre: modelFlags{resize: -1}, shard: sh}
		if err := audit(context.Background(), f, ds, out, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	auditTo(filepath.Join(dir, "whole"), engine.Whole)
	auditTo(filepath.Join(dir, "s0"), engine.ShardSpec{Index: 0, Count: 2})
	auditTo(filepath.Join(dir, "s1"), engine.ShardSpec{Index: 1, Count: 2})
	merged := filepath.Join(dir, "merged.csv")
	must(t, runMerge(context.Background(), []string{"-o", merged, filepath.Join(dir, "s1"), filepath.Join(dir, "s0")}))
	mustEqualFiles(t, merged, filepath.Join(dir, "whole", "predictions.csv"))
	mustEqualFiles(t, merged+".run.json", filepath.Join(dir, "whole", "run.json"))
}

// FuzzMergeShardFile feeds arbitrary bytes as one shard's predictions: the
// merge must refuse them with an error or, when they happen to be exactly
// that shard's rows, reproduce the unsharded file; never panic.
func FuzzMergeShardFile(f *testing.F) {
	run := newFixtureRun(fixtureNames(12))
	dir := f.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	run.write(f, a, engine.ShardSpec{Index: 0, Count: 2}, nil)
	run.write(f, b, engine.ShardSpec{Index: 1, Count: 2}, nil)
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
			if raw, err := os.ReadFile(engine.ErrorsPathFor(c.src)); err == nil {
				must(t, os.WriteFile(engine.ErrorsPathFor(c.dst), raw, 0o644))
			}
		}
		must(t, os.WriteFile(wb, data, 0o644))
		out := filepath.Join(work, "m.csv")
		_, err := mergeShards(context.Background(), []string{wa, wb}, outputs{out, engine.ErrorsPathFor(out), out + ".run.json"})
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
