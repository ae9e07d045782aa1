package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/internal/shareddata"
)

func cooccurRun(ctx context.Context, args []string, stderr *bytes.Buffer) error {
	return invokeTo(ctx, "cooccur", args, io.Discard, stderr)
}

// Expected numbers: scipy.stats.spearmanr (1.10) on the fixture's factor
// columns; pandas get_dummies for the metaclass indicators.
func TestCooccurCommandOnFixture(t *testing.T) {
	ann := writeAnnotationFixture(t)
	cases := []struct {
		name    string
		flags   []string
		pair    string
		rho, p  float64
		records int
	}{
		{"multi by default", nil, "pose/color", -0.7453559924999299, 0.03379778750009085, 16 * 16},
		{"multi background", nil, "pose/background", -0.14907119849998599, 0.7246047636600259, 16 * 16},
		{"multi symmetric", nil, "texture/color", -0.2927700218845599, 0.48161781431215467, 16 * 16},
		{"top", []string{"--factors", "top"}, "pose/color", -0.14907119849998599, 0.7246047636600259, 16 * 16},
		{"metaclasses", []string{"--metaclasses"}, "dog/pose", -0.14907119849998599, 0.7246047636600259, 33 * 33},
		{"diagonal", nil, "color/color", 1, 0, 16 * 16},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := runToFile(t, cooccurRun, append([]string{"--annotations", ann}, c.flags...)...)
			if !strings.HasPrefix(out, "factor_a,factor_b,rho,pval,images_a,images_b,few_images\n") {
				t.Errorf("header: %q", strings.SplitN(out, "\n", 2)[0])
			}
			recs := csvRecords(t, out, "factor_a", "factor_b")
			if len(recs) != c.records {
				t.Errorf("%d records, want %d", len(recs), c.records)
			}
			checkField(t, recs[c.pair], "rho", c.rho, 1e-12)
			checkField(t, recs[c.pair], "pval", c.p, 1e-10)
			if r := recs["pattern/pose"]; r["rho"] != "" {
				t.Errorf("never-annotated pattern: rho %q, want empty (NaN)", r["rho"])
			}
		})
	}
	md := runToFile(t, cooccurRun, "--annotations", ann, "--format", "markdown", "--alpha", "0.05", "--min-images", "0")
	if !strings.HasPrefix(md, "1 of 120 pairs correlate significantly (Spearman, p < 0.05)") || !strings.Contains(md, "| pose     | color    | -0.7454 | 0.0338 |") {
		t.Errorf("markdown:\n%s", md)
	}
	// By default (30 images) the fixture's few images judge no pair.
	md = runToFile(t, cooccurRun, "--annotations", ann, "--format", "markdown", "--alpha", "0.05")
	if !strings.HasPrefix(md, "0 of 120 pairs correlate significantly") || !strings.Contains(md, "Not judged, since an indicator is set on fewer than 30 images (p < 0.05 all the same): pose–color.") {
		t.Errorf("markdown with the default --min-images:\n%s", md)
	}
	for _, bad := range [][]string{{"--factors", "some"}, {"--alpha", "0"}, {"--format", "xml"}, {"stray"}} {
		if err := invoke(context.Background(), "cooccur", append([]string{"--annotations", ann}, bad...)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Expected numbers: the reference's spearman_corr_heatmaps (scipy 1.10
// spearmanr) on the val annotations, prototypes excluded.
func TestCooccurCommandOnRealAnnotations(t *testing.T) {
	ann := shareddata.Require(t, "annotations")
	recs := csvRecords(t, runToFile(t, cooccurRun, "--annotations", ann, "--metaclasses"), "factor_a", "factor_b")
	want := []struct {
		pair   string
		rho, p float64
	}{
		{"shape/subcategory", 0.13289489100765628, 1.095191625774355e-180},
		{"darker/pose", -0.01637073392282218, 0.00043898113874774655},
		{"pattern/dog", -0.16907638014684373, 8.97937519984984e-293},
		{"color/pattern", 0.21323974618069033, 0},
	}
	for _, w := range want {
		checkField(t, recs[w.pair], "rho", w.rho, 1e-10)
		checkField(t, recs[w.pair], "pval", w.p, 1e-8)
	}
	top := csvRecords(t, runToFile(t, cooccurRun, "--annotations", ann, "--factors", "top"), "factor_a", "factor_b")
	checkField(t, top["pose/background"], "rho", -0.4777458859579931, 1e-10)
}
