package eval_test

import (
	"fmt"
	"log"
	"os"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/tabular"
	"github.com/imagenetx/imagenetx/predictions"
)

// A factor table from values: three annotated images, one model's
// predictions, the table in markdown. eval/load reads the ImageNet-X
// release into a Dataset and prediction files into the Accumulator.
func Example() {
	var classMetaclass [eval.NumClasses]int // every class "device" here
	pose, _ := eval.FactorIndex("pose")
	ds, err := eval.NewDataset(eval.DatasetOptions{}, classMetaclass, []eval.Image{
		{FileName: "a.JPEG", Class: 1, Factors: 1 << pose},
		{FileName: "b.JPEG", Class: 2, Factors: 1 << pose},
		{FileName: "c.JPEG", Class: 3},
	})
	if err != nil {
		log.Fatal(err)
	}
	acc := eval.NewAccumulator(ds)
	for _, p := range []predictions.Prediction{
		{FileName: "a.JPEG", Class: 1, Prob: 0.9},
		{FileName: "b.JPEG", Class: 7, Prob: 0.4},
		{FileName: "c.JPEG", Class: 3, Prob: 0.8},
	} {
		if err := acc.Add("my-model", p); err != nil {
			log.Fatal(err)
		}
	}
	tbl, err := acc.Table(eval.ErrorClass)
	if err != nil {
		log.Fatal(err)
	}
	row, _ := tbl.Row("my-model")
	fmt.Printf("top-1 %.4f, pose %.4f (error ratio %.2f) over %d images\n",
		row.Average, row.Factor[pose], row.ErrorRatio(pose), row.N)
	if err := eval.WriteTable(os.Stdout, tbl, tabular.CSV, eval.ViewErrorRatio); err != nil {
		log.Fatal(err)
	}
	// Output:
	// top-1 0.6667, pose 0.5000 (error ratio 1.50) over 3 images
	// model,pose,background,pattern,color,smaller,shape,partial_view,subcategory,texture,larger,darker,object_blocking,person_blocking,style,brighter,multiple_objects
	// my-model,1.4999999999999998,,,,,,,,,,,,,,,
}

// A model's summary with top-5: predictions that rank five classes (as
// `imagenetx run --topk 5` writes them) into an accumulator that tallies
// top-5; per factor, the counts, the accuracies with Wilson intervals, the
// error ratio with its interval, and whether the factor has enough images
// to be singled out.
func ExampleAccumulator_Summary() {
	var classMetaclass [eval.NumClasses]int
	pose, _ := eval.FactorIndex("pose")
	var images []eval.Image
	for i := range 40 {
		im := eval.Image{FileName: fmt.Sprintf("%02d.JPEG", i), Class: i % 10}
		if i < 8 {
			im.Factors = 1 << pose
		}
		images = append(images, im)
	}
	ds, err := eval.NewDataset(eval.DatasetOptions{}, classMetaclass, images)
	if err != nil {
		log.Fatal(err)
	}
	acc := eval.NewAccumulatorWith(ds, eval.AccumulatorOptions{TopK: 5})
	for i, im := range images {
		// wrong at rank 1 on every 4th image; the truth at rank 2
		ranked := []predictions.ClassProb{{Class: im.Class, Prob: 0.6}, {Class: 100, Prob: 0.1}, {Class: 101, Prob: 0.1}, {Class: 102, Prob: 0.1}, {Class: 103, Prob: 0.1}}
		if i%4 == 0 {
			ranked[0], ranked[1] = ranked[1], ranked[0]
		}
		p := predictions.Prediction{FileName: im.FileName, Class: ranked[0].Class, Prob: ranked[0].Prob, TopK: ranked}
		if err := acc.Add("my-model", p); err != nil {
			log.Fatal(err)
		}
	}
	s, err := acc.Summary("my-model", eval.ErrorClass, eval.IntervalOptions{Confidence: 0.95, MinImages: eval.DefaultMinImages})
	if err != nil {
		log.Fatal(err)
	}
	f := s.Factors[pose]
	fmt.Printf("top-1 %d/%d, top-%d %d/%d\n", s.Top1.Correct, s.Top1.N, s.K, s.TopK.Correct, s.TopK.N)
	fmt.Printf("pose: top-1 %.2f [%.2f, %.2f], top-5 %.2f, error ratio %.2f [%.2f, %.2f] on %d images; enough to single out: %v\n",
		f.Top1.Value, f.Top1.Lo, f.Top1.Hi, f.TopK.Value, f.ErrorRatio, f.ERLo, f.ERHi, f.Top1.N, f.Enough)
	// Output:
	// top-1 30/40, top-5 40/40
	// pose: top-1 0.75 [0.41, 0.93], top-5 1.00, error ratio 1.00 [0.25, 2.05] on 8 images; enough to single out: false
}
