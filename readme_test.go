package imagenetx

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/engine/ortlib"
	"github.com/imagenetx/imagenetx/internal/shareddata"
)

// readmeProgram is the Go program of the README's "Use as a Go library".
func readmeProgram(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "## Use as a Go library")
	if i < 0 {
		t.Fatal("README.md has no section \"Use as a Go library\"")
	}
	s = s[i:]
	start := strings.Index(s, "```go\n")
	if start < 0 {
		t.Fatal("the section has no Go program")
	}
	s = s[start+len("```go\n"):]
	return s[:strings.Index(s, "```")]
}

// TestReadmeLibraryExampleRunsElsewhere builds the README's program in a
// module of its own, as a user would, and runs it from another directory
// on the first 200 val_227 images: it must find set-up's library and
// annotations and take the images where it is told, whatever its working
// directory.
func TestReadmeLibraryExampleRunsElsewhere(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program (short)")
	}
	if _, err := ortlib.Locate(""); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	images, err := filepath.Abs(shareddata.Require(t, "images", "val_227"))
	if err != nil {
		t.Fatal(err)
	}
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	rootMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	// The program's go.mod requires what imagenetx requires (its graph,
	// pruned as the checkout's is, needs nothing beyond the module cache)
	// and imagenetx itself, from this checkout.
	gomod := strings.Replace(string(rootMod), "module github.com/imagenetx/imagenetx", "module example.com/audit", 1) +
		"\nrequire github.com/imagenetx/imagenetx v0.0.0\n\nreplace github.com/imagenetx/imagenetx => " + root + "\n"
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"go.mod": gomod, "go.sum": string(sum), "main.go": readmeProgram(t)} {
		if err := os.WriteFile(filepath.Join(mod, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(mod, "audit")
	build := exec.Command("go", "build", "-mod=mod", "-o", bin, ".")
	build.Dir, build.Env = mod, append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the README's program: %v\n%s", err, out)
	}
	run := exec.Command(bin, images)
	run.Dir = t.TempDir() // anywhere but the checkout
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("the README's program, run from %s: %v\n%s", run.Dir, err, out)
	}
	for _, want := range []string{"top-1 155/200, accuracy on the 180 annotated images 0.7611", "no factor with at least 20 images is clearly harder than average"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the README's program printed %q, lacking %q", out, want)
		}
	}
}
