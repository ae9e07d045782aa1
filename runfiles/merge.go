package runfiles

import (
	"bufio"
	"bytes"
	"container/heap"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/internal/atomicfile"
	"github.com/imagenetx/imagenetx/internal/clip"
	"github.com/imagenetx/imagenetx/predictions"
)

// shardFiles are one shard's output files and its manifest.
type shardFiles struct {
	Outputs
	m Manifest
}

// label names a shard in messages: "shard 1/3 (out/p.1.csv)".
func (s *shardFiles) label() string {
	return fmt.Sprintf("shard %s (%s)", s.m.Shard, s.Predictions)
}

// OutputsOf lays out the files of a finished run named by path: a
// predictions file (ForFile) or an output folder that holds one model's
// run (ModelsIn).
func OutputsOf(path string) (Outputs, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Outputs{}, err
	}
	if st.IsDir() {
		models, err := ModelsIn(path)
		if err != nil {
			return Outputs{}, err
		}
		if len(models) > 1 {
			return Outputs{}, fmt.Errorf("%s holds the runs of %d models (%s): name one model's predictions file, or merge whole folders into a folder",
				path, len(models), strings.Join(modelNames(models), ", "))
		}
		return models[0].Outputs, nil
	}
	if !st.Mode().IsRegular() {
		return Outputs{}, fmt.Errorf("%s: is a %v, not a predictions file or an output folder", path, st.Mode().Type())
	}
	return ForFile(path, ""), nil
}

// ModelRun is one model's run in an output folder.
type ModelRun struct {
	// Name is the model's name (its files are named after it).
	Name string
	Outputs
}

// ModelsIn finds the runs an output folder holds, by model name: each
// NAME.predictions.csv (ForModel), in name order, or else the
// predictions.csv of a folder written before files were named after the
// model (ForDir, named by its run.json). A folder with neither is an
// error.
func ModelsIn(dir string) ([]ModelRun, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*"+predictions.FileSuffix))
	if err != nil {
		return nil, err
	}
	var out []ModelRun
	for _, f := range predictions.NamedFiles(files) { // Glob sorts by name
		out = append(out, ModelRun{Name: predictions.ModelName(f), Outputs: ForFile(f, "")})
	}
	if len(out) > 0 {
		return out, nil
	}
	old := ForDir(dir)
	if _, err := os.Stat(old.Predictions); err != nil {
		return nil, fmt.Errorf("%s: no NAME%s (nor an older audit's %s): not an output folder of imagenetx", dir, predictions.FileSuffix, PredictionsFile)
	}
	name := predictions.ModelName(old.Predictions)
	if m, err := ReadManifest(old.Manifest); err == nil && m.Model != "" {
		name = m.Model
	}
	return []ModelRun{{Name: name, Outputs: old}}, nil
}

func modelNames(runs []ModelRun) []string {
	names := make([]string, len(runs))
	for i, r := range runs {
		names[i] = r.Name
	}
	return names
}

// MergeFolders merges the output folders of the shards of one run of one
// or several models (an audit's, each model's files named after it) into
// the folder outDir: for each model, what Merge writes, as
// ForModel(outDir, name). Every shard's folder must hold the same models;
// each model's shards are checked as Merge checks them, all before
// anything is written.
func MergeFolders(ctx context.Context, dirs []string, outDir string) ([]MergeResult, error) {
	if len(dirs) == 0 {
		return nil, errors.New("merge: no shards given")
	}
	var names []string // the first shard's, which every other must hold
	byName := map[string][]*shardFiles{}
	for i, d := range dirs {
		runs, err := ModelsIn(d)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			names = modelNames(runs)
		} else if got := modelNames(runs); !slices.Equal(got, names) {
			return nil, fmt.Errorf("%s holds the models %s and %s the models %s: shards of one run hold the same models",
				dirs[0], strings.Join(names, ", "), d, strings.Join(got, ", "))
		}
		for _, r := range runs {
			s, err := readShardFiles(r.Predictions, r.Outputs)
			if err != nil {
				return nil, err
			}
			byName[r.Name] = append(byName[r.Name], s)
		}
	}
	merged := make([]Manifest, len(names))
	for i, name := range names {
		var err error
		if merged[i], err = checkShardSet(byName[name]); err != nil {
			return nil, fmt.Errorf("model %s: %w", name, err)
		}
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	var out []MergeResult
	for i, name := range names {
		res, err := mergeChecked(ctx, byName[name], merged[i], ForModel(outDir, name))
		if err != nil {
			return out, fmt.Errorf("model %s: %w", name, err)
		}
		res.Model = name
		out = append(out, res)
	}
	return out, nil
}

