package variant

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/imagenetx/imagenetx/preprocess/pix"
	"github.com/imagenetx/imagenetx/preprocess/resample"
)

type applyFunc = func(img *pix.RGB8, rng *rand.Rand) (*pix.RGB8, error)

// builder turns a step's parameters into its apply function.
type builder struct {
	required, optional []string
	// words are the keys (among required and optional) whose values are
	// names, not numbers.
	words []string
	make  func(p params) (applyFunc, error)
	// random, when set, says whether the step with these parameters draws
	// random numbers (a step of randomBuilders always does).
	random func(p params) bool
}

func (b builder) build(p params) (applyFunc, error) {
	for _, k := range slices.Concat(slices.Collect(maps.Keys(p.num)), slices.Collect(maps.Keys(p.word))) {
		if !slices.Contains(b.required, k) && !slices.Contains(b.optional, k) {
			return nil, fmt.Errorf("unknown parameter %q (takes %v)", k, slices.Concat(b.required, b.optional))
		}
	}
	for _, k := range b.required {
		if !p.has(k) {
			return nil, fmt.Errorf("missing parameter %q", k)
		}
	}
	for k, v := range p.num {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("parameter %s = %v: must be finite", k, v)
		}
	}
	return b.make(p)
}

// inPlace wraps an in-place operation as an applyFunc.
func inPlace(f func(img *pix.RGB8)) applyFunc {
	return func(img *pix.RGB8, _ *rand.Rand) (*pix.RGB8, error) { f(img); return img, nil }
}

func nonNegative(name string, v float64) error {
	if v < 0 {
		return fmt.Errorf("%s = %v: must be >= 0", name, v)
	}
	return nil
}

func probability(v float64) error {
	if v < 0 || v > 1 {
		return fmt.Errorf("p = %v: must be in [0, 1]", v)
	}
	return nil
}

func factorStep(fn func(*pix.RGB8, float64)) builder {
	return builder{required: []string{"factor"}, make: func(p params) (applyFunc, error) {
		f := p.num["factor"]
		if err := nonNegative("factor", f); err != nil {
			return nil, err
		}
		return inPlace(func(img *pix.RGB8) { fn(img, f) }), nil
	}}
}

// builders are the deterministic steps.
var builders = map[string]builder{
	"brightness": factorStep(adjustBrightness),
	"contrast":   factorStep(adjustContrast),
	"saturation": factorStep(adjustSaturation),
	"hue": {required: []string{"factor"}, make: func(p params) (applyFunc, error) {
		h := p.num["factor"]
		if h < -0.5 || h > 0.5 {
			return nil, fmt.Errorf("factor = %v: must be in [-0.5, 0.5]", h)
		}
		return inPlace(func(img *pix.RGB8) { adjustHue(img, h) }), nil
	}},
	"grayscale": {make: func(params) (applyFunc, error) { return inPlace(grayscale), nil }},
	"hflip":     {make: func(params) (applyFunc, error) { return inPlace(hflip), nil }},
	"blur": {required: []string{"kernel", "sigma"}, make: func(p params) (applyFunc, error) {
		k, s := p.num["kernel"], p.num["sigma"]
		if k != math.Trunc(k) || k < 1 || int(k)%2 != 1 || k > 1023 {
			return nil, fmt.Errorf("kernel = %v: must be an odd integer in 1..1023", k)
		}
		if !(s > 0) {
			return nil, fmt.Errorf("sigma = %v: must be > 0", s)
		}
		return func(img *pix.RGB8, _ *rand.Rand) (*pix.RGB8, error) { return gaussianBlur(img, int(k), s) }, nil
	}},
	"rotate": {required: []string{"degrees"}, make: func(p params) (applyFunc, error) {
		d := p.num["degrees"]
		return func(img *pix.RGB8, _ *rand.Rand) (*pix.RGB8, error) { return rotate(img, d), nil }, nil
	}},
	// corrupt draws from the image's generator when its corruption is
	// random (corruptStep.random says which).
	"corrupt": corruptStep,
}

