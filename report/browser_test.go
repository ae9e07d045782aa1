package report

import (
	"context"
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/report/chart"
)

// The browser test loads a report in headless Chromium with a probe script
// injected, and checks that nothing went wrong (no console message, no
// error event, no Content-Security-Policy violation) and that every chart
// rendered: a visible SVG holding as many drawn marks as the chart declares.

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

// probeScript records problems as they happen and, once the page has
// loaded, measures every chart and image into <pre id="probe">.
const probeScript = `<script>(function(){
var problems=[];
window.addEventListener('error',function(e){var t=e.target;problems.push('error: '+(e.message||(t&&(t.src||t.href||t.tagName))||'?'));},true);
document.addEventListener('securitypolicyviolation',function(e){problems.push('csp: '+e.violatedDirective+' '+e.blockedURI);});
['error','warn'].forEach(function(k){var o=console[k];console[k]=function(){problems.push('console.'+k+': '+Array.prototype.join.call(arguments,' '));o.apply(console,arguments);};});
window.addEventListener('load',function(){
var figs=[];
document.querySelectorAll('figure.chart').forEach(function(f){
var svg=f.querySelector('svg'),r=svg?svg.getBoundingClientRect():{width:0,height:0},marks=0,drawn=0;
if(svg){svg.querySelectorAll('[style*="fill-opacity:MARK"]').forEach(function(el){marks++;var b=el.getBBox();if(b.width>0||b.height>0)drawn++;});}
figs.push({id:f.id,want:+f.dataset.marks,width:r.width,height:r.height,marks:marks,drawn:drawn,texts:svg?svg.querySelectorAll('text').length:0});
});
var imgs=0,broken=0;document.querySelectorAll('img').forEach(function(i){imgs++;if(!(i.complete&&i.naturalWidth>0))broken++;});
var pre=document.createElement('pre');pre.id='probe';
pre.textContent=JSON.stringify({problems:problems,figures:figs,images:imgs,broken:broken});
document.body.appendChild(pre);
});})();</script>`

// probeResult is what the probe reports.
type probeResult struct {
	Problems []string
	Figures  []struct {
		ID                 string
		Want, Marks, Drawn int
		Width, Height      float64
		Texts              int
	}
	Images, Broken int
}

// instrument returns the page with the probe as the first thing in <head>
// and the policy widened only to let inline scripts (the probe) run.
func instrument(t *testing.T, page string) string {
	t.Helper()
	const csp = `content="default-src 'none';`
	if !strings.Contains(page, csp) {
		t.Fatal("page has no Content-Security-Policy")
	}
	page = strings.Replace(page, csp, `content="default-src 'none'; script-src 'unsafe-inline';`, 1)
	return strings.Replace(page, "<head>", "<head>"+strings.ReplaceAll(probeScript, "MARK", chart.MarkOpacity), 1)
}

// loadInBrowser loads a page file headless and returns the probe's result
// and the console lines Chromium logged.
func loadInBrowser(t *testing.T, browser, path string) (probeResult, []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--no-first-run", "--user-data-dir="+t.TempDir(), "--window-size=1280,900",
		"--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", "--dump-dom",
		"file://"+path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", browser, err, stderr.String())
	}
	var console []string
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, ":CONSOLE") {
			console = append(console, line)
		}
	}
	m := regexp.MustCompile(`(?s)<pre id="probe">(.*?)</pre>`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("the probe left no result; console: %v", console)
	}
	var res probeResult
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &res); err != nil {
		t.Fatalf("probe result: %v", err)
	}
	return res, console
}

// checkInBrowser writes the page, loads it and checks every chart.
func checkInBrowser(t *testing.T, page string, wantFigures int) probeResult {
	t.Helper()
	browser := chromium(t)
	path := filepath.Join(t.TempDir(), "report.html")
	writeFile(t, path, instrument(t, page))
	res, console := loadInBrowser(t, browser, path)
	for _, line := range console {
		t.Errorf("console: %s", line)
	}
	for _, p := range res.Problems {
		t.Errorf("page: %s", p)
	}
	if len(res.Figures) != wantFigures {
		t.Errorf("%d charts rendered, want %d", len(res.Figures), wantFigures)
	}
	for _, f := range res.Figures {
		if f.Width < 100 || f.Height < 100 || f.Texts == 0 {
			t.Errorf("chart %s rendered %.0fx%.0f px with %d texts", f.ID, f.Width, f.Height, f.Texts)
		}
		if f.Want == 0 || f.Marks != f.Want || f.Drawn != f.Want {
			t.Errorf("chart %s: %d marks in the SVG, %d drawn, %d declared", f.ID, f.Marks, f.Drawn, f.Want)
		}
	}
	if res.Broken > 0 {
		t.Errorf("%d of %d images did not load", res.Broken, res.Images)
	}
	return res
}

func TestReportInBrowser(t *testing.T) {
	fx := makeFixture(t)
	page := writeReport(t, fx.input(t))
	res := checkInBrowser(t, page, 6)
	want := map[string]int{"error-ratio": 32, "accuracy": 32, "calibration": 32, "sweep-0": 11}
	for _, f := range res.Figures {
		if n, ok := want[f.ID]; ok && f.Drawn != n {
			t.Errorf("chart %s drew %d marks, want %d", f.ID, f.Drawn, n)
		}
	}
	if res.Images == 0 {
		t.Error("no thumbnail on the page")
	}
}

// TestRealReportInBrowser renders the four published models' report with
// the val_227 thumbnails: 4 models × 16 factors bars in each factor chart.
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
	page := writeReport(t, Input{Accumulator: acc, ImagesDir: images})
	res := checkInBrowser(t, page, 3+len(sources))
	for _, f := range res.Figures {
		switch f.ID {
		case "error-ratio", "accuracy", "calibration":
			if f.Drawn != 4*eval.NumFactors {
				t.Errorf("chart %s drew %d marks, want %d", f.ID, f.Drawn, 4*eval.NumFactors)
			}
		}
	}
	if res.Images < eval.NumFactors {
		t.Errorf("%d thumbnails, want at least one per factor", res.Images)
	}
}
