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
