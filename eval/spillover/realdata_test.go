package spillover

import (
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/internal/shareddata"
)

type want struct {
	factor    string
	effect, p float64
	n         int
	low, high float64
}

// Expected values: imagenet_x/plots.py's augmentation_effect pipeline (melt,
// strengths with more than MinModels−1 models, error ratio, dropna, per-factor
// np.polyfit(deg=3) and scipy.stats.ttest_ind(equal_var=False)) run with
// pandas 1.5.3, numpy 1.24.2 and scipy 1.10.1 on the published tables.
var realTables = []struct {
	dir, regex, transform string
	minModels             int
	want                  []want
}{
	{"top_factor/colorjitter", `color([0-9.]+)`, "x", 5, []want{
		{"pose", -18.104489335857565, 2.6305063209443748e-20, 664, 1.0, 97.0},
		{"background", -3.376374631344011, 0.0016509311326171898, 664, 1.0, 97.0},
		{"pattern", 3.1372267008486676, 0.00386152680988128, 664, 1.0, 97.0},
		{"color", 26.714922691330724, 5.820962088201409e-27, 664, 1.0, 97.0},
		{"smaller", -8.484251830290146, 1.786622330633611e-10, 664, 1.0, 97.0},
		{"shape", 3.041945093822196, 0.0043462564953951136, 664, 16.0, 76.0},
		{"partial_view", 2.760447652830878, 0.00867307388771481, 664, 25.0, 85.0},
		{"subcategory", 5.949351541259025, 7.353252431696041e-07, 664, 19.0, 97.0},
		{"texture", 5.558493015262083, 2.317991564900892e-06, 664, 1.0, 97.0},
		{"larger", 6.407359381228324, 6.96848471881221e-07, 664, 4.0, 97.0},
		{"darker", 7.87987796984946, 2.8044724532485185e-09, 664, 1.0, 88.0},
		{"object_blocking", 2.3747602285136384, 0.022575394829905185, 664, 1.0, 79.0},
		{"person_blocking", 2.8330923981913934, 0.007671349994155296, 664, 19.0, 97.0},
		{"style", 1.658741329282657, 0.10523754774625638, 664, 1.0, 49.0},
		{"brighter", 0.9338737780575199, 0.3559766932734869, 664, 1.0, 97.0},
		{"multiple_objects", 1.9984673422644101, 0.05416253462195235, 664, 25.0, 97.0},
	}},
	// Only strengths with 21 models: fewer models, same extremes here.
	{"top_factor/colorjitter", `color([0-9.]+)`, "x", 21, []want{
		{"pose", -18.104489335857565, 2.6305063209443748e-20, 378, 1.0, 97.0},
		{"color", 26.714922691330724, 5.820962088201409e-27, 378, 1.0, 97.0},
	}},
	{"top_factor/gaussian_blur", `smoothing([0-9.]+)`, "x", 5, []want{
		{"pose", -15.69768789034143, 6.604064524680938e-13, 161, 10.0, 91.0},
		{"background", -2.6296258005280837, 0.013127096691064538, 161, 19.0, 82.0},
		{"pattern", 9.310655437740822, 1.3644496507513704e-10, 161, 19.0, 91.0},
		{"color", 15.117840008762403, 2.344827985410699e-13, 161, 10.0, 91.0},
		{"smaller", 12.872562252235271, 2.2611175651432328e-12, 161, 1.0, 91.0},
		{"larger", 13.383304156331988, 9.61269129604536e-16, 161, 19.0, 82.0},
		{"brighter", -2.4845279487535024, 0.017927706669292276, 161, 28.0, 91.0},
		{"multiple_objects", 5.489705036314702, 3.227458533636319e-06, 161, 10.0, 91.0},
	}},
	// Crop: the strength is 100 − the crop value; crop0.2 (one model) is dropped.
	{"top_factor/crop", `crop([0-9.]+)`, "100-x", 5, []want{
		{"pose", 33.742564989739144, 3.868692311377757e-15, 1271, 1.0, 92.0},
		{"background", -21.25527222848376, 1.1688491113851041e-11, 1271, 1.0, 90.0},
		{"color", -3.575206261645844, 0.0012316195711172733, 1271, 54.0, 92.0},
		{"smaller", -31.623662771403396, 2.0496005512746694e-15, 1271, 1.0, 92.0},
		{"partial_view", 11.10839421266623, 5.191073893379327e-10, 1271, 9.0, 92.0},
		{"darker", -1.9407013036585858, 0.0702353457531503, 1271, 1.0, 64.0},
		{"brighter", 0.05939876495793273, 0.9540087793942142, 1271, 25.0, 80.0},
		{"multiple_objects", -1.3519650701913364, 0.21142428383880743, 1271, 1.0, 71.0},
	}},
	{"multi_factor/colorjitter", `color([0-9.]+)`, "x", 5, []want{
		{"pose", -9.72907124262013, 3.116432709970036e-11, 664, 7.0, 94.0},
		{"color", 40.38091493988744, 1.1931436910224075e-33, 664, 1.0, 97.0},
		{"object_blocking", -1.4282362375143647, 0.16122169904748995, 664, 1.0, 37.0},
		{"brighter", 2.141140525176927, 0.038625387842586116, 664, 1.0, 97.0},
	}},
	{"multi_factor/crop", `crop([0-9.]+)`, "100-x", 5, []want{
		{"subcategory", -60.736762169892145, 1.745758214266829e-22, 1271, 1.0, 85.0},
		{"style", 1.3336665451855616, 0.20430633370914336, 1271, 1.0, 92.0},
		{"multiple_objects", -21.83463638197142, 3.538209399906772e-10, 1271, 1.0, 91.0},
	}},
}

