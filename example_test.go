package imagenetx_test

import (
	"context"
	"fmt"
	"log"

	"github.com/imagenetx/imagenetx"
	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/population"
	"github.com/imagenetx/imagenetx/eval/stats"
)

// Audit a model: its factor table, top-1 and the worst factors, from the
// predictions streamed straight into the evaluator. This is the program of
// the README's "Use as a Go library".
func ExampleModel_Audit() {
	ctx := context.Background()
	model, err := imagenetx.Open("mobilenetv2-12-int8", imagenetx.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer model.Close()
	images, err := imagenetx.Folder("../shared/imagenetx/images/val_227", imagenetx.Selection{Limit: 200})
	if err != nil {
		log.Fatal(err)
	}
	annotations, err := imagenetx.LoadAnnotations("", eval.DatasetOptions{}) // set-up's copy
	if err != nil {
		log.Fatal(err)
	}
	audit, err := model.Audit(ctx, images, annotations, imagenetx.AuditOptions{})
	if err != nil {
		log.Fatal(err)
	}
	row := audit.Row()
	fmt.Printf("%s: %d images, %d failed, top-1 %d/%d\n", audit.Model, audit.Stats.Total, audit.Stats.Failed, audit.Score.Top1, audit.Score.Labeled)
	fmt.Printf("annotated: %d, accuracy %.4f\n", row.N, row.Average)
	// Factors clearly harder than average: the error ratio's 95% interval
	// above 1, on at least 20 images (the report's rule).
	worst := row.WorstFactors(3, 20)
	if len(worst) == 0 {
		fmt.Println("no factor with at least 20 images is clearly harder than average")
	}
	for _, f := range worst {
		ratio, lo, hi := row.ErrorRatioInterval(f, stats.DefaultConfidence)
		fmt.Printf("%s: error ratio %.2f [%.2f, %.2f] over %d images\n", eval.Factors[f], ratio, lo, hi, row.Count[f])
	}
	// The highest ratios are a ranking, not a verdict: pattern's is below 1.
	for _, f := range row.HighestRatios(2, 20) {
		ratio, lo, hi := row.ErrorRatioInterval(f, stats.DefaultConfidence)
		fmt.Printf("highest: %s %.2f [%.2f, %.2f] over %d images\n", eval.Factors[f], ratio, lo, hi, row.Count[f])
	}
	// Output:
	// mobilenetv2-12-int8: 200 images, 0 failed, top-1 155/200
	// annotated: 180, accuracy 0.7611
	// no factor with at least 20 images is clearly harder than average
	// highest: background 1.13 [0.74, 1.55] over 52 images
	// highest: pattern 0.91 [0.40, 1.63] over 23 images
}

// Run a model and take its predictions as they come, in file-name order,
// with the top 3 classes of each.
func ExampleModel_Run() {
	model, err := imagenetx.Open("mobilenetv2-12-int8", imagenetx.Options{TopK: 3, Batch: 4})
	if err != nil {
		log.Fatal(err)
	}
	defer model.Close()
	images, err := imagenetx.Folder("../shared/imagenetx/images/val_227", imagenetx.Selection{Limit: 3})
	if err != nil {
		log.Fatal(err)
	}
	print := engine.FuncSink(func(r engine.Result) error {
		if r.Err != nil {
			fmt.Println(r.Item.Name, "failed:", r.Err)
			return nil
		}
		fmt.Println(r.Pred.FileName, r.Pred.Class, r.Pred.TopK[1].Class, r.Pred.TopK[2].Class)
		return nil
	})
	if _, err := model.Run(context.Background(), images, print, imagenetx.RunOptions{}); err != nil {
		log.Fatal(err)
	}
	// Output:
	// ILSVRC2012_val_00000347.JPEG 472 693 871
	// ILSVRC2012_val_00000355.JPEG 259 260 154
	// ILSVRC2012_val_00000361.JPEG 300 303 302
}

// Sweep a variant family at test time: one pass over the images, every
// strength inferred on a copy of each image's crop; Result holds, per
// factor and strength, the change of the error ratio against strength 0
// with its interval and test (Sweep.WriteMarkdown prints them).
func ExampleModel_Sweep() {
	ctx := context.Background()
	model, err := imagenetx.Open("mobilenetv2-12-int8", imagenetx.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer model.Close()
	images, err := imagenetx.Folder("../shared/imagenetx/images/val_227", imagenetx.Selection{Limit: 100})
	if err != nil {
		log.Fatal(err)
	}
	annotations, err := imagenetx.LoadAnnotations("", eval.DatasetOptions{})
	if err != nil {
		log.Fatal(err)
	}
	s, err := model.Sweep(ctx, images, annotations, imagenetx.SweepOptions{Family: "colorjitter", Strengths: []float64{0, 1}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s on %d annotated images\n", s.Title(), s.Result.Images)
	for i, st := range s.Result.Strengths {
		fmt.Printf("strength %g: accuracy %.2f\n", st, s.Result.Accuracy[i])
	}
	// Output:
	// mobilenetv2-12-int8 × colorjitter on 91 annotated images
	// strength 0: accuracy 0.78
	// strength 1: accuracy 0.55
}

// The paper's first finding from its published results, and one's own
// model placed among the paper's 209 models: here the published ResNet50
// row, as an audit's table would give it (Audits.PlaceAmongPaper does this
// for an audit).
func ExampleLoadPublished() {
	pub, err := imagenetx.LoadPublished("../shared/imagenetx/results", eval.TopFactor, eval.ErrorClass) // "": set-up's copy
	if err != nil {
		log.Fatal(err)
	}
	pop := pub.ByType()
	cmp, err := population.Compare(pop)
	if err != nil {
		log.Fatal(err)
	}
	cons, err := population.Consistent(context.Background(), pop, cmp)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d models of %d types; Kendall's W %.3f, mean Spearman ρ %.3f\n", len(pop.Models), len(pop.Groups), cons.KendallW, cons.MeanSpearman)
	color, _ := eval.FactorIndex("color")
	fmt.Printf("color: self-supervised %.3f, supervised on ImageNet-1K %.3f (p = %.1g)\n",
		cmp.Mean(color, "Self-supervised"), cmp.Mean(color, "Supervised on ImageNet-1K"), cmp.P(color))

	among, err := imagenetx.PlaceAmong(pub, pub.Tables[population.Base])
	if err != nil {
		log.Fatal(err)
	}
	for i, row := range among.Rows {
		if row.Model != "ResNet50" {
			continue
		}
		p := among.Placements[i][color]
		fmt.Printf("%s color: error ratio %.3f, percentile %.0f, expected %.3f [%.3f, %.3f]\n",
			row.Model, p.ErrorRatio, p.Percentile, p.Expected, p.ExpectedLo, p.ExpectedHi)
	}
	// Output:
	// 209 models of 4 types; Kendall's W 0.976, mean Spearman ρ 0.910
	// color: self-supervised 1.118, supervised on ImageNet-1K 1.177 (p = 4e-06)
	// ResNet50 color: error ratio 1.189, percentile 78, expected 1.174 [1.131, 1.216]
}
