// Package preprocess turns image files into model input tensors exactly as
// torchvision 0.14 + Pillow 9.4 do for the standard ImageNet eval transform:
//
//	Image.open(f).convert('RGB') -> Resize(size) -> CenterCrop(crop)
//	-> [variant chain] -> ToTensor() -> Normalize(mean, std)
//
// Decoding follows Pillow 9.4: what Pillow decodes is decoded to the same
// pixels, what it refuses is refused (JPEG and WebP through the
// libjpeg-turbo and libwebp Pillow links, called as Pillow calls them, one
// cgo file each; PNG, GIF and BMP through ports of Pillow's readers, zlib
// through cgo; TestPillowConformance holds Pillow's own test images to it).
// Resizing reproduces Pillow's fixed-point ImagingResample, and the float32
// arithmetic of ToTensor/Normalize is done in the same order, so tensors
// match torchvision bit for bit (see the golden tests). Augmentation
// variants live in package preprocess/variant.
//
// Bad input never panics or ends the process: decoding fails with a
// *DecodeError naming the file, the stage (open, limit, decode) and a reason
// testable with errors.Is (ErrTruncated, ErrCorrupt, ErrTooManyPixels, ...).
// Headers declaring more than DecodeOptions.MaxPixels are refused before
// pixel memory is allocated (Pillow's decompression-bomb limit by default,
// and its limits on PNG text chunks); truncated files fail as in Pillow,
// and JPEGs
// with damaged entropy data are filled in as Pillow does unless
// DecodeOptions.Strict refuses them. TestBadInputs and
// TestBadInputsMatchPillow hold the corpus of hostile files and their
// outcomes.
package preprocess

import (
	"errors"
	"fmt"
	"math"

	"github.com/imagenetx/imagenetx/preprocess/pix"
)

// RGB8 is a packed 8-bit RGB image (3 bytes a pixel, rows Stride bytes apart).
type RGB8 = pix.RGB8

// Reduction describes an image decoded at a reduced size (see
// DecodeOptions.Fast); Crop, Image and Tensor resize it with the full-size
// picture's geometry.
type Reduction = pix.Reduction

// Interpolation selects the resize filter (PIL's resample argument).
type Interpolation = pix.Interpolation

// The supported interpolations.
const (
	Bilinear = pix.Bilinear
	Bicubic  = pix.Bicubic
)

// ParseInterpolation parses "bilinear" or "bicubic".
func ParseInterpolation(s string) (Interpolation, error) { return pix.ParseInterpolation(s) }

// Layout is the memory order of a tensor.
type Layout int

const (
	// NCHW stores the three channel planes one after another (PyTorch order).
	NCHW Layout = iota
	// NHWC stores the three channel values of each pixel together.
	NHWC
)

