package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/imagenetx/imagenetx/internal/atomicfile"
)

// Asset is a pinned file: where it lives under the data home and the mirror,
// where upstream serves it, and its sha256.
type Asset struct {
	// Path is relative and slash-separated, e.g. "annotations/filename_label.csv";
	// the same relative path is looked up in the mirror.
	Path string
	// URL is the upstream location; "" when the file has no public source
	// and must come from a mirror.
	URL    string
	SHA256 string
}

// Outcome says how Ensure satisfied an asset.
type Outcome int

const (
	// Present: the file was already in place with the right sha256.
	Present Outcome = iota
	// Copied: the file came from the mirror.
	Copied
	// Downloaded: the file came from its upstream URL.
	Downloaded
)

func (o Outcome) String() string {
	switch o {
	case Present:
		return "present"
	case Copied:
		return "copied from mirror"
	case Downloaded:
		return "downloaded"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Fetcher installs assets under Home.
type Fetcher struct {
	// Home is the destination folder.
	Home string
	// Mirror is a folder laid out like Home that is tried before upstream;
	// "" for none.
	Mirror string
	// Client downloads upstream files; nil means http.DefaultClient.
	Client *http.Client
	// MaxBytes bounds each file (≤ 0: DefaultMaxBytes).
	MaxBytes int64
}

// Dest returns where a is installed.
func (f *Fetcher) Dest(a Asset) string { return filepath.Join(f.Home, filepath.FromSlash(a.Path)) }

// Ensure makes sure a is installed and verified, fetching it when it is
// missing or wrong, and returns its path and how it got there.
func (f *Fetcher) Ensure(ctx context.Context, a Asset) (string, Outcome, error) {
	dest := f.Dest(a)
	err := VerifyDest(dest, a.SHA256)
	if err == nil {
		return dest, Present, nil
	}
	var mm *MismatchError
	if !errors.Is(err, os.ErrNotExist) && !errors.As(err, &mm) {
		return "", 0, err
	}
	if mm != nil {
		// A file that fails its pin is never used: remove it now, so that
		// a failed replacement cannot leave it in place (through a link,
		// the file it points at; the link stays).
		if err := atomicfile.Remove(dest); err != nil {
			return "", 0, fmt.Errorf("remove %s (sha256 mismatch): %w", dest, err)
		}
	}
	if f.Mirror != "" {
		src := filepath.Join(f.Mirror, filepath.FromSlash(a.Path))
		if err := f.copyFrom(src, dest, a); err == nil {
			return dest, Copied, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", 0, err
		}
	}
	if a.URL == "" {
		return "", 0, fmt.Errorf("%s: not in the mirror %q and has no upstream URL; set IMAGENETX_MIRROR to a folder holding it", a.Path, f.Mirror)
	}
	if err := f.download(ctx, a, dest); err != nil {
		return "", 0, err
	}
	return dest, Downloaded, nil
}

func (f *Fetcher) copyFrom(src, dest string, a Asset) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return InstallVerified(dest, a.SHA256, src, in, f.MaxBytes)
}

func (f *Fetcher) download(ctx context.Context, a Asset, dest string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", a.Path, err)
	}
	client := f.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("download %s: %w", a.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return fmt.Errorf("download %s: HTTP %s", a.URL, resp.Status)
	}
	return InstallVerified(dest, a.SHA256, a.URL, resp.Body, f.MaxBytes)
}
