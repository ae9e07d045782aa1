package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/imagenetx/imagenetx/runfiles"
)

// runMerge is `imagenetx merge`: the outputs of the shards of one run put
// back together, checked (runfiles.Merge).
func runMerge(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: imagenetx merge SHARD... -o preds.csv\n\n"+
			"SHARD is a predictions CSV of `run --shard` (with FILE.run.json and FILE.errors.csv beside it)\n"+
			"or an output folder of `audit --shard` (predictions.csv, errors.csv, run.json).")
		fs.PrintDefaults()
	}
	out := fs.String("o", "", "merged predictions CSV `FILE` (also writes FILE.run.json and, when images failed, the errors file)")
	errorsPath := fs.String("errors", "", "merged errors CSV `FILE` (default: FILE with .errors.csv)")
	inputs, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *out == "" || len(inputs) == 0 {
		fs.Usage()
		return errors.New("want SHARD files and -o FILE")
	}
	o := runfiles.ForFile(*out, *errorsPath)
	res, err := runfiles.Merge(ctx, inputs, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "merged %d shards: %d images (%d predicted, %d failed), image list %s… -> %s\n",
		res.Shards, res.Images, res.Images-res.Failed, res.Failed, res.Fingerprint[:12], o.Predictions)
	if res.Failed > 0 {
		return fmt.Errorf("%w: %d of %d images failed (see %s)", errIncomplete, res.Failed, res.Images, o.Errors)
	}
	return nil
}

// parseInterspersed parses flags that may come after the positional
// arguments too (`merge a.csv b.csv -o out.csv`), returning the positional
// ones; "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}
