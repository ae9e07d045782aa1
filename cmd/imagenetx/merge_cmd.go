package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/imagenetx/imagenetx/internal/cli"
	"github.com/imagenetx/imagenetx/runfiles"
)

// mergeCommand is `imagenetx merge`: the outputs of the shards of one run
// put back together, checked (runfiles.Merge).
func mergeCommand() *cli.Command {
	var out, errorsPath string
	return &cli.Command{
		Name:  "merge",
		Usage: "imagenetx merge SHARD... -o predictions.csv [--errors FILE]",
		Short: "put the outputs of run/audit --shard i/n back together (checked; identical to one run)",
		Long: `
Puts the outputs of the shards of one sharded run back together. SHARD is a
predictions CSV of run --shard (with FILE.run.json and FILE.errors.csv
beside it) or an output folder of audit --shard (predictions.csv,
errors.csv, run.json). The shards must belong to one run (same model,
settings and image list) and cover every image exactly once; the result is
byte for byte what one unsharded run would have written.`,
		Args:    "SHARD...",
		MinArgs: 1, MaxArgs: -1,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&out, "o", "", "merged predictions CSV `FILE` (also writes FILE.run.json and, when images failed, the errors file)")
			fs.StringVar(&errorsPath, "errors", "", "merged errors CSV `FILE` (default: FILE with .errors.csv)")
		},
		Run: func(ctx context.Context, e *cli.Env, shards []string) error {
			if out == "" {
				return cli.Usagef("-o FILE is required")
			}
			o := runfiles.ForFile(out, errorsPath)
			res, err := runfiles.Merge(ctx, shards, o)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.Stderr, "merged %d shards: %d images (%d predicted, %d failed), image list %s… -> %s\n",
				res.Shards, res.Images, res.Images-res.Failed, res.Failed, res.Fingerprint[:12], o.Predictions)
			if res.Failed > 0 {
				return fmt.Errorf("%w: %d of %d images failed (see %s)", cli.ErrIncomplete, res.Failed, res.Images, o.Errors)
			}
			return nil
		},
	}
}
