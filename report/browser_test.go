package report

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/eval/population"
	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/report/chart"
)

// The browser tests load a report in headless Chromium, driven from Go
// through the DevTools protocol (chromedp), and use it as a reader would:
// they click column heads and check the order of the rows, open a factor's
// list of misclassified images and count its rows. Throughout, nothing may
// go wrong: no console message, no uncaught error, no
// Content-Security-Policy violation (the policy allows the page's one
// script by its hash, so a script that does not match it would be blocked
// and reported here), and every chart must render as many marks as it
// declares.

// chromium returns the browser to test with, or skips the test when none is
// installed — except under CI, whose script installs it, so that CI never
// passes by skipping. IMAGENETX_CHROMIUM overrides the search.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("IMAGENETX_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Chromium required under CI (apt-get install chromium)")
	}
	t.Skip("no Chromium installed (apt-get install chromium)")
	return ""
}

// recordProblems runs in the page before its own script: it keeps the
// Content-Security-Policy violations and failed loads the page meets.
const recordProblems = `window.__problems = [];
document.addEventListener('securitypolicyviolation', function (e) { window.__problems.push('csp: ' + e.violatedDirective + ' blocked ' + e.blockedURI); }, true);
window.addEventListener('error', function (e) { var t = e.target; window.__problems.push('error: ' + (e.message || (t && (t.src || t.href || t.tagName)) || '?')); }, true);`

// browserPage is a report open in a headless Chromium tab.
type browserPage struct {
	t   *testing.T
	ctx context.Context
	mu  sync.Mutex
	// messages are what the page wrote to the console and the browser log
	// at warning level or above, and uncaught exceptions.
	messages []string
}

// openInBrowser writes the page to a file and loads it in a fresh headless
// Chromium, which the test's cleanup closes.
func openInBrowser(t *testing.T, html string) *browserPage {
	t.Helper()
	return openInBrowserAt(t, html, 1280, 900)
}

// openInBrowserAt is openInBrowser in a window of width × height pixels.
func openInBrowserAt(t *testing.T, html string, width, height int) *browserPage {
	t.Helper()
	browser := chromium(t)
	file := filepath.Join(t.TempDir(), "report.html")
	writeFile(t, file, html)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(width, height), chromedp.UserDataDir(t.TempDir()))
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bp := &browserPage{t: t}
	bctx, bcancel := chromedp.NewContext(actx, chromedp.WithListener(bp.listen))
	t.Cleanup(bcancel)
	bp.ctx = bctx
	if _, err := chromedp.Call(bctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: recordProblems}); err != nil {
		t.Fatalf("start %s: %v", browser, err)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate("file://"+file)); err != nil {
		t.Fatalf("load %s: %v", file, err)
	}
	return bp
}

// listen records console messages, exceptions and log entries; it runs on
// chromedp's event loop, so it only appends.
func (bp *browserPage) listen(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		var args []string
		for _, a := range ev.Args {
			args = append(args, string(a.Value)+a.Description)
		}
		msg = fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " "))
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg = "exception: " + d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level != log.EntryLevelWarning && ev.Entry.Level != log.EntryLevelError {
			return
		}
		msg = fmt.Sprintf("log %s (%s): %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text)
	default:
		return
	}
	bp.mu.Lock()
	bp.messages = append(bp.messages, msg)
	bp.mu.Unlock()
}

// problems returns everything that went wrong in the page so far.
func (bp *browserPage) problems() []string {
	bp.t.Helper()
	inPage := evalJS(bp, []string{}, `window.__problems`)
	bp.mu.Lock()
	defer bp.mu.Unlock()
	return append(slices.Clone(bp.messages), inPage...)
}

// checkNoProblems fails the test for each problem the page met.
func (bp *browserPage) checkNoProblems() {
	bp.t.Helper()
	for _, p := range bp.problems() {
		bp.t.Errorf("page: %s", p)
	}
}