// shardFilesOf finds a shard's files: arg is a run's predictions CSV or an
// audit's output folder.
func shardFilesOf(arg string) (*shardFiles, error) {
	o, err := OutputsOf(arg)
	if err != nil {
		return nil, err
	}
	return readShardFiles(arg, o)
}

// readShardFiles reads the manifest of a shard's outputs o (arg names
// them in errors).
func readShardFiles(arg string, o Outputs) (*shardFiles, error) {
	var err error
	s := &shardFiles{Outputs: o}
	if s.m, err = ReadManifest(s.Manifest); err != nil {
		return nil, fmt.Errorf("%s: %w (merging needs the run.json that a run writes beside its predictions)", arg, err)
	}
	if s.m.ImagesSHA256 == "" || s.m.Shard.Count == 0 {
		return nil, fmt.Errorf("%s: has no image list record (made by an older imagenetx?); run the shard again", s.Manifest)
	}
	if err := s.m.Shard.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", s.Manifest, err)
	}
	return s, nil
}

// MergeResult summarises a merge.
type MergeResult struct {
	// Model is the merged model's name: as its run.json records it ("" for
	// runs made before names were recorded), or with MergeFolders the name
	// its files carry.
	Model string
	// Shards is the number of shards merged; Images the number of images
	// of the whole list, Failed those of them that failed.
	Shards, Images, Failed int
	// Fingerprint is the image list's ListFingerprint.
	Fingerprint string
}

// Merge puts the outputs of the shards of one run (each a predictions file
// or an output folder, see OutputsOf) back together into o. It checks from
// the shards' run.json that they come from one model, preprocessing,
// variant and image list and are the n different shards of it, streams
// their predictions (and errors) into one file in file-name order, and
// proves with the image list's fingerprint that every image is covered
// exactly once. The result is what one unsharded run writes, byte for byte,
// written atomically; nothing is written when a check fails. o is locked
// while it is written (see Lock).
func Merge(ctx context.Context, shardPaths []string, o Outputs) (MergeResult, error) {
	if len(shardPaths) == 0 {
		return MergeResult{}, errors.New("merge: no shards given")
	}
	shards := make([]*shardFiles, len(shardPaths))
	for i, a := range shardPaths {
		s, err := shardFilesOf(a)
		if err != nil {
			return MergeResult{}, err
		}
		shards[i] = s
	}
	merged, err := checkShardSet(shards)
	if err != nil {
		return MergeResult{}, err
	}
	return mergeChecked(ctx, shards, merged, o)
}

// mergeChecked writes the merge of shards, whose set is checked (merged is
// its manifest), into o.
func mergeChecked(ctx context.Context, shards []*shardFiles, merged Manifest, o Outputs) (MergeResult, error) {
	for _, s := range shards {
		if sameFile(s.Predictions, o.Predictions) || sameFile(s.Errors, o.Errors) {
			return MergeResult{}, fmt.Errorf("the merged output %s would overwrite the input %s", o.Predictions, s.label())
		}
	}
	if err := os.MkdirAll(filepath.Dir(o.Predictions), 0o755); err != nil {
		return MergeResult{}, fmt.Errorf("output folder: %w", err)
	}
	lock, err := Lock(o)
	if err != nil {
		return MergeResult{}, err
	}
	defer lock.Unlock()
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
func checkShardSet(shards []*shardFiles) (Manifest, error) {
	first := shards[0]
	common := settingsOf(first.m)
	for _, s := range shards[1:] {
		cur := settingsOf(s.m)
		if common.OutputKind == engine.OutputAuto.String() {
			common.OutputKind = cur.OutputKind // a shard that predicted nothing never decided
		} else if cur.OutputKind == engine.OutputAuto.String() {
			cur.OutputKind = common.OutputKind
		}
		if cs := Diff(common, cur); len(cs) > 0 {
			return Manifest{}, fmt.Errorf("%s and %s come from different runs: %s",
				first.label(), s.label(), joinPairs(cs))
		}
	}
	n := first.m.Shard.Count
	byIndex := make([]*shardFiles, n)
	for _, s := range shards {
		if s.m.Shard.Count != n {
			return Manifest{}, fmt.Errorf("%s and %s split the images differently (%d and %d shards)", first.label(), s.label(), n, s.m.Shard.Count)
		}
		if prev := byIndex[s.m.Shard.Index]; prev != nil {
			return Manifest{}, fmt.Errorf("shard %s given twice: %s and %s", s.m.Shard, prev.Predictions, s.Predictions)
		}
		byIndex[s.m.Shard.Index] = s
	}
	var missing []string
	for i, s := range byIndex {
		if s == nil {
			missing = append(missing, ShardSpec{Index: i, Count: n}.String())
		}
	}
	if len(missing) > 0 {
		return Manifest{}, fmt.Errorf("missing shard(s) %s of %d: every shard 0..%d is needed", strings.Join(missing, ", "), n, n-1)
	}
	common.Shard, common.ShardImages = Whole, common.Images
	return common, nil
}

// settingsOf is m without what differs between the shards of one run.
func settingsOf(m Manifest) Manifest {
	m.Shard, m.ShardImages = ShardSpec{}, 0
	return m
}

// joinPairs renders changes between two shards' manifests:
// "model_sha256 (abc vs def)".
func joinPairs(cs []Change) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = fmt.Sprintf("%s (%v vs %v)", c.Field, c.Was, c.Now)
	}
	return strings.Join(s, ", ") + " differ"
}

