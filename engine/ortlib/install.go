package ortlib

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/imagenetx/imagenetx/models/fetch"
)

// maxLibraryBytes bounds the extracted library (the real one is 35 MB).
const maxLibraryBytes = 512 << 20

// Installed reports whether dest holds the pinned library. A file with the
// wrong sha256 counts as not installed.
func Installed(dest string) (bool, error) {
	err := fetch.VerifyDest(dest, SHA256)
	var mm *fetch.MismatchError
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, os.ErrNotExist), errors.As(err, &mm):
		return false, nil
	}
	return false, err
}

// InstallFromTarball extracts TarballMember from the npm tarball at path into
// dest, checked against SHA256. Nothing else in the tarball is written and
// nothing in it is run.
func InstallFromTarball(tarball, dest string) error {
	f, err := os.Open(tarball)
	if err != nil {
		return err
	}
	defer f.Close()
	return fetch.ExtractMember(f, tarball, TarballMember, dest, SHA256, maxLibraryBytes)
}

// PackNPM runs `npm pack PACKAGE@VERSION` in dir (npm's ordinary way of
// fetching a package tarball without installing or running anything) and
// returns the tarball's path.
func PackNPM(ctx context.Context, dir, pkg string) (string, error) {
	if _, err := exec.LookPath("npm"); err != nil {
		return "", fmt.Errorf("npm is needed to fetch %s: install it with `%s`, or give a tarball: %w", pkg, AptInstallLine("npm"), err)
	}
	cmd := exec.CommandContext(ctx, "npm", "pack", pkg, "--silent")
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("npm pack %s: %w: %s", pkg, err, strings.TrimSpace(stderr.String()))
	}
	fields := strings.Fields(stdout.String())
	if len(fields) == 0 {
		return "", fmt.Errorf("npm pack %s printed no file name", pkg)
	}
	name := fields[len(fields)-1]
	if filepath.Base(name) != name {
		return "", fmt.Errorf("npm pack %s printed an unexpected file name %q", pkg, name)
	}
	return filepath.Join(dir, name), nil
}

// AptInstallLine is the exact command that installs Debian packages, the
// way scripts/setup.sh runs it: with sudo in front for a user who is not
// root.
func AptInstallLine(pkgs ...string) string {
	line := "apt-get install -y --no-install-recommends " + strings.Join(pkgs, " ")
	if os.Geteuid() != 0 {
		return "sudo apt-get update && sudo " + line
	}
	return "apt-get update && " + line
}

// InstallDestination is the library file that installing to dest writes:
// dest itself, or dest/libonnxruntime.so.1 when dest is a folder (an
// existing one, or a path ending in a slash).
func InstallDestination(dest string) string {
	if strings.HasSuffix(dest, string(filepath.Separator)) {
		return filepath.Join(dest, FileName)
	}
	if st, err := os.Stat(dest); err == nil && st.IsDir() {
		return filepath.Join(dest, FileName)
	}
	return dest
}

// Install makes sure dest holds the pinned library: nothing happens when it
// already does; otherwise the library is taken from tarball, or, when tarball
// is "", from a fresh `npm pack` in a temporary folder.
func Install(ctx context.Context, dest, tarball string) (changed bool, err error) {
	ok, err := Installed(dest)
	if err != nil || ok {
		return false, err
	}
	if tarball == "" {
		tmp, err := os.MkdirTemp("", "imagenetx-ort-")
		if err != nil {
			return false, err
		}
		defer os.RemoveAll(tmp)
		if tarball, err = PackNPM(ctx, tmp, NPMPackage); err != nil {
			return false, err
		}
	}
	if err := InstallFromTarball(tarball, dest); err != nil {
		return false, err
	}
	return true, nil
}
