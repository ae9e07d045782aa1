package variant_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/imagenetx/imagenetx/internal/shareddata"
	_ "github.com/imagenetx/imagenetx/preprocess" // registers the JPEG codec and decoder
	"github.com/imagenetx/imagenetx/preprocess/pix"
	"github.com/imagenetx/imagenetx/preprocess/variant"
	"github.com/imagenetx/imagenetx/preprocess/variant/corrupt"
)

func gradient(w, h int) *pix.RGB8 {
	m := pix.New(w, h)
	for y := range h {
		for x := range w {
			p := m.Pix[y*m.Stride+3*x:]
			p[0], p[1], p[2] = uint8(x*255/w), uint8(y*255/h), uint8((x+y)*7)
		}
	}
	return m
}

func useSharedFrost(t *testing.T) {
	t.Helper()
	variant.SetFrostDir(shareddata.Require(t, "corruptions", "frost"))
	t.Cleanup(func() { variant.SetFrostDir("") })
}

// TestCorruptStepEveryCorruption runs every corruption at every severity
// through the step: each changes the crop, keeps its size, and is random
// exactly when the corruption is.
func TestCorruptStepEveryCorruption(t *testing.T) {
	useSharedFrost(t)
	img := gradient(64, 48)
	for _, c := range corrupt.All() {
		for s := 1; s <= 5; s++ {
			spec := "corrupt:name=" + c.Name + ",severity=" + string(rune('0'+s))
			ch, err := variant.Parse(spec, 1)
			if err != nil {
				t.Fatalf("%s: %v", spec, err)
			}
			if ch.Random() != c.Random {
				t.Errorf("%s: Random() = %v, want %v", spec, ch.Random(), c.Random)
			}
			out, err := ch.Apply(img.Clone(), "a.JPEG")
			if err != nil {
				t.Fatalf("%s: %v", spec, err)
			}
			if out.W != 64 || out.H != 48 {
				t.Errorf("%s: size %dx%d", spec, out.W, out.H)
			}
			if bytes.Equal(out.Pix, img.Pix) {
				t.Errorf("%s left the image unchanged", spec)
			}
		}
	}
}

// TestCorruptStepIndependentOfWorkers applies random corruptions to images
// in two orders, from several goroutines at once: each image's result
// depends on the seed and its name only.
func TestCorruptStepIndependentOfWorkers(t *testing.T) {
	useSharedFrost(t)
	keys := []string{"a.JPEG", "b.JPEG", "c.JPEG", "d.JPEG"}
	for _, name := range []string{"gaussian_noise", "glass_blur", "frost", "fog", "spatter", "impulse_noise"} {
		ch, err := variant.Parse("corrupt:name="+name+",severity=3", 9)
		if err != nil {
			t.Fatal(err)
		}
		serial := map[string][]uint8{}
		for _, k := range keys {
			out, err := ch.Apply(gradient(40, 40), k)
			if err != nil {
				t.Fatal(err)
			}
			serial[k] = out.Pix
		}
		if bytes.Equal(serial["a.JPEG"], serial["b.JPEG"]) {
			t.Errorf("%s: two names gave the same draw", name)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i := len(keys) - 1; i >= 0; i-- {
			wg.Add(1)
			go func(k string) {
				defer wg.Done()
				out, err := ch.Apply(gradient(40, 40), k)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Error(err)
				} else if !bytes.Equal(out.Pix, serial[k]) {
					t.Errorf("%s on %s: concurrent result differs from the serial one", name, k)
				}
			}(keys[i])
		}
		wg.Wait()
	}
}

