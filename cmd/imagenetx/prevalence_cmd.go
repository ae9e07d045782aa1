package main

import (
	"context"
	"fmt"
	"io"

	"github.com/imagenetx/imagenetx/eval/analysis"
)

// prevalenceCommand is `imagenetx prevalence`.
func prevalenceCommand() *command {
	var m analysisFlags
	return &command{
		name:  "prevalence",
		usage: "imagenetx prevalence --annotations DIR --predictions PATH... [-o FILE] [flags]",
		short: "prevalence shift of each factor among a model's mistakes",
		long: `
Prevalence shift of the factors among each model's mistakes, as the
reference toolkit's Prevalence: per factor, its share of all factor
annotations, its share among the mistakes' annotations, and
shift = (mistake share − share)/share (0/0 reads as 0). With --by-metaclass,
both shares are taken within each metaclass.`,
		flags: m.register,
		run: func(ctx context.Context, e *env, _ []string) error {
			acc, err := loadAccumulator(ctx, e, &m.dataset, &m.predictions, m.quiet)
			if err != nil {
				return err
			}
			models := acc.Models()
			reports := make([]analysis.PrevalenceReport, len(models))
			for i, name := range models {
				p, err := analysis.FromAccumulator(acc, name, m.errorType)
				if err != nil {
					return err
				}
				if reports[i], err = analysis.Prevalence(p); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
			t := analysis.NewPrevalenceTable(models, reports, m.byMetaclass)
			return e.writeOutput(m.out.path, func(w io.Writer) error { return analysis.WritePrevalence(w, t, m.out.format) })
		},
	}
}
