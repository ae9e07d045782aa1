package ortlib

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagenetx/imagenetx/datahome"
)

func TestLocateOrder(t *testing.T) {
	dir := t.TempDir()
	flagLib := filepath.Join(dir, "flag.so")
	envLib := filepath.Join(dir, "env.so")
	for _, p := range []string{flagLib, envLib} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	missing := filepath.Join(dir, "missing.so")
	tests := []struct {
		name, flag, env string
		want            string
		wantErr         string
	}{
		{name: "flag wins", flag: flagLib, env: envLib, want: flagLib},
		{name: "env next", env: envLib, want: envLib},
		{name: "missing flag is an error", flag: missing, env: envLib, wantErr: "ONNX Runtime library " + missing},
		{name: "missing env is an error", env: missing, wantErr: EnvVar + " " + missing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvVar, tc.env)
			got, err := Locate(tc.flag)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), datahome.SetupCommand) {
					t.Fatalf("err = %v, want %q and the set-up command", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Locate = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestLocateNotFoundSaysWhatToRun(t *testing.T) {
	t.Setenv(EnvVar, "")
	t.Setenv(datahome.EnvVar, t.TempDir())
	t.Chdir(t.TempDir()) // no checkout above: only the data home remains
	_, err := Locate("")
	if exe, _ := os.Executable(); datahome.CheckoutAbove(filepath.Dir(exe), 2) != "" {
		t.Skip("test binary lives inside a checkout")
	}
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), datahome.SetupCommand) {
		t.Fatalf("err = %v", err)
	}
}

func TestDefaultPathsIncludeCheckoutAndHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv(datahome.EnvVar, home)
	paths := DefaultPaths()
	wd, _ := os.Getwd()
	root := datahome.CheckoutAbove(wd, 64)
	if root == "" {
		t.Fatalf("no imagenetx checkout above %s", wd)
	}
	want := []string{filepath.Join(root, ".cache", "onnxruntime", FileName), filepath.Join(home, "lib", FileName)}
	for _, w := range want {
		found := false
		for _, p := range paths {
			found = found || p == w
		}
		if !found {
			t.Errorf("DefaultPaths() = %q lacks %q", paths, w)
		}
	}
}

// TestLocateFindsRecordFromAnyDirectory is an embedding program's case:
// started far from any checkout, it finds the library set-up recorded in
// the data home.
func TestLocateFindsRecordFromAnyDirectory(t *testing.T) {
	t.Setenv(EnvVar, "")
	home := t.TempDir()
	t.Setenv(datahome.EnvVar, home)
	lib := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(lib, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := datahome.RecordRuntime(home, lib); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	if exe, _ := os.Executable(); datahome.CheckoutAbove(filepath.Dir(exe), 2) != "" {
		t.Skip("test binary lives inside a checkout")
	}
	got, err := Locate("")
	if err != nil || got != lib {
		t.Fatalf("Locate = %q, %v; want the recorded %q", got, err, lib)
	}
	// A record whose library is gone is passed over, not loaded.
	os.Remove(lib)
	if got, err := Locate(""); err == nil {
		t.Fatalf("Locate = %q after the recorded library was removed; want not found", got)
	}
}

func TestInstallDestinationOfFolder(t *testing.T) {
	dir := t.TempDir()
	if got := InstallDestination(dir); got != filepath.Join(dir, FileName) {
		t.Fatalf("InstallDestination(folder) = %q", got)
	}
	file := filepath.Join(dir, "sub", "lib.so")
	if got := InstallDestination(file); got != file {
		t.Fatalf("InstallDestination(file) = %q", got)
	}
	if got := InstallDestination(filepath.Join(dir, "new") + "/"); got != filepath.Join(dir, "new", FileName) {
		t.Fatalf("InstallDestination(new/) = %q", got)
	}
}

func TestInstallFromTarballRejectsWrongLibrary(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	body := []byte("not the pinned library")
	tw.WriteHeader(&tar.Header{Name: TarballMember, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))})
	tw.Write(body)
	tw.Close()
	zw.Close()
	dir := t.TempDir()
	tgz := filepath.Join(dir, "onnxruntime-node.tgz")
	os.WriteFile(tgz, buf.Bytes(), 0o644)
	dest := filepath.Join(dir, "lib", FileName)
	changed, err := Install(context.Background(), dest, tgz)
	if err == nil || changed || !strings.Contains(err.Error(), SHA256) {
		t.Fatalf("Install = %v, %v; want a sha256 mismatch", changed, err)
	}
	if _, err := os.Stat(dest); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("mismatching library left at %s", dest)
	}
}

// TestInstalledLibrary checks the library set-up installed (CI runs set-up
// first); it is idempotent: a second Install changes nothing.
func TestInstalledLibrary(t *testing.T) {
	path, err := Locate("")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	changed, err := Install(context.Background(), path, "/nonexistent.tgz")
	if err != nil || changed {
		t.Fatalf("Install over the installed library = %v, %v; want no change", changed, err)
	}
}
