package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/imagenetx/imagenetx/internal/atomicfile"
	"github.com/imagenetx/imagenetx/preprocess"
	"github.com/imagenetx/imagenetx/preprocess/npy"
)

// preprocessFlags are the settings of `imagenetx preprocess`.
type preprocessFlags struct {
	image, interp, mean, std, variant, out string
	resize, crop                           int
	cropPct                                float64
	seed                                   uint64
	uint8, strictDecode                    bool
}

// runPreprocess writes one image's model input (as torchvision 0.14 + Pillow
// 9.4 would make it) to a NumPy .npy file: the normalized float32 tensor
// (1,3,H,W), or with --uint8 the (H,W,3) uint8 image before ToTensor.
func runPreprocess(ctx context.Context, args []string) error {
	f, err := parsePreprocessFlags(args)
	if err != nil {
		return err
	}
	cfg, err := f.config()
	if err != nil {
		return err
	}
	p, err := preprocess.NewPipelineSeed(cfg, f.variant, f.seed)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	img, err := preprocess.DecodeOptions{Strict: f.strictDecode}.DecodeFile(f.image)
	if err != nil {
		return err
	}
	// Written through a temporary file renamed into place: an interrupted
	// run never leaves a truncated .npy behind.
	return atomicfile.Write(f.out, func(file io.Writer) error {
		w := bufio.NewWriter(file)
		if err := f.write(w, p, img); err != nil {
			return err
		}
		return w.Flush()
	})
}

func parsePreprocessFlags(args []string) (*preprocessFlags, error) {
	f := &preprocessFlags{}
	fs := flag.NewFlagSet("preprocess", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: imagenetx preprocess --image FILE [flags] -o OUT.npy")
		fs.PrintDefaults()
	}
	def := preprocess.DefaultConfig()
	fs.StringVar(&f.image, "image", "", "input image file (JPEG, PNG, ...)")
	fs.StringVar(&f.interp, "interpolation", "bilinear", "resize filter: bilinear or bicubic")
	fs.IntVar(&f.resize, "resize", def.ResizeSize, "resize the shorter side to N (0: crop / crop-pct)")
	fs.Float64Var(&f.cropPct, "crop-pct", 0, "timm crop_pct, used when --resize 0")
	fs.IntVar(&f.crop, "crop", def.CropSize, "center crop size")
	fs.StringVar(&f.mean, "mean", "0.485,0.456,0.406", "normalization mean a,b,c")
	fs.StringVar(&f.std, "std", "0.229,0.224,0.225", "normalization std a,b,c")
	fs.StringVar(&f.variant, "variant", "", "augmentation chain, e.g. brightness:factor=1.5+hflip")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of the random variant steps (with the file name)")
	fs.BoolVar(&f.uint8, "uint8", false, "write the (H,W,3) uint8 image before ToTensor")
	fs.BoolVar(&f.strictDecode, "strict-decode", false, strictDecodeUsage)
	fs.StringVar(&f.out, "o", "", "output .npy file")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	case f.image == "":
		return nil, errors.New("--image is required")
	case f.out == "":
		return nil, errors.New("-o OUT.npy is required")
	}
	return f, nil
}

func (f *preprocessFlags) config() (preprocess.Config, error) {
	cfg := preprocess.Config{ResizeSize: f.resize, CropSize: f.crop, CropPct: f.cropPct}
	var err error
	if cfg.Interpolation, err = preprocess.ParseInterpolation(f.interp); err != nil {
		return cfg, err
	}
	if cfg.Mean, err = parseTriple("--mean", f.mean); err != nil {
		return cfg, err
	}
	if cfg.Std, err = parseTriple("--std", f.std); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// parseTriple parses "a,b,c" into three float32s.
func parseTriple(name, s string) ([3]float32, error) {
	var out [3]float32
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return out, fmt.Errorf("%s %q: want three comma-separated numbers", name, s)
	}
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 32)
		if err != nil {
			return out, fmt.Errorf("%s %q: %w", name, s, err)
		}
		out[i] = float32(v)
	}
	return out, nil
}

// write runs the pipeline and encodes the result; the key seeding random
// variant steps is the file's base name, as in the engine.
func (f *preprocessFlags) write(w *bufio.Writer, p *preprocess.Pipeline, img *preprocess.RGB8) error {
	key := filepath.Base(f.image)
	if f.uint8 {
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