// evalJS evaluates a JavaScript expression in the page (awaiting a promise)
// and decodes its value.
func evalJS[T any](bp *browserPage, _ T, expr string) T {
	bp.t.Helper()
	v, err := chromedp.Run(bp.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		bp.t.Fatalf("evaluate %.80q: %v", expr, err)
	}
	return v
}

// click clicks the element the CSS selector finds, as a mouse would: it
// scrolls the element into view and presses the mouse at its centre. (The
// point is found in the page rather than through chromedp's DOM queries,
// which mirror the whole DOM and take minutes on a page of 200,000 nodes.)
func (bp *browserPage) click(selector string) {
	bp.t.Helper()
	type point struct {
		Found bool
		X, Y  float64
	}
	p := evalJS(bp, point{}, fmt.Sprintf(`(function () {
	var el = document.querySelector(%q);
	if (!el) return {Found: false, X: 0, Y: 0};
	el.scrollIntoView({block: 'center', inline: 'center'});
	var r = el.getBoundingClientRect();
	return {Found: r.width > 0 && r.height > 0, X: r.left + r.width / 2, Y: r.top + r.height / 2};
})()`, selector))
	if !p.Found {
		bp.t.Fatalf("click %s: no such element on screen", selector)
	}
	if err := chromedp.Do(bp.ctx, chromedp.MouseClickXY(p.X, p.Y)); err != nil {
		bp.t.Fatalf("click %s: %v", selector, err)
	}
}

// figureMetrics is what the page measures of one chart.
type figureMetrics struct {
	ID                 string
	Want, Marks, Drawn int
	Width, Height      float64
	Texts              int
}

// measureFigures measures every chart: its size, its texts, and the marks
// it declares, holds and draws.
func (bp *browserPage) measureFigures() []figureMetrics {
	return evalJS(bp, []figureMetrics{}, `Array.from(document.querySelectorAll('figure.chart')).map(function (f) {
	var svg = f.querySelector('svg'), r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0}, marks = 0, drawn = 0;
	if (svg) svg.querySelectorAll('[style*="fill-opacity:`+chart.MarkOpacity+`"]').forEach(function (el) { marks++; var b = el.getBBox(); if (b.width > 0 || b.height > 0) drawn++; });
	return {ID: f.id, Want: +f.dataset.marks, Width: r.width, Height: r.height, Marks: marks, Drawn: drawn, Texts: svg ? svg.querySelectorAll('text').length : 0};
})`)
}

// checkFigures checks that wantFigures charts rendered, each with every
// mark it declares.
func (bp *browserPage) checkFigures(wantFigures int) []figureMetrics {
	bp.t.Helper()
	figs := bp.measureFigures()
	if len(figs) != wantFigures {
		bp.t.Errorf("%d charts rendered, want %d", len(figs), wantFigures)
	}
	for _, f := range figs {
		if f.Width < 100 || f.Height < 100 || f.Texts == 0 {
			bp.t.Errorf("chart %s rendered %.0fx%.0f px with %d texts", f.ID, f.Width, f.Height, f.Texts)
		}
		if f.Want == 0 || f.Marks != f.Want || f.Drawn != f.Want {
			bp.t.Errorf("chart %s: %d marks in the SVG, %d drawn, %d declared", f.ID, f.Marks, f.Drawn, f.Want)
		}
	}
	return figs
}

// thumbMetrics counts the thumbnails: elements showing one, distinct
// images, elements whose image is missing and images that do not decode.
type thumbMetrics struct{ Elements, Distinct, Missing, Broken int }

func (bp *browserPage) thumbnails() thumbMetrics {
	return evalJS(bp, thumbMetrics{}, `(async function () {
	var els = Array.from(document.querySelectorAll('i.thumb')), urls = new Set(), missing = 0, broken = 0;
	els.forEach(function (el) {
		var m = /^url\("?(data:image\/jpeg;base64,[^")]+)"?\)$/.exec(getComputedStyle(el).backgroundImage);
		if (m) urls.add(m[1]); else missing++;
	});
	for (var u of urls) {
		var img = new Image();
		img.src = u;
		try { await img.decode(); if (!img.naturalWidth) broken++; } catch (e) { broken++; }
	}
	return {Elements: els.length, Distinct: urls.size, Missing: missing, Broken: broken};
})()`)
}

