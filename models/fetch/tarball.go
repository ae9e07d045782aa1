package fetch

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/imagenetx/imagenetx/internal/atomicfile"
)

// ErrUnsafeArchive is returned (wrapped) for an archive entry whose name is
// absolute or climbs out with "..", or a link that leaves the archive.
var ErrUnsafeArchive = errors.New("unsafe archive entry")

// ExtractMember installs the regular file named member of the gzip-compressed
// tar stream r at dest, verified against want (see InstallVerified). The
// whole archive is checked: any entry with an absolute or escaping name, or a
// link pointing outside the archive, fails the extraction, and member itself
// must be a plain file. Nothing else is written, and dest only appears once
// the whole archive has been checked.
func ExtractMember(r io.Reader, source, member, dest, want string, maxBytes int64) (err error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("%s: not a gzip-compressed tarball: %w", source, err)
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	var staged *atomicfile.File
	defer func() {
		if err != nil && staged != nil {
			staged.Abort()
		}
	}()
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", source, err)
		}
		name, err := checkEntry(hdr)
		if err != nil {
			return fmt.Errorf("%s: %w", source, err)
		}
		if name != member {
			continue
		}
		if hdr.Typeflag != tar.TypeReg {
			return fmt.Errorf("%s: %s is not a regular file (type %q): %w", source, member, hdr.Typeflag, ErrUnsafeArchive)
		}
		if staged != nil {
			return fmt.Errorf("%s: %s appears twice: %w", source, member, ErrUnsafeArchive)
		}
		if staged, err = stageVerified(dest, want, source+":"+member, tr, maxBytes); err != nil {
			return err
		}
	}
	if staged == nil {
		return fmt.Errorf("%s: no file %s in the archive", source, member)
	}
	return commitStaged(staged, dest)
}

// checkEntry returns the entry's cleaned name, or an error when the name or
// link target could land outside the extraction folder.
func checkEntry(hdr *tar.Header) (string, error) {
	name, err := safeRelative(hdr.Name)
	if err != nil {
		return "", fmt.Errorf("entry %q: %w", hdr.Name, err)
	}
	switch hdr.Typeflag {
	case tar.TypeSymlink:
		// A relative target resolves from the link's own folder.
		if _, err := safeRelative(path.Join(path.Dir(name), hdr.Linkname)); err != nil || path.IsAbs(hdr.Linkname) {
			return "", fmt.Errorf("link %q -> %q leaves the archive: %w", hdr.Name, hdr.Linkname, ErrUnsafeArchive)
		}
	case tar.TypeLink:
		if _, err := safeRelative(hdr.Linkname); err != nil {
			return "", fmt.Errorf("hard link %q -> %q leaves the archive: %w", hdr.Name, hdr.Linkname, ErrUnsafeArchive)
		}
	}
	return name, nil
}

// safeRelative cleans a slash-separated archive path and refuses absolute
// paths and any that climb above the root.
func safeRelative(p string) (string, error) {
	if p == "" {
		return "", fmt.Errorf("empty name: %w", ErrUnsafeArchive)
	}
	if path.IsAbs(p) || strings.HasPrefix(p, `\`) || strings.Contains(p, "\x00") {
		return "", fmt.Errorf("absolute path: %w", ErrUnsafeArchive)
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return "", fmt.Errorf("path climbs with ..: %w", ErrUnsafeArchive)
		}
	}
	return path.Clean(p), nil
}
