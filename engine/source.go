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

// ListImages returns the images of dir sorted by name. dir is either flat
// (ILSVRC2012_val_*.JPEG) or holds one folder per class (wnid); the folder
// names are not used here (imagenetx.FolderLabels reads wnid folders as
// labels). An image's name, the key of every output, is its file name, so
// that the ImageNet-X annotations find the val images wherever they lie;
// where class folders hold files of the same name (001.jpg in every class,
// as many datasets have), each of those is named folder/file instead.
func ListImages(dir string) ([]Item, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	var items []Item
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if isDir(e, path) {
			if items, err = listSubdir(path, items); err != nil {
				return nil, err
			}
			continue
		}
		if IsImageName(e.Name()) {
			items = append(items, Item{Name: e.Name(), Path: path})
		}
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("list images: no image files (.JPEG, .jpg, .png, ...) in %s or its subfolders", dir)
	}
	count := map[string]int{}
	for _, it := range items {
		count[it.Name]++
	}
	for i, it := range items {
		if count[it.Name] > 1 && filepath.Dir(it.Path) != dir {
			items[i].Name = filepath.Base(filepath.Dir(it.Path)) + "/" + it.Name
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
	// Names are now distinct: a file name holds no "/", and folder names
	// in one folder differ.
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

// listSubdir appends the images of one class folder (not descending further).
func listSubdir(dir string, items []Item) ([]Item, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if IsImageName(e.Name()) && !isDir(e, path) {
			items = append(items, Item{Name: e.Name(), Path: path})
		}
	}
	return items, nil
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