// String names the layout.
func (l Layout) String() string {
	switch l {
	case NCHW:
		return "NCHW"
	case NHWC:
		return "NHWC"
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// ImageNet normalisation constants used by torchvision's reference scripts.
var (
	ImageNetMean = [3]float32{0.485, 0.456, 0.406}
	ImageNetStd  = [3]float32{0.229, 0.224, 0.225}
)

// Config is every preprocessing choice, resolved in one place (like timm's
// resolve_data_config).
type Config struct {
	ResizeSize    int     // torchvision Resize(int): shorter side; 0 => floor(CropSize / CropPct)
	CropSize      int     // CenterCrop size (square)
	CropPct       float64 // timm crop_pct, only used when ResizeSize == 0
	Interpolation Interpolation
	Mean, Std     [3]float32
}

// DefaultConfig is torchvision's standard ImageNet eval transform: Resize(256)
// bilinear, CenterCrop(224), ImageNet mean/std.
func DefaultConfig() Config {
	return Config{ResizeSize: 256, CropSize: 224, Interpolation: Bilinear, Mean: ImageNetMean, Std: ImageNetStd}
}

// maxSide bounds sizes so that buffers stay reasonable and int math cannot overflow.
const maxSide = 1 << 14

// Validate reports the first inconsistent setting.
func (c Config) Validate() error {
	if c.CropSize <= 0 || c.CropSize > maxSide {
		return fmt.Errorf("crop size %d: must be in 1..%d", c.CropSize, maxSide)
	}
	if c.ResizeSize < 0 || c.ResizeSize > maxSide {
		return fmt.Errorf("resize size %d: must be in 0..%d", c.ResizeSize, maxSide)
	}
	if c.ResizeSize == 0 {
		if !(c.CropPct > 0 && c.CropPct <= 1) {
			return fmt.Errorf("resize size 0 needs crop_pct in (0, 1], got %v", c.CropPct)
		}
		if r := c.Resize(); r <= 0 || r > maxSide {
			return fmt.Errorf("crop %d / crop_pct %v gives resize %d: out of range", c.CropSize, c.CropPct, r)
		}
	}
	if c.Interpolation != Bilinear && c.Interpolation != Bicubic {
		return fmt.Errorf("unsupported interpolation %v", c.Interpolation)
	}
	for i, s := range c.Std {
		if !(s > 0) || math.IsInf(float64(s), 0) {
			return fmt.Errorf("std[%d] = %v: must be positive and finite", i, s)
		}
		if m := c.Mean[i]; math.IsNaN(float64(m)) || math.IsInf(float64(m), 0) {
			return fmt.Errorf("mean[%d] = %v: must be finite", i, m)
		}
	}
	return nil
}

// Resize returns the resolved shorter-side resize: ResizeSize, or
// floor(CropSize / CropPct) as timm's transforms_factory computes it.
func (c Config) Resize() int {
	if c.ResizeSize > 0 {
		return c.ResizeSize
	}
	if c.CropPct <= 0 {
		return 0
	}
	return int(math.Floor(float64(c.CropSize) / c.CropPct))
}

// ResizedSize is torchvision 0.14's _compute_resized_output_size for
// Resize(int): the shorter side becomes size, the longer
// int(size * long / short) (Python true division, truncated).
func ResizedSize(w, h, size int) (int, int) {
	short, long := w, h
	if w > h {
		short, long = h, w
	}
	newLong := int(float64(size*long) / float64(short))
	if w <= h {
		return size, newLong
	}
	return newLong, size
}

// CenterOffset is the offset of a crop of length crop in a side of length
// side, as torchvision's center_crop: int(round((side - crop) / 2.0)) with
// Python's round-half-to-even, or minus the left/top padding
// (crop - side) // 2 when the crop is larger than the side.
func CenterOffset(side, crop int) int {
	if crop > side {
		return -((crop - side) / 2)
	}
	return int(math.RoundToEven(float64(side-crop) / 2))
}

// ToTensor converts img to a float32 tensor as torchvision's ToTensor then
// Normalize: x/255 in float32, then (x - mean) / std in float32. dst must
// hold 3*W*H values; layout picks NCHW or NHWC order.
func ToTensor(img *RGB8, mean, std [3]float32, dst []float32, layout Layout) error {
	if err := img.Validate(); err != nil {
		return fmt.Errorf("to tensor: %w", err)
	}
	n := img.W * img.H
	if len(dst) != 3*n {
		return fmt.Errorf("to tensor: dst holds %d values, want %d for %dx%d", len(dst), 3*n, img.W, img.H)
	}
	var lut [3][256]float32
	for c := range 3 {
		for v := range 256 {
			// Two float32 roundings, as torch does: div then (sub, div).
			x := float32(v) / 255
			lut[c][v] = float32(x-mean[c]) / std[c]
		}
	}
	switch layout {
	case NCHW:
		for y := 0; y < img.H; y++ {
			row, o := img.Row(y), y*img.W
			r, g, b := dst[o:o+img.W], dst[n+o:n+o+img.W], dst[2*n+o:2*n+o+img.W]
			g, b = g[:len(r)], b[:len(r)] // no bounds checks in the loop
			for x := range r {
				p := (*[3]uint8)(row[3*x:])
				r[x], g[x], b[x] = lut[0][p[0]], lut[1][p[1]], lut[2][p[2]]
			}
		}
	case NHWC:
		for y := 0; y < img.H; y++ {
			row, out := img.Row(y), dst[3*y*img.W:3*(y+1)*img.W]
			for len(row) >= 3 && len(out) >= 3 {
				out[0], out[1], out[2] = lut[0][row[0]], lut[1][row[1]], lut[2][row[2]]
				row, out = row[3:], out[3:]
			}
		}
	default:
		return errors.New("to tensor: unknown layout")
	}
	return nil
}
