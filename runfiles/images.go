package runfiles

import "github.com/imagenetx/imagenetx/engine"

// ImageList describes a run's whole image list (after the limit, before
// sharding), so that merging shards can prove they cover it.
type ImageList struct {
	// Count is the number of images, Fingerprint their ListFingerprint.
	Count       int
	Fingerprint string
}

// Selection chooses a run's images from a sorted list.
type Selection struct {
	// Limit keeps only the first Limit images, in file-name order (0: all).
	Limit int
	// Shard is the part of the limited list this process runs (zero: all).
	Shard ShardSpec
}

// Select applies the limit first and the shard second, so that the union
// of the shards of a limited run is the unsharded run with the same limit.
// It returns this process's items (renumbered) and the limited list's
// description.
func (s Selection) Select(items []engine.Item) ([]engine.Item, ImageList, error) {
	if s.Limit > 0 && s.Limit < len(items) {
		items = items[:s.Limit]
	}
	fp, err := FingerprintItems(items)
	if err != nil {
		return nil, ImageList{}, err
	}
	return s.Shard.Select(items), ImageList{Count: len(items), Fingerprint: fp}, nil
}

// ListImages lists the images of dir (see engine.ListImages) and applies
// sel.
func ListImages(dir string, sel Selection) ([]engine.Item, ImageList, error) {
	items, err := engine.ListImages(dir)
	if err != nil {
		return nil, ImageList{}, err
	}
	return sel.Select(items)
}
