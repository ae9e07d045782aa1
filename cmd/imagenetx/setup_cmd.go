package main

import (
	"context"
	"flag"
	"strings"

	"github.com/imagenetx/imagenetx"
	"github.com/imagenetx/imagenetx/datahome"
	"github.com/imagenetx/imagenetx/engine/ortlib"
	"github.com/imagenetx/imagenetx/internal/cli"
	"github.com/imagenetx/imagenetx/models"
)

// setupCommand is `imagenetx setup` (imagenetx.Setup).
func setupCommand() *cli.Command {
	var opts imagenetx.SetupOptions
	return &cli.Command{
		Name:  "setup",
		Usage: "imagenetx setup [flags]",
		Short: "install ONNX Runtime, annotations and the default model (sha256-checked)",
		Long: `
Installs the ONNX Runtime library (taken out of npm pack onnxruntime-node),
the ImageNet-X annotations and the default model, every file checked
against its pinned sha256, and records the library's place in the data home
so that imagenetx finds it from any directory. Files already in place are
only checked. With --gpu it also installs the CUDA-enabled ONNX Runtime
that --device cuda:N loads and names the CUDA and cuDNN libraries it still
lacks, with where it looked.`,
		Flags: func(fs *flag.FlagSet) {
			home, _ := datahome.Dir()
			fs.StringVar(&opts.Home, "home", home, "data `DIR` for annotations/ and models/ (env "+datahome.EnvVar+")")
			fs.StringVar(&opts.Mirror, "mirror", datahome.Mirror(), "local `DIR` laid out like the data home, tried before upstream (env "+datahome.MirrorEnvVar+", else ../shared/imagenetx beside the checkout of this binary)")
			cli.Var(fs, &opts.Models, "models", models.DefaultName, modelList, "comma-separated registered `MODELS` to fetch (all for every one)")
			fs.StringVar(&opts.RuntimeDest, "ort-dest", "", "`FILE` or folder to install libonnxruntime.so.1 into (default: the checkout's .cache/onnxruntime)")
			fs.StringVar(&opts.RuntimeTarball, "ort-tarball", "", "use this onnxruntime-node tarball `FILE` instead of running npm pack")
			fs.BoolVar(&opts.SkipRuntime, "no-ort", false, "skip the ONNX Runtime library")
			fs.BoolVar(&opts.SkipData, "no-data", false, "skip annotations and models")
			fs.BoolVar(&opts.Train, "train", false, "also fetch the train-set annotations")
			fs.BoolVar(&opts.GPU, "gpu", false, "also install the CUDA-enabled ONNX Runtime "+ortlib.GPUVersion+" for --device cuda:N and check the CUDA and cuDNN libraries it needs")
			fs.StringVar(&opts.GPUDir, "gpu-dir", "", "with --gpu: install into `DIR` (default: the checkout's .cache/onnxruntime-gpu)")
			fs.StringVar(&opts.GPUTarballs, "gpu-tarballs", "", "with --gpu: take the npm tarballs from `DIR` (named as npm pack names them) instead of running npm pack")
			fs.StringVar(&opts.Python, "python", "", "with --gpu: also look for CUDA and cuDNN in this `PYTHON`'s site-packages nvidia/*/lib (default: python3 on PATH)")
		},
		Run: func(ctx context.Context, e *cli.Env, _ []string) error {
			return imagenetx.Setup(ctx, opts, e.Stderr)
		},
	}
}

// modelList reads "a,b" (registered models, checked by imagenetx.Setup;
// "all" for every one).
func modelList(s string) ([]string, error) {
	var names []string
	for _, name := range strings.Split(s, ",") {
		switch name = strings.TrimSpace(name); {
		case name == "all":
			for _, m := range models.Known() {
				names = append(names, m.Name)
			}
		case name != "":
			names = append(names, name)
		}
	}
	return names, nil
}
