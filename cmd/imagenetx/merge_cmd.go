package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/imagenetx/imagenetx/internal/cli"
	"github.com/imagenetx/imagenetx/runfiles"
)

// mergeCommand is `imagenetx merge`: the outputs of the shards of one run
// put back together, checked (runfiles.Merge).
func mergeCommand() *cli.Command {
	var out, errorsPath string
	return &cli.Command{
		Name:  "merge",
		Usage: "imagenetx merge SHARD... -o FILE.csv [--errors FILE]\nimagenetx merge SHARDDIR... -o OUTDIR",
		Short: "put the outputs of run/audit --shard i/n back together (checked, as one run)",
		Long: `
Puts the outputs of the shards of one sharded run back together. SHARD is a
predictions CSV of run --shard (with its run.json and errors file beside it)
or an output folder of audit --shard holding one model's files
(NAME.predictions.csv, NAME.errors.csv, NAME.run.json). The shards must belong
to one run (same model, name, settings and image list) and cover every image
exactly once; the result is byte for byte what one unsharded run would have
written.

When every SHARD is an audit's output folder and -o does not end in .csv,
-o names a folder, and every model of the shards (an audit of several models
holds several) is merged into it under its name, as the unsharded audit
would have written it.`,
		Args:    "SHARD...",
		MinArgs: 1, MaxArgs: -1,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&out, "o", "", "merged predictions CSV `FILE` (also writes its run.json and, when images failed, its errors file), or the output folder of merged audit folders")
			fs.StringVar(&errorsPath, "errors", "", "merged errors CSV `FILE` (default: FILE with .errors.csv)")
		},
		Run: func(ctx context.Context, e *cli.Env, shards []string) error {
			if out == "" {
				return cli.Usagef("-o FILE is required")
			}
			if runfiles.AllFolders(shards) && !strings.HasSuffix(strings.ToLower(out), ".csv") {
				if errorsPath != "" {
					return cli.Usagef("--errors names one model's errors file; merged folders hold each model's beside its predictions")
				}
				results, err := runfiles.MergeFolders(ctx, shards, out)
				for _, res := range results {
					reportMerge(e, res, runfiles.ForModel(out, res.Model))
				}
				if err != nil {
					return err
				}
				return mergeOutcome(results, out)
			}
			o := runfiles.ForFile(out, errorsPath)
			if err := checkOutputs(o); err != nil {
				return err
			}
			res, err := runfiles.Merge(ctx, shards, o)
			if err != nil {
				return err
			}
			reportMerge(e, res, o)
			if res.Failed > 0 {
				return fmt.Errorf("%w: %d of %d images failed (see %s)", cli.ErrIncomplete, res.Failed, res.Images, o.Errors)
			}
			return nil
		},
	}
}

// reportMerge says on stderr what one merge wrote to o.
func reportMerge(e *cli.Env, res runfiles.MergeResult, o runfiles.Outputs) {
	what := fmt.Sprintf("%d shards", res.Shards)
	if res.Model != "" {
		what += " of " + res.Model
	}
	fmt.Fprintf(e.Stderr, "merged %s: %d images (%d predicted, %d failed), image list %s… -> %s\n",
		what, res.Images, res.Images-res.Failed, res.Failed, res.Fingerprint[:12], o.Predictions)
}

// mergeOutcome is merged folders' error: any model's failed images make the
// merge incomplete.
func mergeOutcome(results []runfiles.MergeResult, out string) error {
	var failed []string
	for _, res := range results {
		if res.Failed > 0 {
			failed = append(failed, fmt.Sprintf("%s: %d of %d (see %s)", res.Model, res.Failed, res.Images, runfiles.ForModel(out, res.Model).Errors))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%w: images failed: %s", cli.ErrIncomplete, strings.Join(failed, "; "))
	}
	return nil
}
