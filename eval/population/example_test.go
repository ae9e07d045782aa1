package population_test

import (
	"context"
	"fmt"
	"log"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/population"
)

// The paper's comparison on a made-up population of six models in two
// groups, and a seventh model placed among them. LoadPublished reads the
// real population from the published results instead
// (Published.ByType: the paper's 209 models of four types).
func Example() {
	pop := &population.Population{By: "model_type", Groups: []string{"convnets", "transformers"}}
	for i, avg := range []float64{0.70, 0.72, 0.74, 0.76, 0.78, 0.80} {
		var r eval.Row
		r.Model, r.Average = fmt.Sprint("model", i), avg
		for f := range eval.NumFactors {
			// Harder factors have lower accuracy, a little noise per model.
			r.Factor[f] = avg - 0.01*float64(f) + 0.002*float64(i%3)
		}
		group := "convnets"
		if i%2 == 1 {
			group = "transformers"
		}
		pop.Models = append(pop.Models, population.Model{Row: r, Group: group})
	}
	c, err := population.Compare(pop)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range c.Rows[:2] {
		fmt.Printf("%s %s: %d models, mean error ratio %.3f ± %.3f, p = %.2f\n",
			eval.Factors[r.Factor], r.Group, r.NModels, r.MeanErrorRatio, r.StdErrorRatio, r.P)
	}
	cons, err := population.Consistent(context.Background(), pop, c)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("Kendall's W %.2f, mean Spearman ρ %.2f\n", cons.KendallW, cons.MeanSpearman)

	ref, err := population.NewReference(pop)
	if err != nil {
		log.Fatal(err)
	}
	var mine eval.Row
	mine.Model, mine.Average = "mine", 0.75
	for f := range eval.NumFactors {
		mine.Factor[f] = 0.75 - 0.01*float64(f)
	}
	mine.Factor[0] = 0.65 // much worse on pose than its peers
	p := ref.Place(&mine)[0]
	fmt.Printf("%s pose: error ratio %.2f, expected %.2f [%.2f, %.2f], percentile %.0f\n",
		p.Model, p.ErrorRatio, p.Expected, p.ExpectedLo, p.ExpectedHi, p.Percentile)
	// Output:
	// pose convnets: 3 models, mean error ratio 0.992 ± 0.008, p = 0.91
	// pose transformers: 3 models, mean error ratio 0.991 ± 0.010, p = 0.91
	// Kendall's W 1.00, mean Spearman ρ 1.00
	// mine pose: error ratio 1.40, expected 0.99 [0.97, 1.01], percentile 100
}
