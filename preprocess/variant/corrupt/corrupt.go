package corrupt

import (
	"fmt"
	"slices"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// Rand is the source of randomness of the random corruptions: uniform
// floats in [0, 1), standard normal floats and integers in [0, n).
// *math/rand/v2.Rand satisfies it.
type Rand interface {
	Float64() float64
	NormFloat64() float64
	IntN(n int) int
}

// JPEGCodec saves img as Pillow does with Image.save(f, "JPEG",
// quality=quality) and decodes the file back as Image.open does.
type JPEGCodec func(img *pix.RGB8, quality int) (*pix.RGB8, error)

// Env carries what a corruption may need besides the image: the random
// source (random corruptions), the JPEG codec (jpeg_compression) and the
// frost overlays (frost). Fields a corruption does not use may be nil.
type Env struct {
	Rand  Rand
	JPEG  JPEGCodec
	Frost *FrostOverlays
}

// Func is one corruption at one severity (1 to 5). It may modify img and
// may return it.
type Func func(img *pix.RGB8, severity int, env Env) (*pix.RGB8, error)

// Corruption describes one of the 19 corruptions.
type Corruption struct {
	Name   string // imagecorruptions' function name, e.g. "gaussian_noise"
	Random bool   // draws from Env.Rand
	Apply  Func   // the corruption; Apply (the package function) also checks the image
}

// corruptions are imagecorruptions' corruption_tuple, in its order (the
// first 15 are ImageNet-C's common corruptions, the last 4 its validation
// set).
var corruptions = []Corruption{
	{"gaussian_noise", true, rnd(GaussianNoise)},
	{"shot_noise", true, rnd(ShotNoise)},
	{"impulse_noise", true, rnd(ImpulseNoise)},
	{"defocus_blur", false, det(DefocusBlur)},
	{"glass_blur", true, rnd(GlassBlur)},
	{"motion_blur", true, rnd(MotionBlur)},
	{"zoom_blur", false, det(ZoomBlur)},
	{"snow", true, rnd(Snow)},
	{"frost", true, func(img *pix.RGB8, s int, env Env) (*pix.RGB8, error) {
		if env.Rand == nil {
			return nil, fmt.Errorf("frost: no random source")
		}
		return Frost(img, s, env.Frost, env.Rand)
	}},
	{"fog", true, rnd(Fog)},
	{"brightness", false, det(Brightness)},
	{"contrast", false, det(Contrast)},
	{"elastic_transform", true, rnd(ElasticTransform)},
	{"pixelate", false, det(Pixelate)},
	{"jpeg_compression", false, func(img *pix.RGB8, s int, env Env) (*pix.RGB8, error) {
		return JPEGCompression(img, s, env.JPEG)
	}},
	{"speckle_noise", true, rnd(SpeckleNoise)},
	{"gaussian_blur", false, det(GaussianBlur)},
	{"spatter", true, rnd(Spatter)},
	{"saturate", false, det(Saturate)},
}

func det(f func(*pix.RGB8, int) (*pix.RGB8, error)) Func {
	return func(img *pix.RGB8, s int, _ Env) (*pix.RGB8, error) { return f(img, s) }
}

func rnd(f func(*pix.RGB8, int, Rand) (*pix.RGB8, error)) Func {
	return func(img *pix.RGB8, s int, env Env) (*pix.RGB8, error) {
		if env.Rand == nil {
			return nil, fmt.Errorf("no random source")
		}
		return f(img, s, env.Rand)
	}
}

// All returns the 19 corruptions in imagecorruptions' order.
func All() []Corruption { return slices.Clone(corruptions) }

// Names returns the 19 corruption names in imagecorruptions' order.
func Names() []string {
	out := make([]string, len(corruptions))
	for i, c := range corruptions {
		out[i] = c.Name
	}
	return out
}

// Lookup returns the corruption called name.
func Lookup(name string) (Corruption, bool) {
	for _, c := range corruptions {
		if c.Name == name {
			return c, true
		}
	}
	return Corruption{}, false
}

// Apply corrupts img with the named corruption at severity (1 to 5).
func Apply(name string, img *pix.RGB8, severity int, env Env) (*pix.RGB8, error) {
	c, ok := Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown corruption %q (known: %v)", name, Names())
	}
	return c.Run(img, severity, env)
}

// Run corrupts img at severity (1 to 5), the errors naming the
// corruption: Apply for a corruption already looked up, as a variant step
// holds it for every image.
func (c Corruption) Run(img *pix.RGB8, severity int, env Env) (*pix.RGB8, error) {
	if err := img.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", c.Name, err)
	}
	out, err := c.Apply(img, severity, env)
	if err != nil {
		return nil, fmt.Errorf("%s severity %d: %w", c.Name, severity, err)
	}
	return out, nil
}

// level checks the image and picks a severity's parameters from the
// reference's table.
func level[T any](img *pix.RGB8, severity int, table [5]T) (T, error) {
	var zero T
	if err := img.Validate(); err != nil {
		return zero, err
	}
	if severity < 1 || severity > 5 {
		return zero, fmt.Errorf("severity %d: must be 1 to 5", severity)
	}
	return table[severity-1], nil
}

// float is an image as the reference's float arrays hold it: H×W×3
// interleaved, row-major.
type float struct {
	w, h int
	v    []float64
}

// toFloat is np.array(img) / scale.
func toFloat(img *pix.RGB8, scale float64) *float {
	f := &float{w: img.W, h: img.H, v: make([]float64, img.W*img.H*3)}
	for y := range img.H {
		row := img.Row(y)
		o := f.v[y*img.W*3:]
		for i, b := range row {
			o[i] = float64(b) / scale
		}
	}
	return f
}

// unitToRGB8 is np.uint8(np.clip(x, 0, 1) * 255): clipped, scaled and
// truncated, into img's pixels.
func unitToRGB8(img *pix.RGB8, f *float) *pix.RGB8 {
	for y := range img.H {
		row := img.Row(y)
		in := f.v[y*img.W*3:]
		for i := range row {
			row[i] = uint8(min(max(in[i], 0), 1) * 255)
		}
	}
	return img
}

// unitToRGB8f32 is unitToRGB8 for a float32 reference array: the product
// by 255 is rounded to float32 before truncation.
func unitToRGB8f32(img *pix.RGB8, f *float) *pix.RGB8 {
	for y := range img.H {
		row := img.Row(y)
		in := f.v[y*img.W*3:]
		for i := range row {
			row[i] = uint8(float32(float32(min(max(in[i], 0), 1)) * 255))
		}
	}
	return img
}

// clip255 is np.uint8(np.clip(x, 0, 255)).
func clip255(v float64) uint8 { return uint8(min(max(v, 0), 255)) }
