package imagenetx

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/internal/shareddata"
	"github.com/imagenetx/imagenetx/report"
)

// TestOneComparisonEverywhere: a model's comparison with the baseline has
// the same numbers, over the same images, in the terminal, leaderboard.csv,
// the page's leaderboard and its "What stands out", and each says which
// images it is over (the labelled ones both scored, not the annotated).
func TestOneComparisonEverywhere(t *testing.T) {
	ms := []*Model{openShared(t, "mobilenetv2-12-int8", Options{}), openShared(t, "mobilenetv2-7.quant", Options{})}
	images, err := Folder(shareddata.Require(t, "images", "val_227"), Selection{Limit: 40})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	as, err := AuditModels(context.Background(), ms, images, loadShared(t), AuditOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if as.Coverage.Labeled == as.Coverage.Annotated {
		t.Fatalf("coverage %+v: the test needs labelled images that are not annotated", as.Coverage)
	}
	lb, err := as.Leaderboard(LeaderboardOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var r LeaderboardRow
	for _, row := range lb.Rows {
		if !row.Baseline {
			r = row
		}
	}
	diff, p := report.Points(r.Difference), report.PValue3(r.PAdjusted)
	over := fmt.Sprintf("%d labelled images both scored", r.Paired)

	var term bytes.Buffer
	if err := as.WriteSummary(&term, lb); err != nil {
		t.Fatal(err)
	}
	if err := as.WriteFiles(context.Background(), dir, lb, ReportOptions{}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "leaderboard.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	found := false
	for _, rec := range recs[1:] {
		if rec[col["model"]] != r.Model {
			continue
		}
		found = true
		d, _ := strconv.ParseFloat(rec[col["top1_difference"]], 64)
		padj, _ := strconv.ParseFloat(rec[col["pval_adj"]], 64)
		n, _ := strconv.Atoi(rec[col["paired"]])
		if ann, _ := strconv.Atoi(rec[col["annotated"]]); ann != as.Coverage.Annotated {
			t.Errorf("leaderboard.csv: annotated_accuracy over %d images, want the %d annotated", ann, as.Coverage.Annotated)
		}
		if report.Points(d) != diff || report.PValue3(padj) != p || n != r.Paired {
			t.Errorf("leaderboard.csv: %s, p %s over %d; the leaderboard says %s, p %s over %d", report.Points(d), report.PValue3(padj), n, diff, p, r.Paired)
		}
	}
	if !found {
		t.Fatalf("leaderboard.csv has no row of %s", r.Model)
	}
	page := readFile(t, filepath.Join(dir, "report.html"))
	lbTable := page[strings.Index(page, `id="leaderboard"`):]
	lbTable = lbTable[:strings.Index(lbTable, "</section>")] // the table and the note under it
	findings := page[strings.Index(page, `id="findings"`):]
	findings = findings[:strings.Index(findings, "</section>")]
	for _, c := range []struct{ where, text string }{
		{"terminal", term.String()}, {"HTML leaderboard", lbTable}, {"What stands out", findings},
	} {
		for _, want := range []string{diff, p} {
			if !strings.Contains(c.text, want) {
				t.Errorf("%s lacks %q (the comparison's numbers):\n%s", c.where, want, c.text)
			}
		}
	}
	if !strings.Contains(term.String(), fmt.Sprintf("labelled images both scored (%d images)", r.Paired)) {
		t.Errorf("the terminal does not say which images the comparison is over:\n%s", term.String())
	}
	if !strings.Contains(findings, over) || !strings.Contains(lbTable, "labelled images both scored") {
		t.Errorf("the page does not say the comparison is over the %s", over)
	}
}
