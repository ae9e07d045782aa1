// Package variant applies augmentation chains to the uint8 center crop,
// before ToTensor, each step reproducing torchvision 0.14's functional
// transform on a PIL image (Pillow 9.4) bit for bit where it is
// deterministic.
//
// A spec is `step[+step...]`, a step `name[:key=value[,key=value...]]`:
//
//	brightness:factor=F        F.adjust_brightness (ImageEnhance.Brightness), F >= 0
//	contrast:factor=F          F.adjust_contrast (ImageEnhance.Contrast), F >= 0
//	saturation:factor=F        F.adjust_saturation (ImageEnhance.Color), F >= 0
//	hue:factor=H               F.adjust_hue via PIL's 8-bit HSV, -0.5 <= H <= 0.5
//	grayscale                  F.rgb_to_grayscale(num_output_channels=3)
//	blur:kernel=K,sigma=S      F.gaussian_blur(img, [K, K], [S, S]), K odd
//	hflip                      F.hflip
//	rotate:degrees=D           F.rotate(img, D): nearest, expand=False, about the centre, fill 0
//
// The ImageNet-C corruptions of imagecorruptions 1.1.2 (package corrupt),
// as ImageNet-C applies them to the 224×224 crop:
//
//	corrupt:name=NAME,severity=S[,numpy_seed=N]
//	    NAME one of corrupt.Names() (gaussian_noise, …, saturate), S 1 to 5.
//	    The random ones draw from the per-image generator below; with
//	    numpy_seed=N they draw from NumPy's legacy generator seeded by
//	    np.random.seed(N) for each image instead, reproducing
//	    imagecorruptions' own image draw for draw (all random ones but
//	    impulse_noise and glass_blur). frost reads its six overlays from
//	    FrostDir (set-up installs them in the data home).
//
// Random steps draw from a generator seeded by (seed, key), key being the
// image's file name, so a result never depends on worker count or order:
//
//	colorjitter:brightness=B,contrast=C,saturation=S,hue=H
//	    transforms.ColorJitter(B, C, S, H): factors uniform in [max(0,1-B), 1+B]
//	    (likewise C, S), hue uniform in [-H, H], applied in a random order;
//	    omitted or zero keys are skipped.
//	crop:scale=S
//	    zoom: transforms.RandomResizedCrop(crop, scale=(S, 1), ratio=(3/4, 4/3))
//	    on the crop, resized back to its size with Pillow's bilinear resize.
//	randomrotate:degrees=D     rotate by an angle uniform in [-D, D]
//	randomgrayscale:p=P        grayscale with probability P
//	randomhflip:p=P            hflip with probability P
//
// The random draws use this package's generator (PCG), not torch's, so they
// match torchvision in distribution, not draw for draw.
package variant

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// Chain is a parsed variant spec. It is immutable and safe for concurrent use.
type Chain struct {
	spec  string
	seed  uint64
	steps []step
}

// step is one parsed step; apply may modify img in place and returns the result.
type step struct {
	name   string
	random bool
	apply  func(img *pix.RGB8, rng *rand.Rand) (*pix.RGB8, error)
}

// Parse parses a spec; seed (with each image's key) seeds the random steps.
func Parse(spec string, seed uint64) (*Chain, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, fmt.Errorf("variant spec is empty")
	}
	c := &Chain{spec: spec, seed: seed}
	for i, text := range strings.Split(spec, "+") {
		st, err := parseStep(strings.TrimSpace(text))
		if err != nil {
			return nil, fmt.Errorf("variant %q step %d: %w", spec, i+1, err)
		}
		c.steps = append(c.steps, st)
	}
	return c, nil
}

// String returns the spec the chain was parsed from.
func (c *Chain) String() string { return c.spec }

// Seed returns the chain's seed.
func (c *Chain) Seed() uint64 { return c.seed }

// Random reports whether any step draws random numbers.
func (c *Chain) Random() bool {
	for _, s := range c.steps {
		if s.random {
			return true
		}
	}
	return false
}

// Apply runs the chain on img. It may overwrite img and may return it; key
// (the image's file name) seeds the random steps.
func (c *Chain) Apply(img *pix.RGB8, key string) (*pix.RGB8, error) {
	if err := img.Validate(); err != nil {
		return nil, fmt.Errorf("variant %s: %w", c.spec, err)
	}
	rng := rngFor(c.seed, key)
	for _, s := range c.steps {
		out, err := s.apply(img, rng)
		if err != nil {
			return nil, fmt.Errorf("variant %s on %s: %w", s.name, key, err)
		}
		img = out
	}
	return img, nil
}

// rngFor derives an independent generator from the seed and the key.
func rngFor(seed uint64, key string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(key))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// params is a step's key=value list: numbers, and words for the keys a
// step declares word-valued (builder.words), such as corrupt's name.
type params struct {
	num  map[string]float64
	word map[string]string
}

// has reports whether key was given.
func (p params) has(key string) bool {
	_, n := p.num[key]
	_, w := p.word[key]
	return n || w
}

func parseStep(text string) (step, error) {
	name, args, _ := strings.Cut(text, ":")
	name = strings.ToLower(strings.TrimSpace(name))
	b, ok := builders[name]
	random := false
	if !ok {
		if b, ok = randomBuilders[name]; !ok {
			return step{}, fmt.Errorf("unknown step %q (known: %s)", name, strings.Join(StepNames(), ", "))
		}
		random = true
	}
	p := params{num: map[string]float64{}, word: map[string]string{}}
	if strings.TrimSpace(args) != "" {
		for _, kv := range strings.Split(args, ",") {
			k, v, ok := strings.Cut(kv, "=")
			k = strings.ToLower(strings.TrimSpace(k))
			v = strings.TrimSpace(v)
			if !ok || k == "" {
				return step{}, fmt.Errorf("%q: parameter %q is not key=value", name, kv)
			}
			if p.has(k) {
				return step{}, fmt.Errorf("%q: parameter %s given twice", name, k)
			}
			if slices.Contains(b.words, k) {
				// A word is matched as a name: letters, digits, '_' and '-'
				// only, so that no separator of the spec hides in one.
				if !isWord(v) {
					return step{}, fmt.Errorf("%q: parameter %s = %q: want a name (letters, digits, _ or -)", name, k, v)
				}
				p.word[k] = strings.ToLower(v)
				continue
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return step{}, fmt.Errorf("%q: parameter %s: %w", name, k, err)
			}
			p.num[k] = f
		}
	}
	apply, err := b.build(p)
	if err != nil {
		return step{}, fmt.Errorf("%s: %w", name, err)
	}
	if b.random != nil {
		random = b.random(p)
	}
	return step{name: name, random: random, apply: apply}, nil
}

// isWord reports whether s is a non-empty name of letters, digits, '_' and '-'.
func isWord(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
