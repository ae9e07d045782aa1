// Command imagenetx audits image classifiers with the ImageNet-X factor
// annotations: it runs ONNX models over validation images, breaks their
// mistakes down by factor of variation, and measures augmentation
// spill-over.
//
// The command layer holds no logic of its own: each command (one file
// each) turns its flags into the configuration of a library call and
// writes what the call returns. The command type, its usage and argument
// checks live in command.go; the flag groups that several commands share
// (model, decoding, images, annotations, predictions, outputs) in flags.go.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// commands are the constructors of every command.
func commands() []func() *command {
	return []func() *command{
		setupCommand, runCommand, auditCommand, evalCommand, compareCommand, calibrationCommand,
		prevalenceCommand, cooccurCommand, spilloverCommand, sweepCommand, preprocessCommand,
		reportCommand, plotCommand, mergeCommand,
	}
}

func main() {
	os.Exit(realMain(os.Args[1:]))
}

// realMain runs the command line and returns the exit status: 0 done (or
// help shown), 1 failed, 2 a usage error, 3 a run that finished with failed
// images, 130 interrupted.
func realMain(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return exitStatus(args, execute(ctx, args, os.Stdout, os.Stderr), os.Stderr)
}

// exitStatus maps a command's error to the exit status, saying what went
// wrong on stderr.
func exitStatus(args []string, err error, stderr io.Writer) int {
	prefix := "imagenetx"
	if len(args) > 0 {
		if _, ok := lookup(args[0]); ok {
			prefix += " " + args[0]
		}
	}
	var usage usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &usage) && usage.shown:
		return 2
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "%s: %v\nRun 'imagenetx help", prefix, err)
		if prefix != "imagenetx" {
			fmt.Fprint(stderr, " "+args[0])
		}
		fmt.Fprintln(stderr, "' for usage.")
		return 2
	case errors.Is(err, errIncomplete):
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return 3
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "%s: interrupted\n", prefix)
		return 130
	default:
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return 1
	}
}
