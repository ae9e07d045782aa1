package variant

import (
	"fmt"
	"math"
	"sort"
	"strconv"
)

// families map a family name to its spec at strength s in (0, 1]. Strength
// 0 is always the identity (the empty spec). The random families follow the
// torchvision transforms the ImageNet-X augmentation study trained with.
var families = map[string]func(s float64) string{
	// SimCLR-style colour distortion: ColorJitter(0.8s, 0.8s, 0.8s, 0.2s).
	"colorjitter": func(s float64) string {
		return fmt.Sprintf("colorjitter:brightness=%s,contrast=%s,saturation=%s,hue=%s", g(0.8*s), g(0.8*s), g(0.8*s), g(0.2*s))
	},
	// ColorJitter on one property: factor uniform in [1-s, 1+s].
	"brightness": func(s float64) string { return "colorjitter:brightness=" + g(s) },
	"contrast":   func(s float64) string { return "colorjitter:contrast=" + g(s) },
	"saturation": func(s float64) string { return "colorjitter:saturation=" + g(s) },
	// Hue shift uniform in [-0.5s, 0.5s] (s = 1: any hue).
	"hue": func(s float64) string { return "colorjitter:hue=" + g(0.5*s) },
	// Gaussian blur with sigma = 4s and a kernel covering ±3 sigma.
	"blur": func(s float64) string {
		sigma := 4 * s
		k := 2*int(math.Ceil(3*sigma)) + 1
		return fmt.Sprintf("blur:kernel=%d,sigma=%s", k, g(sigma))
	},
	// Zoom: RandomResizedCrop keeping between 1 - 0.92s and all of the area
	// (s = 1 is torchvision's default scale (0.08, 1)).
	"crop": func(s float64) string { return "crop:scale=" + g(1-0.92*s) },
	// Rotation by an angle uniform in [-45s, 45s] degrees.
	"rotate": func(s float64) string { return "randomrotate:degrees=" + g(45*s) },
	// Grayscale with probability s.
	"grayscale": func(s float64) string { return "randomgrayscale:p=" + g(s) },
}

// aliases name the same families as the ImageNet-X results folders.
var aliases = map[string]string{"zoom": "crop", "gaussian_blur": "blur"}

func g(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

// Families lists the family names Family accepts.
func Families() []string {
	var out []string
	for n := range families {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Family returns the spec of a family at strength s in [0, 1]; s = 0 gives
// "" (no variant). Families: colorjitter (ColorJitter(0.8s,0.8s,0.8s,0.2s)),
// brightness/contrast/saturation (ColorJitter with that factor range
// [1-s, 1+s]), hue (shift in [-s/2, s/2]), blur (sigma 4s, kernel
// 2*ceil(3 sigma)+1), crop or zoom (RandomResizedCrop scale (1-0.92s, 1)),
// rotate (uniform in ±45s degrees), grayscale (probability s).
func Family(name string, s float64) (string, error) {
	if a, ok := aliases[name]; ok {
		name = a
	}
	f, ok := families[name]
	if !ok {
		return "", fmt.Errorf("unknown variant family %q (known: %v)", name, Families())
	}
	if !(s >= 0 && s <= 1) {
		return "", fmt.Errorf("family %s strength %v: must be in [0, 1]", name, s)
	}
	if s == 0 {
		return "", nil
	}
	return f(s), nil
}

// FamilyChain is Family parsed with the given seed; nil for strength 0.
func FamilyChain(name string, s float64, seed uint64) (*Chain, error) {
	spec, err := Family(name, s)
	if err != nil || spec == "" {
		return nil, err
	}
	return Parse(spec, seed)
}