// randomBuilders are the steps that draw from the per-image generator.
var randomBuilders = map[string]builder{
	"colorjitter": {optional: []string{"brightness", "contrast", "saturation", "hue"}, make: makeColorJitter},
	"crop":        {required: []string{"scale"}, make: makeZoom},
	"randomrotate": {required: []string{"degrees"}, make: func(p params) (applyFunc, error) {
		d := p.num["degrees"]
		if err := nonNegative("degrees", d); err != nil {
			return nil, err
		}
		return func(img *pix.RGB8, rng *rand.Rand) (*pix.RGB8, error) {
			return rotate(img, uniform(rng, -d, d)), nil
		}, nil
	}},
	"randomgrayscale": {required: []string{"p"}, make: func(p params) (applyFunc, error) {
		return withProbability(p.num["p"], grayscale)
	}},
	"randomhflip": {required: []string{"p"}, make: func(p params) (applyFunc, error) {
		return withProbability(p.num["p"], hflip)
	}},
}

// StepNames lists every step name Parse accepts.
func StepNames() []string {
	var names []string
	for n := range builders {
		names = append(names, n)
	}
	for n := range randomBuilders {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func uniform(rng *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }

func withProbability(prob float64, f func(*pix.RGB8)) (applyFunc, error) {
	if err := probability(prob); err != nil {
		return nil, err
	}
	return func(img *pix.RGB8, rng *rand.Rand) (*pix.RGB8, error) {
		if rng.Float64() < prob {
			f(img)
		}
		return img, nil
	}, nil
}

// makeColorJitter is transforms.ColorJitter(b, c, s, h).
func makeColorJitter(p params) (applyFunc, error) {
	for _, k := range []string{"brightness", "contrast", "saturation"} {
		if err := nonNegative(k, p.num[k]); err != nil {
			return nil, err
		}
	}
	if h := p.num["hue"]; h < 0 || h > 0.5 {
		return nil, fmt.Errorf("hue = %v: must be in [0, 0.5]", h)
	}
	b, c, s, h := p.num["brightness"], p.num["contrast"], p.num["saturation"], p.num["hue"]
	return func(img *pix.RGB8, rng *rand.Rand) (*pix.RGB8, error) {
		order := rng.Perm(4)
		bf := uniform(rng, max(0, 1-b), 1+b)
		cf := uniform(rng, max(0, 1-c), 1+c)
		sf := uniform(rng, max(0, 1-s), 1+s)
		hf := uniform(rng, -h, h)
		for _, fn := range order {
			switch {
			case fn == 0 && b > 0:
				adjustBrightness(img, bf)
			case fn == 1 && c > 0:
				adjustContrast(img, cf)
			case fn == 2 && s > 0:
				adjustSaturation(img, sf)
			case fn == 3 && h > 0:
				adjustHue(img, hf)
			}
		}
		return img, nil
	}, nil
}

// makeZoom is RandomResizedCrop(size, scale=(s, 1), ratio=(3/4, 4/3)) on the crop.
func makeZoom(p params) (applyFunc, error) {
	s := p.num["scale"]
	if !(s > 0 && s <= 1) {
		return nil, fmt.Errorf("scale = %v: must be in (0, 1]", s)
	}
	return func(img *pix.RGB8, rng *rand.Rand) (*pix.RGB8, error) {
		top, left, h, w := resizedCropParams(img.W, img.H, s, rng)
		if w == img.W && h == img.H {
			return img, nil
		}
		sub := &pix.RGB8{Pix: img.Pix[top*img.Stride+3*left:], Stride: img.Stride, W: w, H: h}
		return resample.Resize(nil, sub, img.W, img.H, pix.Bilinear, nil)
	}, nil
}

// resizedCropParams is RandomResizedCrop.get_params with ratio (3/4, 4/3).
func resizedCropParams(width, height int, scale float64, rng *rand.Rand) (top, left, h, w int) {
	const minRatio, maxRatio = 3.0 / 4.0, 4.0 / 3.0
	area := float64(width * height)
	logLo, logHi := math.Log(minRatio), math.Log(maxRatio)
	for range 10 {
		target := area * uniform(rng, scale, 1)
		ar := math.Exp(uniform(rng, logLo, logHi))
		w = int(math.RoundToEven(math.Sqrt(target * ar)))
		h = int(math.RoundToEven(math.Sqrt(target / ar)))
		if w > 0 && w <= width && h > 0 && h <= height {
			return rng.IntN(height - h + 1), rng.IntN(width - w + 1), h, w
		}
	}
	in := float64(width) / float64(height)
	switch {
	case in < minRatio:
		w, h = width, int(math.RoundToEven(float64(width)/minRatio))
	case in > maxRatio:
		h, w = height, int(math.RoundToEven(float64(height)*maxRatio))
	default:
		w, h = width, height
	}
	return (height - h) / 2, (width - w) / 2, h, w
}
