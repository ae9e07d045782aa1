package corrupt

import "github.com/imagenetx/imagenetx/preprocess/pix"

// ResizeCubicForTest exposes resizeCubic to the reference tests.
func ResizeCubicForTest(src *pix.RGB8, w, h int) *pix.RGB8 { return resizeCubic(src, w, h) }
