package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Item is one image of a run. Index is its position in the sorted list.
type Item struct {
	Index int
	// Name is the file name, the key of predictions and annotations.
	Name string
	Path string
}

// imageExts are the file name extensions listed as images (case-insensitive);
// everything the preprocess decoder reads.
var imageExts = map[string]bool{
	".jpeg": true, ".jpg": true, ".png": true, ".bmp": true,
	".gif": true, ".tif": true, ".tiff": true, ".webp": true,
}

// IsImageName reports whether a file name has an image extension.
func IsImageName(name string) bool {
	return imageExts[strings.ToLower(filepath.Ext(name))] && !strings.HasPrefix(name, ".")
}

// ListImages returns the images of dir sorted by file name. dir is either
// flat (ILSVRC2012_val_*.JPEG) or holds one folder per class (wnid); the
// folder names are not used here (imagenetx.FolderLabels reads wnid folders
// as labels). Two files with one name in different
// folders are an error, since the name is the key of every output.
func ListImages(dir string) ([]Item, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	seen := map[string]string{}
	var items []Item
	add := func(name, path string) error {
		if prev, dup := seen[name]; dup {
			return fmt.Errorf("list images: %s and %s have the same file name", prev, path)
		}
		seen[name] = path
		items = append(items, Item{Name: name, Path: path})
		return nil
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if isDir(e, path) {
			if err := listSubdir(path, add); err != nil {
				return nil, err
			}
			continue
		}
		if IsImageName(e.Name()) {
			if err := add(e.Name(), path); err != nil {
				return nil, err
			}
		}
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("list images: no image files (.JPEG, .jpg, .png, ...) in %s or its subfolders", dir)
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
	for i := range items {
		items[i].Index = i
	}
	return items, nil
}

// ItemsOf makes a sorted item list from file names and their paths, for
// images that do not come from one folder.
func ItemsOf(paths map[string]string) []Item {
	items := make([]Item, 0, len(paths))
	for name, path := range paths {
		items = append(items, Item{Name: name, Path: path})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
	for i := range items {
		items[i].Index = i
	}
	return items
}

// listSubdir adds the images of one class folder (not descending further).
func listSubdir(dir string, add func(name, path string) error) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list images: %w", err)
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if IsImageName(e.Name()) && !isDir(e, path) {
			if err := add(e.Name(), path); err != nil {
				return err
			}
		}
	}
	return nil
}

// isDir follows symbolic links; a broken link counts as a file, so an image
// name pointing nowhere is reported when it is read rather than dropped.
func isDir(e os.DirEntry, path string) bool {
	if e.IsDir() {
		return true
	}
	if e.Type()&os.ModeSymlink == 0 {
		return false
	}
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// ErrNoImages is returned when a selection leaves nothing to do.
var ErrNoImages = errors.New("no images")
