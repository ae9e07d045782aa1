package report_test

import (
	"context"
	"fmt"
	"log"
	"regexp"
	"strings"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/predictions"
	"github.com/imagenetx/imagenetx/report"
)

// A report from values: the accumulator holds a model's predictions joined
// with the annotations; Input.Models adds what only the run knows — top-1
// and top-5 over every labelled image it scored (annotated or not) and the
// images that failed. The page leads with those numbers.
func ExampleWrite() {
	var classMetaclass [eval.NumClasses]int
	pose, _ := eval.FactorIndex("pose")
	var images []eval.Image
	for i := range 40 {
		images = append(images, eval.Image{FileName: fmt.Sprintf("%02d.JPEG", i), Class: i % 10, Factors: 1 << pose})
	}
	ds, err := eval.NewDataset(eval.DatasetOptions{}, classMetaclass, images)
	if err != nil {
		log.Fatal(err)
	}
	acc := eval.NewAccumulator(ds)
	for i, im := range images {
		class := im.Class
		if i%4 == 0 {
			class = 999 // a mistake on every fourth image
		}
		if err := acc.Add("my-model", predictions.Prediction{FileName: im.FileName, Class: class, Prob: 0.8}); err != nil {
			log.Fatal(err)
		}
	}
	in := report.Input{
		Title:       "my audit",
		Accumulator: acc,
		Models: []report.Model{{
			Name:   "my-model",
			Score:  report.Score{Labeled: 50, Top1: 38, TopK: 47, K: 5},
			Failed: []report.Failure{{File: "broken.JPEG", Stage: "decode", Reason: "unexpected EOF"}},
		}},
	}
	var page strings.Builder
	if err := report.Write(context.Background(), &page, in); err != nil {
		log.Fatal(err)
	}
	metric := regexp.MustCompile(`<span class="label">([^<]+)</span><span class="value">([^<]+)</span><span class="ci">([^<]*)</span><span class="of">([^<]+)</span>`)
	for _, m := range metric.FindAllStringSubmatch(page.String(), -1) {
		fmt.Println(m[1], m[2], m[3], m[4])
	}
	fmt.Println(strings.Contains(page.String(), `<a class="failed" href="#failed-0">1 failed</a>`))
	// Output:
	// top-1 76.00% [62.59%, 85.70%] of 50 labelled images
	// top-5 94.00% [83.78%, 97.94%] of 50 labelled images
	// top-1, annotated images 75.00% [59.81%, 85.81%] of 40 annotated images
	// true
}
