// Command imagenetx audits image classifiers with the ImageNet-X factor
// annotations: it runs ONNX models over validation images, breaks their
// mistakes down by factor of variation, and measures augmentation
// spill-over. Each subcommand lives in its own file; main only dispatches.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

type command struct {
	run     func(ctx context.Context, args []string) error
	summary string
}

func commands() map[string]command {
	return map[string]command{
		"setup":       {runSetup, "install ONNX Runtime, annotations and the default model (sha256-checked)"},
		"run":         {runRun, "predictions of a model over a folder of images (reference CSV)"},
		"audit":       {runAudit, "run + factor evaluation in one process"},
		"eval":        {runEval, "per-factor accuracy / error-ratio tables from prediction CSVs"},
		"preprocess":  {runPreprocess, "one image through the torchvision-exact pipeline, saved as .npy"},
		"spillover":   {runSpillover, "augmentation spill-over from tables of trained models"},
		"report":      {runReport, "self-contained HTML audit report (charts, tables, examples)"},
		"compare":     {runCompare, "paired per-factor comparison of two models (exact McNemar tests, corrected)"},
		"calibration": {runCalibration, "expected calibration error per factor, worst factor and overall"},
		"prevalence":  {runPrevalence, "prevalence shift of each factor among a model's mistakes"},
		"cooccur":     {runCooccur, "Spearman co-occurrence of the factors (and metaclasses)"},
		"sweep":       {runSweep, "test-time spill-over: one pass, every strength of a variant family"},
		"merge":       {runMerge, "put the outputs of run/audit --shard i/n back together (checked; identical to one run)"},
		"plot":        {runPlot, "one report chart as SVG or PNG"},
	}
}

// errIncomplete marks a run that finished but could not process every
// input; main exits with status 3 so scripts can tell it from a failure.
var errIncomplete = errors.New("incomplete")

func main() {
	os.Exit(realMain(os.Args[1:]))
}

func realMain(args []string) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(os.Stderr, "imagenetx: unknown command %q\n\n", args[0])
		usage(cmds)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := cmd.run(ctx, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errIncomplete):
		fmt.Fprintf(os.Stderr, "imagenetx %s: %v\n", args[0], err)
		return 3
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(os.Stderr, "imagenetx %s: interrupted\n", args[0])
		return 130
	default:
		fmt.Fprintf(os.Stderr, "imagenetx %s: %v\n", args[0], err)
		return 1
	}
}

func usage(cmds map[string]command) {
	fmt.Fprintln(os.Stderr, "usage: imagenetx <command> [flags]\n\ncommands:")
	for _, name := range sortedKeys(cmds) {
		fmt.Fprintf(os.Stderr, "  %-12s %s\n", name, cmds[name].summary)
	}
	fmt.Fprintln(os.Stderr, "\nRun 'imagenetx <command> -h' for the flags of a command.")
}
