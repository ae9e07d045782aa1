package main

import (
	"bufio"
	"bytes"
	"container/heap"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/internal/atomicfile"
	"github.com/imagenetx/imagenetx/predictions"
)

// runMerge is `imagenetx merge`: the outputs of the shards of one run
// (`run --shard i/n` or `audit --shard i/n`) put back together. It checks
// from the shards' run.json that they come from one model, preprocessing,
// variant and image list and are the n different shards of it, streams
// their predictions (and errors) into one file in file-name order, and
// proves with the image list's fingerprint that every image is covered
// exactly once. The result is what one unsharded run writes, byte for byte,
// written atomically; nothing is written when a check fails.
func runMerge(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: imagenetx merge SHARD... -o preds.csv\n\n"+
			"SHARD is a predictions CSV of `run --shard` (with FILE.run.json and FILE.errors.csv beside it)\n"+
			"or an output folder of `audit --shard` (predictions.csv, errors.csv, run.json).")
		fs.PrintDefaults()
	}
	out := fs.String("o", "", "merged predictions CSV `FILE` (also writes FILE.run.json and, when images failed, the errors file)")
	errorsPath := fs.String("errors", "", "merged errors CSV `FILE` (default: FILE with .errors.csv)")
	inputs, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *out == "" || len(inputs) == 0 {
		fs.Usage()
		return errors.New("want SHARD files and -o FILE")
	}
	o := outputs{preds: *out, errors: *errorsPath, manifest: *out + ".run.json"}
	if o.errors == "" {
		o.errors = engine.ErrorsPathFor(*out)
	}
	res, err := mergeShards(ctx, inputs, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "merged %d shards: %d images (%d predicted, %d failed), image list %s… -> %s\n",
		res.shards, res.images, res.images-res.failed, res.failed, res.fingerprint[:12], o.preds)
	if res.failed > 0 {
		return fmt.Errorf("%w: %d of %d images failed (see %s)", errIncomplete, res.failed, res.images, o.errors)
	}
	return nil
}

// parseInterspersed parses flags that may come after the positional
// arguments too (`merge a.csv b.csv -o out.csv`), returning the positional
// ones; "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// shardFiles are one shard's output files and its manifest.
type shardFiles struct {
	outputs
	m manifest
}

// label names a shard in messages: "shard 1/3 (out/p.1.csv)".
func (s *shardFiles) label() string {
	return fmt.Sprintf("shard %s (%s)", s.m.Shard, s.preds)
}

// shardFilesOf finds a shard's files: arg is a run's predictions CSV or an
// audit's output folder.
func shardFilesOf(arg string) (*shardFiles, error) {
	st, err := os.Stat(arg)
	if err != nil {
		return nil, err
	}
	s := &shardFiles{outputs: outputs{preds: arg, errors: engine.ErrorsPathFor(arg), manifest: arg + ".run.json"}}
	if st.IsDir() {
		s.outputs = outputs{
			preds:    filepath.Join(arg, "predictions.csv"),
			errors:   filepath.Join(arg, "errors.csv"),
			manifest: filepath.Join(arg, "run.json"),
		}
	}
	if s.m, err = readManifest(s.manifest); err != nil {
		return nil, fmt.Errorf("%s: %w (merge needs the run.json that run/audit writes beside the predictions)", arg, err)
	}
	if s.m.ImagesSHA256 == "" || s.m.Shard.Count == 0 {
		return nil, fmt.Errorf("%s: has no image list record (made by an older imagenetx?); run the shard again", s.manifest)
	}
	if err := s.m.Shard.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", s.manifest, err)
	}
	return s, nil
}

// mergeResult summarises a merge.
type mergeResult struct {
	shards, images, failed int
	fingerprint            string
}

// mergeShards checks the shards named by args and writes their merge to o.
func mergeShards(ctx context.Context, args []string, o outputs) (mergeResult, error) {
	shards := make([]*shardFiles, len(args))
	for i, a := range args {
		s, err := shardFilesOf(a)
		if err != nil {
			return mergeResult{}, err
		}
		shards[i] = s
	}
	merged, err := checkShardSet(shards)
	if err != nil {
		return mergeResult{}, err
	}
	for _, s := range shards {
		if sameFile(s.preds, o.preds) || sameFile(s.errors, o.errors) {
			return mergeResult{}, fmt.Errorf("-o %s would overwrite the input %s", o.preds, s.label())
		}
	}
	return writeMerge(ctx, shards, merged, o)
}

