package main

import (
	"context"
	"flag"
	"io"
	"path/filepath"

	"github.com/imagenetx/imagenetx/internal/cli"
	"github.com/imagenetx/imagenetx/preprocess"
)

// preprocessCommand is `imagenetx preprocess`.
func preprocessCommand() *cli.Command {
	var (
		image, variant, out string
		pipeline            pipelineFlags
		decode              decodeFlags
		seed                uint64
		uint8               bool
	)
	base := preprocess.DefaultConfig()
	return &cli.Command{
		Name:  "preprocess",
		Usage: "imagenetx preprocess --image FILE -o OUT.npy [flags]",
		Short: "one image through the torchvision-exact pipeline, saved as .npy",
		Long: `
Writes one image's model input, as torchvision 0.14 + Pillow 9.4 would make
it, to a NumPy .npy file: the normalised float32 tensor (1,3,H,W), or with
--uint8 the (H,W,3) uint8 image before ToTensor. The pipeline is
torchvision's ImageNet evaluation transform unless the flags change it.`,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&image, "image", "", "input image `FILE` (JPEG, PNG, …)")
			pipeline.register(fs, &base)
			fs.StringVar(&variant, "variant", "", "augmentation `CHAIN`, e.g. brightness:factor=1.5+hflip")
			fs.Uint64Var(&seed, "seed", 0, "`SEED` of the random variant steps (with the file name)")
			fs.BoolVar(&uint8, "uint8", false, "write the (H,W,3) uint8 image before ToTensor")
			decode.register(fs, false)
			fs.StringVar(&out, "o", "", "output .npy `FILE`")
		},
		Run: func(ctx context.Context, e *cli.Env, _ []string) error {
			switch {
			case image == "":
				return cli.Usagef("--image FILE is required")
			case out == "":
				return cli.Usagef("-o OUT.npy is required")
			}
			cfg := pipeline.s.ApplyPreprocess(base)
			if err := cfg.Validate(); err != nil {
				return err
			}
			p, err := preprocess.NewPipelineSeed(cfg, variant, seed)
			if err != nil {
				return err
			}
			img, err := decode.opts.DecodeFile(image)
			if err != nil {
				return err
			}
			return e.WriteOutput(out, func(w io.Writer) error { return p.WriteNPY(w, img, filepath.Base(image), uint8) })
		},
	}
}
