package corrupt_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/imagenetx/imagenetx/preprocess/pix"
	"github.com/imagenetx/imagenetx/preprocess/variant/corrupt"
)

// A 64×64 crop (any size works; ImageNet-C uses the 224×224 centre crop)
// under a deterministic and a random corruption. The random one draws from
// the generator in Env: here NumPy's, seeded as np.random.seed(0), so the
// result is the one imagecorruptions gives after that call.
func Example() {
	img := pix.New(64, 64)
	for i := range img.Pix {
		img.Pix[i] = uint8(i % 251)
	}
	low, err := corrupt.Apply("contrast", img.Clone(), 5, corrupt.Env{})
	if err != nil {
		panic(err)
	}
	fmt.Println("contrast 5:", low.Pix[:6])

	noisy, err := corrupt.Apply("gaussian_noise", img.Clone(), 1, corrupt.Env{Rand: corrupt.NewNumPyRand(0)})
	if err != nil {
		panic(err)
	}
	fmt.Println("gaussian_noise 1, np.random.seed(0):", noisy.Pix[:6])

	// Any *math/rand/v2.Rand serves where draw-for-draw agreement with
	// NumPy is not needed (package variant seeds one per image).
	if _, err := corrupt.Apply("fog", img.Clone(), 3, corrupt.Env{Rand: rand.New(rand.NewPCG(1, 2))}); err != nil {
		panic(err)
	}
	_, err = corrupt.Apply("fog", img.Clone(), 6, corrupt.Env{Rand: rand.New(rand.NewPCG(1, 2))})
	fmt.Println(err)
	// Output:
	// contrast 5: [118 118 118 118 118 118]
	// gaussian_noise 1, np.random.seed(0): [35 9 21 48 42 0]
	// fog severity 6: severity 6: must be 1 to 5
}
