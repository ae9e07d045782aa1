// Command corrupttop1 measures a model's top-1 accuracy under the
// ImageNet-C corruptions two ways on the same crops: on imagecorruptions'
// own corrupted crops (made by scripts/corruptions_reference.py) and on
// imagenetx's (the corrupt variant step, seeded per image), so that the
// random corruptions can be checked to match the reference in distribution.
// scripts/corruptions_top1.sh drives it.
//
//	corrupttop1 crops -images DIR -out CROPS.npy -names NAMES.txt [-n N]
//	    the ImageNet-C crops (Resize 256, CenterCrop 224) of the first N
//	    images of DIR, in name order, for the reference script.
//	corrupttop1 eval -images DIR -ref REFDIR -jobs NAME:S,... [-n N] [-model M]
//	    top-1 on the clean crops, then per job on REFDIR/NAME_S.npy and on
//	    imagenetx's corrupted crops; prints one TSV line per job.
//	corrupttop1 apply -in CROPS.npy -out OUT.npy -spec CHAIN [-names NAMES.txt]
//	    the variant chain on each crop (keyed by its name, else its index),
//	    as the reference script's corrupt command does: scripts/bench.sh
//	    corruptions times the two whole processes side by side.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/imagenetx/imagenetx/datahome"
	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/models"
	"github.com/imagenetx/imagenetx/preprocess"
	"github.com/imagenetx/imagenetx/preprocess/npy"
	"github.com/imagenetx/imagenetx/preprocess/pix"
	"github.com/imagenetx/imagenetx/preprocess/variant"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: corrupttop1 crops|eval [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	images := fs.String("images", "", "image folder (val_227)")
	n := fs.Int("n", 0, "first N images in name order (0: all)")
	out := fs.String("out", "", "crops: output .npy")
	namesOut := fs.String("names", "", "crops: output file of image names")
	ref := fs.String("ref", "", "eval: folder of the reference's NAME_S.npy")
	jobs := fs.String("jobs", "", "eval: NAME:SEVERITY,...")
	model := fs.String("model", "mobilenetv2-12-int8", "eval: model")
	seed := fs.Uint64("seed", 0, "eval: variant seed")
	clean := fs.Bool("clean", true, "eval: also report the clean top-1")
	in := fs.String("in", "", "apply: input crops .npy")
	spec := fs.String("spec", "", "apply: variant chain")
	fs.Parse(os.Args[2:])
	if os.Args[1] == "apply" {
		if err := apply(*in, *out, *spec, *namesOut, *seed); err != nil {
			fail(err)
		}
		return
	}
	names, crops, err := loadCrops(*images, *n)
	if err != nil {
		fail(err)
	}
	switch os.Args[1] {
	case "crops":
		err = writeCrops(*out, *namesOut, names, crops)
	case "eval":
		err = eval(*model, *ref, strings.Split(*jobs, ","), *seed, *clean, names, crops)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "corrupttop1:", err)
	os.Exit(1)
}