func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// checkShardSet requires the shards to share every setting and to be
// exactly the shards 0..n-1 of one n; it returns the manifest of the
// merged (whole) output.
func checkShardSet(shards []*shardFiles) (manifest, error) {
	first := shards[0]
	common := settingsOf(first.m)
	for _, s := range shards[1:] {
		cur := settingsOf(s.m)
		if common.OutputKind == engine.OutputAuto.String() {
			common.OutputKind = cur.OutputKind // a shard that predicted nothing never decided
		} else if cur.OutputKind == engine.OutputAuto.String() {
			cur.OutputKind = common.OutputKind
		}
		if cur != common {
			return manifest{}, fmt.Errorf("%s and %s come from different runs: %s differ",
				first.label(), s.label(), strings.Join(manifestDiff(common, cur), ", "))
		}
	}
	n := first.m.Shard.Count
	byIndex := make([]*shardFiles, n)
	for _, s := range shards {
		if s.m.Shard.Count != n {
			return manifest{}, fmt.Errorf("%s and %s split the images differently (%d and %d shards)", first.label(), s.label(), n, s.m.Shard.Count)
		}
		if prev := byIndex[s.m.Shard.Index]; prev != nil {
			return manifest{}, fmt.Errorf("shard %s given twice: %s and %s", s.m.Shard, prev.preds, s.preds)
		}
		byIndex[s.m.Shard.Index] = s
	}
	var missing []string
	for i, s := range byIndex {
		if s == nil {
			missing = append(missing, engine.ShardSpec{Index: i, Count: n}.String())
		}
	}
	if len(missing) > 0 {
		return manifest{}, fmt.Errorf("missing shard(s) %s of %d: every shard 0..%d is needed", strings.Join(missing, ", "), n, n-1)
	}
	common.Shard, common.ShardImages = engine.Whole, common.Images
	return common, nil
}

// settingsOf is m without what differs between the shards of one run.
func settingsOf(m manifest) manifest {
	m.Shard, m.ShardImages = engine.ShardSpec{}, 0
	return m
}

// manifestDiff names the run.json fields in which a and b differ, with
// their values.
func manifestDiff(a, b manifest) []string {
	va, vb, t := reflect.ValueOf(a), reflect.ValueOf(b), reflect.TypeOf(a)
	var out []string
	for i := 0; i < t.NumField(); i++ {
		x, y := va.Field(i).Interface(), vb.Field(i).Interface()
		if !reflect.DeepEqual(x, y) {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			out = append(out, fmt.Sprintf("%s (%v vs %v)", name, x, y))
		}
	}
	return out
}

// writeMerge streams the shards' rows, in file-name order, into temporary
// output files and puts them in place once every check has passed.
func writeMerge(ctx context.Context, shards []*shardFiles, m manifest, o outputs) (mergeResult, error) {
	streams, err := openShardStreams(shards, m.TopK)
	defer func() {
		for _, s := range streams {
			s.close()
		}
	}()
	if err != nil {
		return mergeResult{}, err
	}
	w, err := newMergeWriter(o, m.TopK)
	if err != nil {
		return mergeResult{}, err
	}
	defer w.abort()
	res, err := mergeStreams(ctx, streams, w)
	if err != nil {
		return res, err
	}
	if err := checkCoverage(shards, streams, m, res); err != nil {
		return res, err
	}
	res.shards = len(shards)
	return res, w.commit(m)
}

// mergeStreams pops rows in file-name order, refusing an image seen twice,
// and fingerprints the names.
func mergeStreams(ctx context.Context, streams []*rowStream, w *mergeWriter) (mergeResult, error) {
	h := &streamHeap{}
	for _, s := range streams {
		if err := s.advance(); err != nil {
			return mergeResult{}, err
		}
		if !s.done {
			heap.Push(h, s)
		}
	}
	fp := engine.NewListFingerprint()
	var lastName, lastWhere string
	var res mergeResult
	for h.Len() > 0 {
		if fp.Len()%4096 == 0 && ctx.Err() != nil {
			return res, ctx.Err()
		}
		s := (*h)[0]
		if fp.Len() > 0 && s.name == lastName {
			return res, fmt.Errorf("image %s is in both %s and %s", s.name, lastWhere, s.where())
		}
		if err := fp.Add(s.name); err != nil {
			return res, err
		}
		if err := w.put(s); err != nil {
			return res, err
		}
		if s.isErr {
			res.failed++
		}
		lastName, lastWhere = s.name, s.where()
		s.count++
		if err := s.advance(); err != nil {
			return res, err
		}
		if s.done {
			heap.Pop(h)
		} else {
			heap.Fix(h, 0)
		}
	}
	res.images, res.fingerprint = fp.Len(), fp.Sum()
	return res, nil
}

