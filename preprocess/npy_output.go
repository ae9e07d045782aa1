package preprocess

import (
	"bufio"
	"io"

	"github.com/imagenetx/imagenetx/preprocess/npy"
)

// WriteNPY runs the pipeline on img and writes the result as a NumPy .npy
// array: the normalised float32 tensor (1,3,H,W) in NCHW, or with uint8 the
// (H,W,3) uint8 image before ToTensor. key, the image's file name, seeds
// random variant steps, as in the engine.
func (p *Pipeline) WriteNPY(w io.Writer, img *RGB8, key string, uint8 bool) error {
	bw := bufio.NewWriter(w)
	if uint8 {
		out, err := p.Image(img, key)
		if err != nil {
			return err
		}
		if err := npy.WriteUint8(bw, []int{out.H, out.W, 3}, out.Clone().Pix); err != nil {
			return err
		}
		return bw.Flush()
	}
	t := make([]float32, p.TensorLen())
	if err := p.Tensor(img, key, t, NCHW); err != nil {
		return err
	}
	c := p.Config().CropSize
	if err := npy.WriteFloat32(bw, []int{1, 3, c, c}, t); err != nil {
		return err
	}
	return bw.Flush()
}
