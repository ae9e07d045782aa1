package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/imagenetx/imagenetx/eval/analysis"
)

const prevalenceUsage = `usage: imagenetx prevalence --predictions PATH --annotations DIR [flags]

Prevalence shift of the factors among each model's mistakes, as the
reference toolkit's Prevalence: per factor, its share of all factor
annotations, its share among the mistakes' annotations, and
shift = (mistake share − share)/share (0/0 reads as 0). With --by-metaclass,
both shares are taken within each metaclass.

flags:
`

// runPrevalence implements "imagenetx prevalence".
func runPrevalence(ctx context.Context, args []string) error {
	return prevalenceCommand(ctx, args, os.Stderr)
}

func prevalenceCommand(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("prevalence", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, prevalenceUsage)
		fs.PrintDefaults()
	}
	var m analysisFlags
	m.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := m.check(fs); err != nil {
		return err
	}
	acc, err := loadAccumulator(ctx, &m.dataset, m.predictions, m.quiet)
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
	return writeOutput(m.output, func(w io.Writer) error { return analysis.WritePrevalence(w, t, m.format) })
}