// checkCoverage compares what each shard holds with what its run.json says
// it should, then the union with the whole image list.
func checkCoverage(shards []*shardFiles, streams []*rowStream, m manifest, res mergeResult) error {
	rows := map[*shardFiles]int{}
	for _, s := range streams {
		rows[s.shard] += s.count
	}
	for _, s := range shards {
		if got := rows[s]; got != s.m.ShardImages {
			return fmt.Errorf("%s holds %d of its %d images: it did not finish; run that shard again with --resume", s.label(), got, s.m.ShardImages)
		}
	}
	if res.images != m.Images || res.fingerprint != m.ImagesSHA256 {
		return fmt.Errorf("the shards hold %d images (list sha256 %s), but their run covered %d (sha256 %s): the shards' files were changed after the run",
			res.images, res.fingerprint, m.Images, m.ImagesSHA256)
	}
	return nil
}

// rowStream reads one shard file's rows: predictions (validated by the
// predictions package) or errors.
type rowStream struct {
	shard *shardFiles
	path  string
	isErr bool
	f     *os.File
	preds *predictions.Reader
	errs  *csv.Reader
	// the current row
	name  string
	line  int
	pred  predictions.Prediction
	rec   []string
	done  bool
	count int
}

// openShardStreams opens every shard's predictions file and, where there
// is one, its errors file.
func openShardStreams(shards []*shardFiles, topk int) ([]*rowStream, error) {
	var streams []*rowStream
	for _, sh := range shards {
		s, err := openPredStream(sh, topk)
		if err != nil {
			return streams, err
		}
		streams = append(streams, s)
		e, err := openErrorStream(sh)
		if err != nil {
			return streams, err
		}
		if e != nil {
			streams = append(streams, e)
		}
	}
	return streams, nil
}

func openPredStream(sh *shardFiles, topk int) (*rowStream, error) {
	f, err := os.Open(sh.preds)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sh.label(), err)
	}
	s := &rowStream{shard: sh, path: sh.preds, f: f}
	br := bufio.NewReader(f)
	if err := expectHeader(br, sh.preds, predictions.Header(topk)); err != nil {
		f.Close()
		return nil, err
	}
	s.preds, err = predictions.NewReader(io.MultiReader(strings.NewReader(csvLine(predictions.Header(topk))), br), sh.preds)
	if err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

func openErrorStream(sh *shardFiles) (*rowStream, error) {
	f, err := os.Open(sh.errors)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil // a run without failures makes no errors file
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sh.label(), err)
	}
	br := bufio.NewReader(f)
	if err := expectHeader(br, sh.errors, engine.ErrorsHeader); err != nil {
		f.Close()
		return nil, err
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = len(engine.ErrorsHeader)
	return &rowStream{shard: sh, path: sh.errors, isErr: true, f: f, errs: cr}, nil
}

// csvLine is header as the CSV writer writes it.
func csvLine(header []string) string {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write(header)
	cw.Flush()
	return b.String()
}

// expectHeader reads the first line and requires it to be exactly header.
func expectHeader(br *bufio.Reader, path string, header []string) error {
	line, err := br.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return fmt.Errorf("%s: no header line: %w", path, err)
	}
	if want := csvLine(header); line != want {
		return fmt.Errorf("%s:1: header %q, want %q (not this run's output, or another --topk)", path, strings.TrimSpace(line), strings.TrimSpace(want))
	}
	return nil
}

