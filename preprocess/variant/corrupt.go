package variant

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"

	"github.com/imagenetx/imagenetx/datahome"
	"github.com/imagenetx/imagenetx/preprocess/pix"
	"github.com/imagenetx/imagenetx/preprocess/variant/corrupt"
)

// The corrupt step (corrupt:name=NAME,severity=S) applies one of
// imagecorruptions' 19 corruptions (package corrupt) to the crop, as
// ImageNet-C does after Resize(256) and CenterCrop(224). Two of them need
// more than pixels: jpeg_compression a JPEG codec, which package preprocess
// registers (RegisterCodecs) so that this package stays free of cgo, and
// frost the six overlay images, read from FrostDir.

// codecs are what package preprocess registers.
var codecs struct {
	sync.RWMutex
	jpeg   corrupt.JPEGCodec
	decode func([]byte) (*pix.RGB8, error)
}

// RegisterCodecs sets the JPEG round trip (Pillow's save at a quality, then
// open) and the image decoder the corrupt step uses: package preprocess
// registers its libjpeg-turbo ones when it is imported.
func RegisterCodecs(jpeg corrupt.JPEGCodec, decode func([]byte) (*pix.RGB8, error)) {
	codecs.Lock()
	defer codecs.Unlock()
	codecs.jpeg, codecs.decode = jpeg, decode
}

// frost holds the overlays, loaded on first use from frost.dir.
var frost struct {
	sync.Mutex
	dir      string
	overlays *corrupt.FrostOverlays
}

// FrostSubdir is where the frost overlays sit in the data home (and in a
// mirror laid out as ../shared/imagenetx).
const FrostSubdir = "corruptions/frost"

// SetFrostDir makes the frost corruption read its overlays from dir (the
// six files of corrupt.FrostFiles, checked against their sha256) instead of
// the data home's corruptions/frost, where set-up installs them.
func SetFrostDir(dir string) {
	frost.Lock()
	defer frost.Unlock()
	frost.dir, frost.overlays = dir, nil
}

// FrostDir returns the folder the frost corruption reads its overlays
// from: the one SetFrostDir set, else the data home's corruptions/frost.
func FrostDir() (string, error) {
	frost.Lock()
	defer frost.Unlock()
	return frostDirLocked()
}

func frostDirLocked() (string, error) {
	if frost.dir != "" {
		return frost.dir, nil
	}
	home, err := datahome.Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, filepath.FromSlash(FrostSubdir)), nil
}

// frostOverlays loads (once) and returns the overlays.
func frostOverlays() (*corrupt.FrostOverlays, error) {
	frost.Lock()
	defer frost.Unlock()
	if frost.overlays != nil {
		return frost.overlays, nil
	}
	dir, err := frostDirLocked()
	if err != nil {
		return nil, fmt.Errorf("frost overlays: %w", err)
	}
	codecs.RLock()
	decode := codecs.decode
	codecs.RUnlock()
	if decode == nil {
		return nil, fmt.Errorf("frost overlays: no image decoder registered (import package preprocess)")
	}
	ov, err := LoadFrost(dir, decode)
	if err != nil {
		return nil, err
	}
	frost.overlays = ov
	return ov, nil
}

// LoadFrost reads the six frost overlays from dir, checks each against its
// pinned sha256 (corrupt.FrostSHA256) and decodes it with decode (which
// must drop a PNG's alpha and decode JPEGs with libjpeg's islow IDCT and
// fancy upsampling, as cv2.imread does).
func LoadFrost(dir string, decode func([]byte) (*pix.RGB8, error)) (*corrupt.FrostOverlays, error) {
	var imgs [6]*pix.RGB8
	for i, name := range corrupt.FrostFiles {
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("frost overlay (run imagenetx setup, or point SetFrostDir at a copy): %w", err)
		}
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != corrupt.FrostSHA256[i] {
			return nil, fmt.Errorf("frost overlay %s: sha256 %s, want %s", path, got, corrupt.FrostSHA256[i])
		}
		if imgs[i], err = decode(bytes.Clone(data)); err != nil {
			return nil, fmt.Errorf("frost overlay %s: %w", path, err)
		}
	}
	return corrupt.NewFrostOverlays(imgs)
}

// makeCorrupt builds corrupt:name=NAME,severity=S[,numpy_seed=N].
func makeCorrupt(p params) (applyFunc, error) {
	name := p.word["name"]
	c, ok := corrupt.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("name = %q: unknown corruption (known: %v)", name, corrupt.Names())
	}
	s := p.num["severity"]
	if s != float64(int(s)) || s < 1 || s > 5 {
		return nil, fmt.Errorf("severity = %v: must be an integer 1 to 5", s)
	}
	sev := int(s)
	npSeed, seeded := p.num["numpy_seed"]
	if seeded {
		if npSeed != math.Trunc(npSeed) || npSeed < 0 || npSeed > math.MaxUint32 {
			return nil, fmt.Errorf("numpy_seed = %v: must be an integer 0 to 2^32-1, as np.random.seed takes", npSeed)
		}
		if !corrupt.NumPySeeded(c.Name) {
			return nil, fmt.Errorf("numpy_seed: %s does not draw from NumPy's legacy generator alone (impulse_noise uses skimage's Generator, glass_blur numba's), so no seed reproduces it", c.Name)
		}
	}
	return func(img *pix.RGB8, rng *rand.Rand) (*pix.RGB8, error) {
		env := corrupt.Env{Rand: rng}
		if seeded {
			// What np.random.seed(N) before corrupt() gives: every image
			// starts from the same state.
			env.Rand = corrupt.NewNumPyRand(uint32(npSeed))
		}
		switch c.Name {
		case "jpeg_compression":
			codecs.RLock()
			env.JPEG = codecs.jpeg
			codecs.RUnlock()
		case "frost":
			ov, err := frostOverlays()
			if err != nil {
				return nil, err
			}
			env.Frost = ov
		}
		return c.Run(img, sev, env)
	}, nil
}

// corruptStep draws from the chain's per-image generator when its
// corruption is random and no numpy_seed is given (with one, each image's
// result depends on the spec alone).
var corruptStep = builder{
	required: []string{"name", "severity"},
	optional: []string{"numpy_seed"},
	words:    []string{"name"},
	make:     makeCorrupt,
	random: func(p params) bool {
		c, ok := corrupt.Lookup(p.word["name"])
		_, seeded := p.num["numpy_seed"]
		return ok && c.Random && !seeded
	},
}

// CorruptionSpec returns the step spec of a corruption at a severity,
// "corrupt:name=NAME,severity=S", checking both: what a sweep over the
// corruptions builds one feed from (as Family does for the strength
// families).
func CorruptionSpec(name string, severity int) (string, error) {
	if _, ok := corrupt.Lookup(name); !ok {
		return "", fmt.Errorf("unknown corruption %q (known: %v)", name, corrupt.Names())
	}
	if severity < 1 || severity > 5 {
		return "", fmt.Errorf("corruption %s severity %d: must be 1 to 5", name, severity)
	}
	return fmt.Sprintf("corrupt:name=%s,severity=%d", name, severity), nil
}

// CorruptionChain is CorruptionSpec parsed with the given seed.
func CorruptionChain(name string, severity int, seed uint64) (*Chain, error) {
	spec, err := CorruptionSpec(name, severity)
	if err != nil {
		return nil, err
	}
	return Parse(spec, seed)
}