// columnKeys returns the sort keys of a table's column, top to bottom: a
// cell's data-v, or its text.
func (bp *browserPage) columnKeys(tableID string, col int) []string {
	return evalJS(bp, []string{}, fmt.Sprintf(`Array.from(document.getElementById(%q).tBodies[0].rows).map(function (r) {
	var c = r.cells[%d]; return c ? (c.dataset.v !== undefined ? c.dataset.v : c.textContent.trim()) : '';
})`, tableID, col))
}

// sortedState returns the aria-sort of a table's column head.
func (bp *browserPage) sortedState(tableID string, col int) string {
	return evalJS(bp, "", fmt.Sprintf(`(function () { var h = document.getElementById(%q).tHead.rows; return h[h.length - 1].cells[%d].getAttribute('aria-sort') || ''; })()`, tableID, col))
}

// clickHead clicks the head of a table's column (0-based).
func (bp *browserPage) clickHead(tableID string, col int) {
	bp.t.Helper()
	bp.click(fmt.Sprintf("#%s thead tr:last-child th:nth-child(%d) button", tableID, col+1))
}

// checkSorts clicks a numeric column's head twice and checks that the rows
// come high to low, then low to high, keeping the same rows, with values
// that are missing last.
func (bp *browserPage) checkSorts(tableID string, col int) {
	bp.t.Helper()
	before := bp.columnKeys(tableID, col)
	for _, want := range []string{"descending", "ascending"} {
		bp.clickHead(tableID, col)
		got := bp.columnKeys(tableID, col)
		if state := bp.sortedState(tableID, col); state != want {
			bp.t.Errorf("%s column %d: aria-sort %q after a click, want %q", tableID, col, state, want)
		}
		if !sameMultiset(before, got) {
			bp.t.Errorf("%s column %d: sorting changed the rows: %v → %v", tableID, col, before, got)
		}
		values, missing := numbers(bp.t, got)
		if !slices.IsSortedFunc(values, func(a, b float64) int {
			if want == "descending" {
				a, b = b, a
			}
			return cmpFloat(a, b)
		}) {
			bp.t.Errorf("%s column %d not %s after a click: %v", tableID, col, want, got)
		}
		if len(missing) > 0 && !slices.Equal(missing, got[len(got)-len(missing):]) {
			bp.t.Errorf("%s column %d: missing values not last: %v", tableID, col, got)
		}
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// numbers parses sort keys as the page does (thousands separators
// dropped); keys that are not numbers are returned apart, as missing.
func numbers(t *testing.T, keys []string) (values []float64, missing []string) {
	for _, k := range keys {
		v, err := strconv.ParseFloat(strings.ReplaceAll(k, ",", ""), 64)
		if err != nil {
			missing = append(missing, k)
			continue
		}
		values = append(values, v)
	}
	return values, missing
}

func sameMultiset(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// listState is what the page shows of a factor's list of misclassified
// images: whether it is open, how many rows it has and how tall the first
// one is drawn.
type listState struct {
	Open       bool
	Rows       int
	FirstRowPx float64
}

func (bp *browserPage) list(factor string) listState {
	return evalJS(bp, listState{}, fmt.Sprintf(`(function () {
	var d = document.getElementById('mis-' + %q), t = document.getElementById('list-' + %q);
	var rows = t ? t.tBodies[0].rows : [];
	return {Open: !!(d && d.open), Rows: rows.length, FirstRowPx: rows.length ? rows[0].getBoundingClientRect().height : 0};
})()`, factor, factor))
}

// checkDrillDown opens a factor's list from the factor table's link and
// checks that it shows one row per misclassified image.
func (bp *browserPage) checkDrillDown(factor string, want int) {
	bp.t.Helper()
	if s := bp.list(factor); s.Open {
		bp.t.Fatalf("list of %s open before any click", factor)
	}
	bp.click(fmt.Sprintf(`#factor-table a[href="#mis-%s"]`, factor))
	s := bp.list(factor)
	if !s.Open || s.FirstRowPx <= 0 {
		bp.t.Errorf("list of %s after clicking its count: open %v, first row %.1f px high", factor, s.Open, s.FirstRowPx)
	}
	if s.Rows != want {
		bp.t.Errorf("list of %s has %d rows, want %d misclassified images", factor, s.Rows, want)
	}
}

// misclassifiedCount counts, from the accumulator, the images with factor
// f that at least one model misclassified.
func misclassifiedCount(t *testing.T, acc *eval.Accumulator, et eval.ErrorType, f int) int {
	t.Helper()
	ds := acc.Dataset()
	wrong := make([]bool, len(ds.Images))
	for _, name := range acc.Models() {
		m, _ := acc.Model(name)
		correct, joined := acc.Correct(m, et)
		for i := range wrong {
			wrong[i] = wrong[i] || (joined[i] && !correct[i])
		}
	}
	n := 0
	for i, w := range wrong {
		if w && ds.Images[i].Has(f) {
			n++
		}
	}
	return n
}

// checkPolicy checks that the page's policy allows its script by hash only.
func (bp *browserPage) checkPolicy() {
	bp.t.Helper()
	csp := evalJS(bp, "", `document.querySelector('meta[http-equiv="Content-Security-Policy"]').content`)
	for _, want := range []string{"default-src 'none'", "script-src 'sha256-"} {
		if !strings.Contains(csp, want) {
			bp.t.Errorf("policy %q lacks %q", csp, want)
		}
	}
	if _, script, _ := strings.Cut(csp, "script-src"); strings.Contains(script, "unsafe") {
		bp.t.Errorf("policy %q lets other scripts run", csp)
	}
}

// screenshot saves the page as PNG into $IMAGENETX_SCREENSHOTS when set
// (to look at the report while working on it).
func (bp *browserPage) screenshot(name string) {
	dir := os.Getenv("IMAGENETX_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(bp.ctx, chromedp.FullScreenshot(90))
	if err != nil {
		bp.t.Errorf("screenshot: %v", err)
		return
	}
	writeFile(bp.t, filepath.Join(dir, name+".png"), string(png))
}

func TestReportInBrowser(t *testing.T) {
	start := time.Now()
	fx := makeFixture(t)
	in := fx.input(t)
	bp := openInBrowser(t, writeReport(t, in))
	bp.checkPolicy()
	figs := bp.checkFigures(6)
	want := map[string]int{"error-ratio": 32, "accuracy": 32, "calibration": 32, "sweep-0": 11}
	for _, f := range figs {
		if n, ok := want[f.ID]; ok && f.Drawn != n {
			t.Errorf("chart %s drew %d marks, want %d", f.ID, f.Drawn, n)
		}
	}
	// Sorting: the factor table by its image counts and by the last
	// column (misclassified images), the leaderboard by top-1, a list by
	// the first model's probability.
	bp.checkSorts("factor-table", 1)
	bp.checkSorts("factor-table", 2+2*len(fixtureModels))
	bp.checkSorts("leaderboard", 1)
	bp.clickHead("factor-table", 0)
	names := bp.columnKeys("factor-table", 0)
	if !slices.IsSorted(names) || bp.sortedState("factor-table", 0) != "ascending" {
		t.Errorf("factor names after a click on their head: %v, want A to Z", names)
	}
	// Drill-down: the factor with the most mistakes, opened from the
	// (sorted) factor table.
	worst, most := 0, -1
	for f := range eval.NumFactors {
		if n := misclassifiedCount(t, in.Accumulator, in.ErrorType, f); n > most {
			worst, most = f, n
		}
	}
	bp.checkDrillDown(eval.Factors[worst], most)
	bp.checkSorts("list-"+eval.Factors[worst], 4) // the first model's probability
	// A second list opens from its own summary line.
	other := eval.Factors[(worst+1)%eval.NumFactors]
	bp.click("#mis-" + other + " > summary")
	if s := bp.list(other); !s.Open || s.FirstRowPx <= 0 {
		t.Errorf("list of %s after clicking its summary: %+v", other, s)
	}
	if th := bp.thumbnails(); th.Elements == 0 || th.Distinct == 0 || th.Missing > 0 || th.Broken > 0 {
		t.Errorf("thumbnails: %+v", th)
	}
	bp.screenshot("fixture")
	bp.checkNoProblems()
	t.Logf("browser test: %v", time.Since(start).Round(time.Millisecond))
}

// TestFourModelLeaderboardFits: the leaderboard of four models under the
// registry's long names, with top-5, intervals and the comparison with the
// baseline, fits a 1,400-pixel window: no column (the p-value last of
// all) is scrolled out of view.
func TestFourModelLeaderboardFits(t *testing.T) {
	fx := makeFixture(t)
	ds, err := load.Annotations(fx.annotations, eval.DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"mobilenetv2-12-int8", "shufflenet-v2-12-qdq", "mobilenet_v2_int8_dynamic", "mobilenetv2-7.quant"}
	var sources []load.Source
	var models []Model
	for i, name := range names {
		sources = append(sources, load.Source{Model: name, Path: fx.predictions[i%2]})
		m := Model{Name: name, Score: Score{Labeled: 400, Top1: 320 - 40*i, TopK: 370 - 30*i, K: 5}}
		if i > 0 {
			m.VsBaseline = &Paired{Images: 400, Difference: -0.1125 * float64(i), OnlyBaseline: 50 * i, OnlyModel: 5, P: 3.18e-07, PAdjusted: 6.91e-37,
				Correction: eval.CorrectionHolm, Significant: true}
		}
		models = append(models, m)
	}
	acc := eval.NewAccumulator(ds)
	if err := load.Predictions(context.Background(), acc, sources); err != nil {
		t.Fatal(err)
	}
	bp := openInBrowserAt(t, writeReport(t, Input{Accumulator: acc, Models: models, Baseline: names[0]}), 1400, 1000)
	type fit struct {
		TableWidth, BoxWidth, Right, PageWidth float64
		Columns                                int
	}
	got := evalJS(bp, fit{}, `(() => { const t = document.getElementById('leaderboard'); const box = t.parentElement;
		return {TableWidth: t.scrollWidth, BoxWidth: box.clientWidth, Right: t.getBoundingClientRect().right,
			PageWidth: document.documentElement.scrollWidth, Columns: t.querySelectorAll('thead th').length}; })()`)
	if got.Columns < 7 || got.TableWidth > got.BoxWidth || got.Right > 1400 || got.PageWidth > 1400 {
		t.Errorf("the leaderboard does not fit a 1,400-pixel window: %+v", got)
	}
	bp.screenshot("four-models")
	bp.checkNoProblems()
}

// TestBrowserSeesBlockedScript checks the checker: a page whose script no
// longer matches the hash in its policy has its script blocked, and the
// test sees it (both as a problem and as sorting that does nothing).
func TestBrowserSeesBlockedScript(t *testing.T) {
	fx := makeFixture(t)
	html := writeReport(t, fx.input(t))
	tampered := strings.Replace(html, "<script>", "<script>/* not the hashed script */", 1)
	if tampered == html {
		t.Fatal("page has no script")
	}
	bp := openInBrowser(t, tampered)
	problems := bp.problems()
	blocked := slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, "csp: script-src") })
	if !blocked {
		t.Errorf("the tampered script ran unnoticed; problems: %q", problems)
	}
	t.Logf("problems seen: %q", problems)
	bp.clickHead("factor-table", 1)
	if s := bp.sortedState("factor-table", 1); s != "" {
		t.Errorf("a blocked script sorted the table (aria-sort %q)", s)
	}
}

// TestRealReportInBrowser renders the four published models' report with
// the val_227 thumbnails: 4 models × 16 factors in each factor chart, and a
// list of thousands of misclassified images.
func TestRealReportInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	chromium(t) // skip before loading the data when there is no browser
	annotations := shareddata.Require(t, "annotations")
	preds := shareddata.Require(t, "predictions", "base")
	images := shareddata.Require(t, "images", "val_227")
	ds, err := load.Annotations(annotations, eval.DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	acc := eval.NewAccumulator(ds)
	sources, err := load.Sources([]string{preds})
	if err != nil {
		t.Fatal(err)
	}
	if err := load.Predictions(context.Background(), acc, sources); err != nil {
		t.Fatal(err)
	}
	pop := placedAmongPaper(t, acc)
	html := writeReport(t, Input{Accumulator: acc, ImagesDir: images, Population: pop})
	start := time.Now()
	bp := openInBrowser(t, html)
	bp.checkPolicy()
	for _, f := range bp.checkFigures(4 + len(sources)) {
		switch f.ID {
		case "error-ratio", "accuracy", "calibration":
			if f.Drawn != 4*eval.NumFactors {
				t.Errorf("chart %s drew %d marks, want %d", f.ID, f.Drawn, 4*eval.NumFactors)
			}
		case "population-scatter":
			// The paper's 209 models and the 4 audited ones, in 16 panels.
			if f.Drawn != (209+4)*eval.NumFactors {
				t.Errorf("population scatter drew %d marks, want %d", f.Drawn, (209+4)*eval.NumFactors)
			}
		}
	}
	bp.checkSorts("factor-table", 2+2*len(sources))
	bp.checkSorts("comparison-table", 2)
	bp.checkSorts("placement", 6) // by residual
	if n := len(bp.columnKeys("placement", 1)); n != 4*eval.NumFactors {
		t.Errorf("placement table: %d rows, want 4 models × 16 factors", n)
	}
	// A list of 905 rows: the longest (background, 6,993) works the same
	// but takes a loaded 2-core machine a minute to lay out and sort.
	smaller := slices.Index(eval.Factors[:], "smaller")
	bp.checkDrillDown("smaller", misclassifiedCount(t, acc, eval.ErrorClass, smaller))
	bp.checkSorts("list-smaller", 4)
	if th := bp.thumbnails(); th.Distinct < eval.NumFactors || th.Missing > 0 || th.Broken > 0 {
		t.Errorf("thumbnails: %+v, want at least one per factor, none missing or broken", th)
	}
	bp.screenshot("real")
	bp.checkNoProblems()
	t.Logf("page of %d bytes; loading it and the checks took %v", len(html), time.Since(start).Round(time.Millisecond))
}

// placedAmongPaper places the accumulator's models among the paper's
// published models, as an audit does.
func placedAmongPaper(t *testing.T, acc *eval.Accumulator) *Population {
	t.Helper()
	pub, err := population.LoadPublished(shareddata.Require(t, "results"), eval.TopFactor, eval.ErrorClass)
	if err != nil {
		t.Fatal(err)
	}
	table, err := acc.Table(eval.ErrorClass)
	if err != nil {
		t.Fatal(err)
	}
	byType := pub.ByType()
	ref, err := population.NewReference(byType)
	if err != nil {
		t.Fatal(err)
	}
	scatter := pub.Scatter()
	pop := &Population{Scatter: scatter, Order: population.ScatterOrder(scatter), Size: len(byType.Models)}
	for _, r := range table.Rows {
		ps := ref.Place(&r)
		pop.Rows, pop.Placements = append(pop.Rows, r), append(pop.Placements, ps)
		pop.Notes = append(pop.Notes, population.Notes(&r, ps, pop.Size)...)
	}
	return pop
}
