package datahome

import (
	"os"
	"path/filepath"
	"testing"
)

func TestIsCheckoutNeedsOurModule(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/other\n"), 0o644)
	if IsCheckout(dir) {
		t.Fatal("a foreign module counted as an imagenetx checkout")
	}
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module github.com/imagenetx/imagenetx\n\ngo 1.26\n"), 0o644)
	if !IsCheckout(dir) {
		t.Fatal("imagenetx go.mod not recognised")
	}
	sub := filepath.Join(dir, "a", "b")
	os.MkdirAll(sub, 0o755)
	if got := CheckoutAbove(sub, 2); got != dir {
		t.Fatalf("CheckoutAbove(2 levels down) = %q, want %q", got, dir)
	}
	if got := CheckoutAbove(sub, 1); got != "" {
		t.Fatalf("CheckoutAbove with maxUp 1 = %q, want none", got)
	}
}

func TestDirAndRecord(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	t.Setenv(EnvVar, home)
	if d, err := Dir(); err != nil || d != home {
		t.Fatalf("Dir = %q, %v", d, err)
	}
	if lib, _, err := RecordedRuntime(); err != nil || lib != "" {
		t.Fatalf("RecordedRuntime before set-up = %q, %v; want none", lib, err)
	}
	t.Chdir(t.TempDir())
	if err := RecordRuntime(home, "lib/libonnxruntime.so.1"); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	lib, record, err := RecordedRuntime()
	if err != nil || lib != filepath.Join(wd, "lib", "libonnxruntime.so.1") || filepath.Dir(record) != home {
		t.Fatalf("RecordedRuntime = %q, %q, %v; want an absolute path recorded in the home", lib, record, err)
	}
}

// TestMirrorIgnoresWorkingDirectory: the environment decides, then the
// executable's checkout; changing directory changes nothing.
func TestMirrorIgnoresWorkingDirectory(t *testing.T) {
	m := t.TempDir()
	t.Setenv(MirrorEnvVar, m)
	if got := Mirror(); got != m {
		t.Fatalf("Mirror = %q, want $%s", got, MirrorEnvVar)
	}
	t.Setenv(MirrorEnvVar, "")
	first := Mirror()
	t.Chdir(t.TempDir())
	if got := Mirror(); got != first {
		t.Fatalf("Mirror changed with the working directory: %q, then %q", first, got)
	}
	if ExecutableCheckout() == "" && first != "" {
		t.Fatalf("Mirror = %q without an executable checkout", first)
	}
}
