// Package corrupt reproduces the 19 image corruptions of imagecorruptions
// 1.1.2 (github.com/bethgelab/imagecorruptions, Apache-2.0; the ImageNet-C
// corruptions of Hendrycks & Dietterich, ICLR 2019) on a packed 8-bit RGB
// image, severities 1 to 5, as corrupt() returns them: the float result
// truncated to uint8.
//
// Each corruption is a plain function over *pix.RGB8, one file per family:
// noise.go (gaussian_noise, shot_noise, impulse_noise, speckle_noise),
// blur.go (defocus_blur, glass_blur, motion_blur, zoom_blur, gaussian_blur),
// weather.go (snow, frost, fog, spatter) and digital.go (brightness,
// contrast, elastic_transform, pixelate, jpeg_compression, saturate). The
// helpers that stand in for the reference's libraries (scipy.ndimage's
// gaussian_filter, zoom and map_coordinates, OpenCV's filter2D, resize,
// Canny, distanceTransform and equalizeHist, skimage's HSV conversion) sit
// in ndimage.go, opencv.go and hsv.go.
//
// The deterministic corruptions follow the reference's arithmetic in the
// same precision, so they agree with it to within float rounding before
// truncation; pixelate and jpeg_compression (Pillow's resampler and
// libjpeg-turbo) are exact. The random ones draw from a Rand the caller
// seeds (package variant seeds one per image from the seed and the file
// name), so they match the reference in distribution, not draw for draw.
//
// Two corruptions need more than pixels: jpeg_compression a JPEG codec
// (Env.JPEG; package preprocess supplies its libjpeg-turbo one, which keeps
// cgo out of this package) and frost the six overlay images (Env.Frost, see
// LoadFrost).
package corrupt
