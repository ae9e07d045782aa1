// Command imagenetx audits image classifiers with the ImageNet-X factor
// annotations: it runs ONNX models over validation images, breaks their
// mistakes down by factor of variation, and measures augmentation
// spill-over.
//
// The command layer holds no logic of its own: each command (one file
// each) is an internal/cli Command whose flags fill the configuration of a
// library call (package imagenetx, runfiles, eval/…, report), whose result
// it writes. The flag groups several commands share (model, decoding,
// images, annotations, predictions, outputs) are defined once, in
// flags.go.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/imagenetx/imagenetx/internal/cli"
)

// program is the command line: every command, by constructor.
func program() *cli.Program {
	return &cli.Program{
		Name:    "imagenetx",
		Summary: "imagenetx audits ImageNet classifiers with the ImageNet-X factor annotations.",
		Commands: []func() *cli.Command{
			setupCommand, runCommand, auditCommand, evalCommand, compareCommand, calibrationCommand,
			prevalenceCommand, cooccurCommand, spilloverCommand, sweepCommand, typesCommand, preprocessCommand,
			reportCommand, plotCommand, mergeCommand, versionCommand,
		},
	}
}

func main() {
	os.Exit(realMain(os.Args[1:]))
}

// realMain runs the command line and returns the exit status (see
// cli.Program.ExitStatus); SIGINT and SIGTERM cancel the command.
func realMain(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return exitStatus(args, execute(ctx, args, os.Stdout, os.Stderr), os.Stderr)
}

// execute runs `imagenetx args…` with the given streams.
func execute(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return program().Execute(ctx, args, stdout, stderr)
}

// exitStatus maps execute's error to the exit status, saying what went
// wrong on stderr.
func exitStatus(args []string, err error, stderr io.Writer) int {
	return program().ExitStatus(args, err, stderr)
}