// advance reads the next row, checking that it is in file-name order and
// belongs to this stream's shard.
func (s *rowStream) advance() error {
	prev := s.name
	var err error
	if s.isErr {
		err = s.nextError()
	} else {
		err = s.nextPrediction()
	}
	if errors.Is(err, io.EOF) {
		s.done = true
		return nil
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w (a shard stopped part-way? run it again with --resume)", s.shard.label(), err)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", s.shard.label(), err)
	}
	if s.count > 0 && s.name <= prev {
		return fmt.Errorf("%s: %s is out of file-name order (after %s)", s.where(), s.name, prev)
	}
	if sh := s.shard.m.Shard; !sh.Owns(s.name) {
		return fmt.Errorf("%s: image %s belongs to shard %d/%d, not %s", s.where(), s.name, engine.ShardOf(s.name, sh.Count), sh.Count, sh)
	}
	return nil
}

func (s *rowStream) nextPrediction() error {
	p, err := s.preds.Read()
	if err != nil {
		return err
	}
	s.pred, s.name, s.line = p, p.FileName, s.preds.Line()
	return nil
}

func (s *rowStream) nextError() error {
	rec, err := s.errs.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return err
		}
		return fmt.Errorf("%s: %w", s.path, err)
	}
	s.line, _ = s.errs.FieldPos(0)
	if rec[0] == "" || rec[1] == "" {
		return fmt.Errorf("%s:%d: empty file_name or stage", s.path, s.line)
	}
	s.rec, s.name = rec, rec[0]
	return nil
}

// where is the current row's place: "path:line".
func (s *rowStream) where() string { return fmt.Sprintf("%s:%d", s.path, s.line) }

func (s *rowStream) close() { s.f.Close() }

// streamHeap orders streams by their current row's file name.
type streamHeap []*rowStream

func (h streamHeap) Len() int           { return len(h) }
func (h streamHeap) Less(i, j int) bool { return h[i].name < h[j].name }
func (h streamHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *streamHeap) Push(x any)        { *h = append(*h, x.(*rowStream)) }
func (h *streamHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// mergeWriter writes the merged files under temporary names; the errors
// file is only made when a row needs it, as a single run does.
type mergeWriter struct {
	o     outputs
	topk  int
	preds *atomicfile.File
	pbw   *bufio.Writer
	pw    *predictions.Writer
	errs  *atomicfile.File
	ebw   *bufio.Writer
	ew    *csv.Writer
}

func newMergeWriter(o outputs, topk int) (*mergeWriter, error) {
	if err := os.MkdirAll(filepath.Dir(o.preds), 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	f, err := atomicfile.Create(o.preds)
	if err != nil {
		return nil, err
	}
	w := &mergeWriter{o: o, topk: topk, preds: f, pbw: bufio.NewWriter(f)}
	if w.pw, err = predictions.NewWriter(w.pbw, topk); err != nil {
		f.Abort()
		return nil, fmt.Errorf("write %s: %w", o.preds, err)
	}
	return w, nil
}

func (w *mergeWriter) put(s *rowStream) error {
	if !s.isErr {
		if err := w.pw.Write(s.pred); err != nil {
			return fmt.Errorf("write %s: %w", w.o.preds, err)
		}
		return nil
	}
	if w.errs == nil {
		f, err := atomicfile.Create(w.o.errors)
		if err != nil {
			return err
		}
		w.errs, w.ebw = f, bufio.NewWriter(f)
		w.ew = csv.NewWriter(w.ebw)
		w.ew.Write(engine.ErrorsHeader)
	}
	if err := w.ew.Write(s.rec); err != nil {
		return fmt.Errorf("write %s: %w", w.o.errors, err)
	}
	return nil
}

// commit flushes and puts the files in place: predictions, errors (or the
// removal of a stale errors file), then run.json.
func (w *mergeWriter) commit(m manifest) error {
	if err := w.pw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", w.o.preds, err)
	}
	if err := w.pbw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", w.o.preds, err)
	}
	if err := w.preds.Commit(); err != nil {
		return err
	}
	if w.errs == nil {
		if err := os.Remove(w.o.errors); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove stale %s: %w", w.o.errors, err)
		}
	} else {
		w.ew.Flush()
		if err := errors.Join(w.ew.Error(), w.ebw.Flush()); err != nil {
			return fmt.Errorf("write %s: %w", w.o.errors, err)
		}
		if err := w.errs.Commit(); err != nil {
			return err
		}
	}
	return writeManifest(w.o.manifest, m)
}

// abort discards whatever was not committed.
func (w *mergeWriter) abort() {
	w.preds.Abort()
	if w.errs != nil {
		w.errs.Abort()
	}
}