// writeMerge streams the shards' rows, in file-name order, into temporary
// output files and puts them in place once every check has passed.
func writeMerge(ctx context.Context, shards []*shardFiles, m Manifest, o Outputs) (MergeResult, error) {
	streams, err := openShardStreams(shards, m.TopK)
	defer func() {
		for _, s := range streams {
			s.close()
		}
	}()
	if err != nil {
		return MergeResult{}, err
	}
	w, err := newMergeWriter(o, m.TopK)
	if err != nil {
		return MergeResult{}, err
	}
	defer w.abort()
	res, err := mergeStreams(ctx, streams, w)
	if err != nil {
		return res, err
	}
	if err := checkCoverage(shards, streams, m, res); err != nil {
		return res, err
	}
	res.Shards, res.Model = len(shards), m.Name
	return res, w.commit(m)
}

// mergeStreams pops rows in file-name order, refusing an image seen twice,
// and fingerprints the names.
func mergeStreams(ctx context.Context, streams []*rowStream, w *mergeWriter) (MergeResult, error) {
	h := &streamHeap{}
	for _, s := range streams {
		if err := s.advance(); err != nil {
			return MergeResult{}, err
		}
		if !s.done {
			heap.Push(h, s)
		}
	}
	fp := NewListFingerprint()
	var lastName, lastWhere string
	var res MergeResult
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
			res.Failed++
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
	res.Images, res.Fingerprint = fp.Len(), fp.Sum()
	return res, nil
}

// checkCoverage compares what each shard holds with what its run.json says
// it should, then the union with the whole image list.
func checkCoverage(shards []*shardFiles, streams []*rowStream, m Manifest, res MergeResult) error {
	rows := map[*shardFiles]int{}
	for _, s := range streams {
		rows[s.shard] += s.count
	}
	for _, s := range shards {
		if got := rows[s]; got != s.m.ShardImages {
			return fmt.Errorf("%s holds %d of its %d images: it did not finish; resume that shard's run", s.label(), got, s.m.ShardImages)
		}
	}
	if res.Images != m.Images || res.Fingerprint != m.ImagesSHA256 {
		return fmt.Errorf("the shards hold %d images (list sha256 %s), but their run covered %d (sha256 %s): the shards' files were changed after the run",
			res.Images, res.Fingerprint, m.Images, m.ImagesSHA256)
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
	f, err := os.Open(sh.Predictions)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sh.label(), err)
	}
	s := &rowStream{shard: sh, path: sh.Predictions, f: f}
	br := bufio.NewReader(f)
	if err := expectHeader(br, sh.Predictions, predictions.Header(topk)); err != nil {
		f.Close()
		return nil, err
	}
	s.preds, err = predictions.NewReader(io.MultiReader(strings.NewReader(csvLine(predictions.Header(topk))), br), sh.Predictions)
	if err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

