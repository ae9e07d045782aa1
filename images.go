package imagenetx

import (
	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/runfiles"
)

// Selection chooses a run's images: the first Limit (0: all), then one
// shard of them (runfiles.ParseShard reads "i/n").
type Selection = runfiles.Selection

// Images is the list a run goes over, in file-name order (the order of
// every output), with the description of the whole list that run.json
// records.
type Images struct {
	// Dir is the folder the images were listed from ("" for Files).
	Dir string
	// Items are the images this process runs (one shard's, when sharded).
	Items []engine.Item
	// List describes the whole list, after the limit and before sharding.
	List runfiles.ImageList
	sel  runfiles.Selection
}

// Folder lists the images of dir (flat, or one folder per class) and
// applies sel.
func Folder(dir string, sel Selection) (*Images, error) {
	items, list, err := runfiles.ListImages(dir, sel)
	if err != nil {
		return nil, err
	}
	return &Images{Dir: dir, Items: items, List: list, sel: sel}, nil
}

// Files makes a run's list from image files named by the caller (an
// iterator's output, a data loader's), given as file name → path; the names
// are the key of every output, so they must be distinct. sel applies as
// for Folder.
func Files(paths map[string]string, sel Selection) (*Images, error) {
	items := engine.ItemsOf(paths)
	items, list, err := sel.Select(items)
	if err != nil {
		return nil, err
	}
	return &Images{Items: items, List: list, sel: sel}, nil
}

// Shard is the part of the list these images are (0/1: all of it).
func (im *Images) Shard() runfiles.ShardSpec {
	if im.sel.Shard.IsWhole() {
		return runfiles.Whole
	}
	return im.sel.Shard
}