func loadCrops(dir string, n int) ([]string, []*pix.RGB8, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if n > 0 {
		names = names[:min(n, len(names))]
	}
	p, err := preprocess.NewPipeline(preprocess.DefaultConfig(), "")
	if err != nil {
		return nil, nil, err
	}
	crops := make([]*pix.RGB8, len(names))
	for i, name := range names {
		img, err := preprocess.DecodeFile(filepath.Join(dir, name))
		if err != nil {
			return nil, nil, err
		}
		if crops[i], err = p.Crop(img); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return names, crops, nil
}

func writeCrops(out, namesOut string, names []string, crops []*pix.RGB8) error {
	var buf []uint8
	for _, c := range crops {
		buf = append(buf, c.Pix...)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := npy.WriteUint8(f, []int{len(crops), 224, 224, 3}, buf); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.WriteFile(namesOut, []byte(strings.Join(names, "\n")+"\n"), 0o644)
}

// classifier runs the model on crops, one thread, and returns top-1 classes.
type classifier struct {
	clf       *engine.Classifier
	mean, std [3]float32
}

func (c *classifier) top1(names []string, crops []*pix.RGB8) ([]int, error) {
	const batch = 16
	il := c.clf.Session.InputLen()
	classes := c.clf.IO.Classes
	in := make([]float32, batch*il)
	out := make([]float32, batch*classes)
	preds := make([]int, len(crops))
	for s := 0; s < len(crops); s += batch {
		k := min(batch, len(crops)-s)
		for i := range k {
			if err := preprocess.ToTensor(crops[s+i], c.mean, c.std, in[i*il:(i+1)*il], c.clf.IO.Layout); err != nil {
				return nil, err
			}
		}
		if err := c.clf.Session.Run(in[:k*il], k, out[:k*classes]); err != nil {
			return nil, err
		}
		for i := range k {
			p, err := c.clf.Config.Scorer.Predict(names[s+i], out[i*classes:(i+1)*classes])
			if err != nil {
				return nil, err
			}
			preds[s+i] = p.Class
		}
	}
	return preds, nil
}

func accuracy(names []string, preds []int, labels map[string]int) float64 {
	ok := 0
	for i, n := range names {
		if labels[n] == preds[i] {
			ok++
		}
	}
	return 100 * float64(ok) / float64(len(names))
}

func eval(model, refDir string, jobs []string, seed uint64, withClean bool, names []string, crops []*pix.RGB8) error {
	ann, err := datahome.Annotations()
	if err != nil {
		return err
	}
	labels, err := models.ReadFileLabels(filepath.Join(ann, "filename_label.csv"))
	if err != nil {
		return err
	}
	spec, err := models.Resolve(model, datahome.ModelDirs())
	if err != nil {
		return err
	}
	if err := engine.InitDefault(""); err != nil {
		return err
	}
	clf, err := engine.OpenClassifier(spec, engine.Options{Threads: 1, Workers: 1})
	if err != nil {
		return err
	}
	defer clf.Close()
	c := &classifier{clf: clf, mean: spec.Preprocess.Mean, std: spec.Preprocess.Std}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	if withClean {
		clean, err := c.top1(names, crops)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "# %s on %d images: clean top-1 %.2f%%\n", model, len(names), accuracy(names, clean, labels))
	}
	fmt.Fprintln(w, "corruption\tseverity\treference_top1\timagenetx_top1\tdifference\timagenetx_wall_s_per_image")
	w.Flush()
	for _, job := range jobs {
		name, sev, ok := strings.Cut(job, ":")
		if !ok {
			return fmt.Errorf("job %q: want NAME:SEVERITY", job)
		}
		a, err := npy.ReadFile(filepath.Join(refDir, name+"_"+sev+".npy"))
		if err != nil {
			return err
		}
		if len(a.Shape) != 4 || a.Shape[0] != len(names) {
			return fmt.Errorf("%s: reference shape %v for %d images", job, a.Shape, len(names))
		}
		refCrops := make([]*pix.RGB8, len(names))
		sz := 224 * 224 * 3
		for i := range refCrops {
			refCrops[i] = &pix.RGB8{Pix: a.U8[i*sz : (i+1)*sz], Stride: 224 * 3, W: 224, H: 224}
		}
		ch, err := variant.Parse("corrupt:name="+name+",severity="+sev, seed)
		if err != nil {
			return err
		}
		ours := make([]*pix.RGB8, len(names))
		t0 := time.Now()
		for i, cr := range crops {
			if ours[i], err = ch.Apply(cr.Clone(), names[i]); err != nil {
				return err
			}
		}
		per := time.Since(t0).Seconds() / float64(len(names))
		rp, err := c.top1(names, refCrops)
		if err != nil {
			return err
		}
		op, err := c.top1(names, ours)
		if err != nil {
			return err
		}
		ra, oa := accuracy(names, rp, labels), accuracy(names, op, labels)
		fmt.Fprintf(w, "%s\t%s\t%.2f\t%.2f\t%+.2f\t%.4f\n", name, sev, ra, oa, oa-ra, per)
		w.Flush()
	}
	return nil
}

func apply(in, out, spec, namesPath string, seed uint64) error {
	a, err := npy.ReadFile(in)
	if err != nil {
		return err
	}
	if len(a.Shape) != 4 || a.Shape[3] != 3 || a.U8 == nil {
		return fmt.Errorf("%s: shape %v, want uint8 (N, H, W, 3)", in, a.Shape)
	}
	var names []string
	if namesPath != "" {
		data, err := os.ReadFile(namesPath)
		if err != nil {
			return err
		}
		names = strings.Fields(string(data))
	}
	ch, err := variant.Parse(spec, seed)
	if err != nil {
		return err
	}
	h, w := a.Shape[1], a.Shape[2]
	sz := h * w * 3
	res := make([]uint8, 0, len(a.U8))
	for i := range a.Shape[0] {
		key := fmt.Sprint(i)
		if i < len(names) {
			key = names[i]
		}
		img := &pix.RGB8{Pix: a.U8[i*sz : (i+1)*sz], Stride: w * 3, W: w, H: h}
		o, err := ch.Apply(img, key)
		if err != nil {
			return err
		}
		res = append(res, o.Pix...)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := npy.WriteUint8(f, a.Shape, res); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