func openErrorStream(sh *shardFiles) (*rowStream, error) {
	f, err := os.Open(sh.Errors)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil // a run without failures makes no errors file
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sh.label(), err)
	}
	br := bufio.NewReader(f)
	if err := expectHeader(br, sh.Errors, ErrorsHeader); err != nil {
		f.Close()
		return nil, err
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = len(ErrorsHeader)
	return &rowStream{shard: sh, path: sh.Errors, isErr: true, f: f, errs: cr}, nil
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
		// Only the newline is cut: a header that differs in its line end
		// alone (CRLF) would otherwise print as the one wanted.
		got, hint := strings.TrimSuffix(line, "\n"), "not this run's output, or another top-k"
		if strings.HasSuffix(got, "\r") {
			hint = "its lines end in CRLF, as an editor or a Windows tool may write them; imagenetx writes and reads \\n"
		}
		return fmt.Errorf("%s:1: header %s, want %q (%s)", path, clip.Quote(got), strings.TrimSuffix(want, "\n"), hint)
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
		return fmt.Errorf("%s: %w (a shard stopped part-way? resume its run)", s.shard.label(), err)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", s.shard.label(), err)
	}
	if s.count > 0 && s.name <= prev {
		return fmt.Errorf("%s: %s is out of file-name order (after %s)", s.where(), s.name, prev)
	}
	if sh := s.shard.m.Shard; !sh.Owns(s.name) {
		return fmt.Errorf("%s: image %s belongs to shard %d/%d, not %s", s.where(), s.name, ShardOf(s.name, sh.Count), sh.Count, sh)
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
	o     Outputs
	topk  int
	preds *atomicfile.File
	pbw   *bufio.Writer
	pw    *predictions.Writer
	errs  *atomicfile.File
	ebw   *bufio.Writer
	ew    *csv.Writer
}

func newMergeWriter(o Outputs, topk int) (*mergeWriter, error) {
	f, err := atomicfile.Create(o.Predictions)
	if err != nil {
		return nil, err
	}
	w := &mergeWriter{o: o, topk: topk, preds: f, pbw: bufio.NewWriter(f)}
	if w.pw, err = predictions.NewWriter(w.pbw, topk); err != nil {
		f.Abort()
		return nil, fmt.Errorf("write %s: %w", o.Predictions, err)
	}
	return w, nil
}

func (w *mergeWriter) put(s *rowStream) error {
	if !s.isErr {
		if err := w.pw.Write(s.pred); err != nil {
			return fmt.Errorf("write %s: %w", w.o.Predictions, err)
		}
		return nil
	}
	if w.errs == nil {
		f, err := atomicfile.Create(w.o.Errors)
		if err != nil {
			return err
		}
		w.errs, w.ebw = f, bufio.NewWriter(f)
		w.ew = csv.NewWriter(w.ebw)
		w.ew.Write(ErrorsHeader)
	}
	if err := w.ew.Write(s.rec); err != nil {
		return fmt.Errorf("write %s: %w", w.o.Errors, err)
	}
	return nil
}

// commit flushes and puts the files in place: predictions, errors (or the
// removal of a stale errors file), then run.json.
func (w *mergeWriter) commit(m Manifest) error {
	if err := w.pw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", w.o.Predictions, err)
	}
	if err := w.pbw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", w.o.Predictions, err)
	}
	if err := w.preds.Commit(); err != nil {
		return err
	}
	if w.errs == nil {
		if err := atomicfile.Remove(w.o.Errors); err != nil {
			return fmt.Errorf("remove stale errors file: %w", err)
		}
	} else {
		w.ew.Flush()
		if err := errors.Join(w.ew.Error(), w.ebw.Flush()); err != nil {
			return fmt.Errorf("write %s: %w", w.o.Errors, err)
		}
		if err := w.errs.Commit(); err != nil {
			return err
		}
	}
	return WriteManifest(w.o.Manifest, m)
}

// abort discards whatever was not committed.
func (w *mergeWriter) abort() {
	w.preds.Abort()
	if w.errs != nil {
		w.errs.Abort()
	}
}

// AllFolders reports whether every path names a folder: merge's form that
// puts audit folders, every model of them, back together (MergeFolders).
func AllFolders(paths []string) bool {
	for _, p := range paths {
		if st, err := os.Stat(p); err != nil || !st.IsDir() {
			return false
		}
	}
	return len(paths) > 0
}
