package engine

import (
	"errors"
	"sort"

	"github.com/imagenetx/imagenetx/preprocess"
)

// Item is one image of a run. Index is its position in the sorted list.
type Item struct {
	Index int
	// Name is the image's name, the key of predictions and annotations
	// (preprocess.ListImages says how an image in a folder is named).
	Name string
	// Rel is the path below the listed folder ("/" separators); Name for
	// images that were not listed from a folder.
	Rel  string
	Path string
}

// IsImageName reports whether a file name has an image extension.
func IsImageName(name string) bool { return preprocess.IsImageName(name) }

// ListImages returns the images below dir, at any depth, sorted by name
// and named by preprocess.ListImages's rule (the file name, or the path
// below dir for a file name several images share). The folder names are
// not used here (imagenetx.FolderLabels reads wnid folders as labels).
func ListImages(dir string) ([]Item, error) {
	files, err := preprocess.ListImages(dir)
	if err != nil {
		return nil, err
	}
	items := make([]Item, len(files))
	for i, f := range files {
		items[i] = Item{Index: i, Name: f.Name, Rel: f.Rel, Path: f.Path}
	}
	return items, nil
}

// ItemsOf makes a sorted item list from file names and their paths, for
// images that do not come from one folder.
func ItemsOf(paths map[string]string) []Item {
	items := make([]Item, 0, len(paths))
	for name, path := range paths {
		items = append(items, Item{Name: name, Rel: name, Path: path})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
	for i := range items {
		items[i].Index = i
	}
	return items
}

// ErrNoImages is returned when a selection leaves nothing to do.
var ErrNoImages = errors.New("no images")