func TestAnalyzeMatchesReferenceOnPublishedTables(t *testing.T) {
	for _, tc := range realTables {
		t.Run(tc.dir, func(t *testing.T) {
			path := shareddata.Require(t, "results", "val", tc.dir, "class", "accuracies_per_factor.csv")
			table, err := eval.ReadTableFile(path)
			if err != nil {
				t.Fatal(err)
			}
			parser, err := NewStrengthParser(tc.regex, tc.transform)
			if err != nil {
				t.Fatal(err)
			}
			opt := Options{Strength: parser, MinModels: tc.minModels}
			for _, w := range tc.want {
				f, err := eval.FactorIndex(w.factor)
				if err != nil {
					t.Fatal(err)
				}
				opt.Factors = append(opt.Factors, f)
			}
			results, err := Analyze(table, opt)
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range tc.want {
				r := results[i]
				if r.Factor != w.factor || r.NModels != w.n || r.StrengthLow != w.low || r.StrengthHigh != w.high {
					t.Errorf("%s: got %s n=%d strengths %g..%g, want n=%d %g..%g",
						w.factor, r.Factor, r.NModels, r.StrengthLow, r.StrengthHigh, w.n, w.low, w.high)
				}
				if !closeRel(r.Effect, w.effect, 1e-9) || !closeRel(r.PValue, w.p, 1e-7) {
					t.Errorf("%s: effect %.17g p %.17g, want %.17g p %.17g", w.factor, r.Effect, r.PValue, w.effect, w.p)
				}
			}
		})
	}
}

func BenchmarkAnalyzeCropTable(b *testing.B) {
	path := shareddata.Require(b, "results", "val", "top_factor", "crop", "class", "accuracies_per_factor.csv")
	table, err := eval.ReadTableFile(path)
	if err != nil {
		b.Fatal(err)
	}
	parser, _ := NewStrengthParser(`crop([0-9.]+)`, "100-x")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Analyze(table, Options{Strength: parser}); err != nil {
			b.Fatal(err)
		}
	}
}
