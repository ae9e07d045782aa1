package main

import (
	"bufio"
	"context"
	"flag"
	"io"
	"path/filepath"

	"github.com/imagenetx/imagenetx/preprocess"
	"github.com/imagenetx/imagenetx/preprocess/npy"
)

// preprocessCommand is `imagenetx preprocess`.
func preprocessCommand() *command {
	var (
		image, variant, out string
		pipeline            pipelineFlags
		decode              decodeFlags
		seed                uint64
		uint8               bool
	)
	base := preprocess.DefaultConfig()
	return &command{
		name:  "preprocess",
		usage: "imagenetx preprocess --image FILE -o OUT.npy [flags]",
		short: "one image through the torchvision-exact pipeline, saved as .npy",
		long: `
Writes one image's model input, as torchvision 0.14 + Pillow 9.4 would make
it, to a NumPy .npy file: the normalised float32 tensor (1,3,H,W), or with
--uint8 the (H,W,3) uint8 image before ToTensor. The pipeline is
torchvision's ImageNet evaluation transform unless the flags change it.`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&image, "image", "", "input image `FILE` (JPEG, PNG, …)")
			pipeline.register(fs, &base)
			fs.StringVar(&variant, "variant", "", "augmentation `CHAIN`, e.g. brightness:factor=1.5+hflip")
			fs.Uint64Var(&seed, "seed", 0, "`SEED` of the random variant steps (with the file name)")
			fs.BoolVar(&uint8, "uint8", false, "write the (H,W,3) uint8 image before ToTensor")
			decode.register(fs, false)
			fs.StringVar(&out, "o", "", "output .npy `FILE`")
		},
		run: func(ctx context.Context, e *env, _ []string) error {
			switch {
			case image == "":
				return usagef("--image FILE is required")
			case out == "":
				return usagef("-o OUT.npy is required")
			}
			cfg := pipeline.settings().ApplyPreprocess(base)
			if err := cfg.Validate(); err != nil {
				return err
			}
			p, err := preprocess.NewPipelineSeed(cfg, variant, seed)
			if err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			img, err := decode.opts.DecodeFile(image)
			if err != nil {
				return err
			}
			return e.writeOutput(out, func(w io.Writer) error {
				bw := bufio.NewWriter(w)
				if err := writeModelInput(bw, p, img, filepath.Base(image), uint8); err != nil {
					return err
				}
				return bw.Flush()
			})
		},
	}
}

// writeModelInput runs the pipeline and encodes the result; key, the file's
// base name, seeds random variant steps, as in the engine.
func writeModelInput(w *bufio.Writer, p *preprocess.Pipeline, img *preprocess.RGB8, key string, uint8 bool) error {
	if uint8 {
		out, err := p.Image(img, key)
		if err != nil {
			return err
		}
		return npy.WriteUint8(w, []int{out.H, out.W, 3}, out.Clone().Pix)
	}
	t := make([]float32, p.TensorLen())
	if err := p.Tensor(img, key, t, preprocess.NCHW); err != nil {
		return err
	}
	c := p.Config().CropSize
	return npy.WriteFloat32(w, []int{1, 3, c, c}, t)
}
