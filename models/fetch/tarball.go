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
func ExtractMember(r io.Reader, source, member, dest, want string, maxBytes int64) error {
	return ExtractMembers(r, source, []Member{{Name: member, Dest: dest, SHA256: want, MaxBytes: maxBytes}})
}

// Member is a file to take out of an archive: its name in the archive, its
// destination, its pinned sha256 and a size bound (≤ 0: DefaultMaxBytes).
// The names of one extraction are distinct.
type Member struct {
	Name, Dest, SHA256 string
	MaxBytes           int64
}

// ExtractMembers is ExtractMember for several files in one pass over the
// archive (a large archive is read once). No member is installed unless
// every one was found and verified.
func ExtractMembers(r io.Reader, source string, members []Member) (err error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("%s: not a gzip-compressed tarball: %w", source, err)
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	staged := make([]*atomicfile.File, len(members))
	defer func() {
		if err != nil {
			for _, s := range staged {
				if s != nil {
					s.Abort()
				}
			}
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
		for i, m := range members {
			if name != m.Name {
				continue
			}
			if hdr.Typeflag != tar.TypeReg {
				return fmt.Errorf("%s: %s is not a regular file (type %q): %w", source, m.Name, hdr.Typeflag, ErrUnsafeArchive)
			}
			if staged[i] != nil {
				return fmt.Errorf("%s: %s appears twice: %w", source, m.Name, ErrUnsafeArchive)
			}
			if staged[i], err = stageVerified(m.Dest, m.SHA256, source+":"+m.Name, tr, m.MaxBytes); err != nil {
				return err
			}
		}
	}
	for i, m := range members {
		if staged[i] == nil {
			return fmt.Errorf("%s: no file %s in the archive", source, m.Name)
		}
	}
	for i, m := range members {
		if err := commitStaged(staged[i], m.Dest); err != nil {
			return err
		}
		staged[i] = nil
	}
	return nil
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
