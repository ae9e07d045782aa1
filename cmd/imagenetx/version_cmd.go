package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/imagenetx/imagenetx"
	"github.com/imagenetx/imagenetx/engine/ortlib"
	"github.com/imagenetx/imagenetx/internal/cli"
)

// versionCommand is `imagenetx version`.
func versionCommand() *cli.Command {
	var ortLib string
	return &cli.Command{
		Name:  "version",
		Usage: "imagenetx version [--ort-lib FILE]",
		Short: "this build's version and settings, and the ONNX Runtime it would use",
		Long: `
Prints the module's version, the Go toolchain and build settings (cgo, OS,
architecture, the source revision when built from a checkout), and the ONNX
Runtime library a run would load, with its version and path: what a bug
report needs.`,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&ortLib, "ort-lib", "", "the libonnxruntime.so `FILE` to report (default: $"+ortlib.EnvVar+", then set-up's)")
		},
		Run: func(ctx context.Context, e *cli.Env, _ []string) error {
			_, err := fmt.Fprint(e.Stdout, imagenetx.BuildVersion(ortLib))
			return err
		},
	}
}
