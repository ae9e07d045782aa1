package main

import (
	"context"
	"io"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/analysis"
	"github.com/imagenetx/imagenetx/internal/cli"
)

// prevalenceCommand is `imagenetx prevalence`.
func prevalenceCommand() *cli.Command {
	var m analysisFlags
	return &cli.Command{
		Name:  "prevalence",
		Usage: "imagenetx prevalence [--annotations DIR] --predictions PATH... [-o FILE] [flags]",
		Short: "prevalence shift of each factor among a model's mistakes",
		Long: `
Prevalence shift of the factors among each model's mistakes, as the
reference toolkit's Prevalence: per factor, its share of all factor
annotations, its share among the mistakes' annotations, and
shift = (mistake share − share)/share (0/0 reads as 0). With --by-metaclass,
both shares are taken within each metaclass.`,
		Flags: m.register,
		Run: func(ctx context.Context, e *cli.Env, _ []string) error {
			acc, err := m.in.accumulate(ctx, e, eval.AccumulatorOptions{})
			if err != nil {
				return err
			}
			t, err := analysis.PrevalenceTableOf(acc, m.errorType, m.byMetaclass, m.minImages)
			if err != nil {
				return err
			}
			return e.WriteOutput(m.out.path, func(w io.Writer) error { return analysis.WritePrevalence(w, t, m.out.format) })
		},
	}
}