// TestCorruptStepNumPySeed: with numpy_seed every image draws the same
// stream, whatever its name or the chain's seed.
func TestCorruptStepNumPySeed(t *testing.T) {
	a, err := variant.Parse("corrupt:name=gaussian_noise,severity=2,numpy_seed=7", 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := variant.Parse("corrupt:name=gaussian_noise,severity=2,numpy_seed=7", 2)
	if err != nil {
		t.Fatal(err)
	}
	if a.Random() {
		t.Error("a numpy_seed'ed step reports that it depends on the chain's seed")
	}
	x, _ := a.Apply(gradient(32, 32), "x.JPEG")
	y, _ := b.Apply(gradient(32, 32), "y.JPEG")
	if !bytes.Equal(x.Pix, y.Pix) {
		t.Error("numpy_seed=7 gave different images for different names and chain seeds")
	}
	want, _ := corrupt.GaussianNoise(gradient(32, 32), 2, corrupt.NewNumPyRand(7))
	if !bytes.Equal(x.Pix, want.Pix) {
		t.Error("numpy_seed=7 is not corrupt.NewNumPyRand(7)")
	}
}

func TestCorruptStepParseErrors(t *testing.T) {
	cases := []struct{ spec, want string }{
		{"corrupt", "missing parameter"},
		{"corrupt:name=fog", `missing parameter "severity"`},
		{"corrupt:severity=1", `missing parameter "name"`},
		{"corrupt:name=haze,severity=1", "unknown corruption"},
		{"corrupt:name=fog,severity=0", "1 to 5"},
		{"corrupt:name=fog,severity=6", "1 to 5"},
		{"corrupt:name=fog,severity=2.5", "integer"},
		{"corrupt:name=fog,severity=x", "invalid syntax"},
		{"corrupt:name=,severity=1", "want a name"},
		{"corrupt:name=fog bank,severity=1", "want a name"},
		{"corrupt:name=fog,name=snow,severity=1", "given twice"},
		{"corrupt:name=fog,severity=1,seed=3", "unknown parameter"},
		{"corrupt:name=fog,severity=1,numpy_seed=-1", "2^32-1"},
		{"corrupt:name=fog,severity=1,numpy_seed=4294967296", "2^32-1"},
		{"corrupt:name=glass_blur,severity=1,numpy_seed=1", "no seed reproduces"},
		{"corrupt:name=impulse_noise,severity=1,numpy_seed=1", "no seed reproduces"},
		{"brightness:factor=fog", "invalid syntax"}, // words only where a step declares them
	}
	for _, c := range cases {
		_, err := variant.Parse(c.spec, 0)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) error %v, want it to mention %q", c.spec, err, c.want)
		}
	}
	// Names are case-insensitive and may be chained.
	if _, err := variant.Parse("corrupt:name=Gaussian_Noise,severity=1+hflip+corrupt:name=pixelate,severity=5", 0); err != nil {
		t.Error(err)
	}
}

func TestFrostDirMissing(t *testing.T) {
	variant.SetFrostDir(t.TempDir())
	t.Cleanup(func() { variant.SetFrostDir("") })
	ch, err := variant.Parse("corrupt:name=frost,severity=1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ch.Apply(gradient(32, 32), "k"); err == nil || !strings.Contains(err.Error(), "frost1.png") {
		t.Errorf("frost without overlays: %v, want an error naming frost1.png", err)
	}
}

// FuzzCorruptSpec fuzzes the word-valued parameter: any name and severity
// text either parses to a known corruption at an integer severity 1 to 5,
// or is refused; neither parsing nor applying panics.
func FuzzCorruptSpec(f *testing.F) {
	f.Add("fog", "3", "")
	f.Add("pixelate", "5", ",numpy_seed=2")
	f.Add("FOG", "1e0", "")
	f.Add("fog,severity=2", "1", "")
	f.Add("", "", ",name=snow")
	img := gradient(16, 16)
	f.Fuzz(func(t *testing.T, name, sev, extra string) {
		if strings.Contains(name+extra, "frost") {
			return // the overlays are shared data; TestCorruptStepEveryCorruption covers frost
		}
		spec := "corrupt:name=" + name + ",severity=" + sev + extra
		ch, err := variant.Parse(spec, 1)
		if err != nil {
			return
		}
		plain := !strings.ContainsAny(name, ",=+:") && !strings.Contains(extra, "name=")
		if _, ok := corrupt.Lookup(strings.ToLower(strings.TrimSpace(name))); plain && !ok {
			t.Fatalf("%q parsed with an unknown corruption", spec)
		}
		out, err := ch.Apply(img.Clone(), "k")
		if err != nil {
			return
		}
		if out.W != 16 || out.H != 16 {
			t.Fatalf("%q produced %dx%d", spec, out.W, out.H)
		}
	})
}

func TestCorruptionSpec(t *testing.T) {
	for _, name := range corrupt.Names() {
		for s := 1; s <= 5; s++ {
			ch, err := variant.CorruptionChain(name, s, 4)
			if err != nil {
				t.Fatalf("%s %d: %v", name, s, err)
			}
			if want := "corrupt:name=" + name + ",severity=" + string(rune('0'+s)); ch.String() != want || ch.Seed() != 4 {
				t.Errorf("%s %d: chain %q seed %d, want %q seed 4", name, s, ch.String(), ch.Seed(), want)
			}
		}
	}
	for _, bad := range []struct {
		name string
		sev  int
	}{{"haze", 1}, {"fog", 0}, {"fog", 6}, {"", 3}} {
		if _, err := variant.CorruptionSpec(bad.name, bad.sev); err == nil {
			t.Errorf("CorruptionSpec(%q, %d) accepted", bad.name, bad.sev)
		}
	}
}
