package models

import (
	"path"

	"github.com/imagenetx/imagenetx/models/fetch"
	"github.com/imagenetx/imagenetx/preprocess/variant"
	"github.com/imagenetx/imagenetx/preprocess/variant/corrupt"
)

// frostURL is imagecorruptions' overlay folder (release 1.1.2's files;
// Apache-2.0).
const frostURL = "https://raw.githubusercontent.com/bethgelab/imagecorruptions/master/imagecorruptions/frost/"

// CorruptionAssets returns the frost corruption's six overlay images under
// corruptions/frost/, pinned to the sha256 the corrupt step checks when it
// reads them.
func CorruptionAssets() []fetch.Asset {
	out := make([]fetch.Asset, 0, len(corrupt.FrostFiles))
	for i, name := range corrupt.FrostFiles {
		out = append(out, fetch.Asset{
			Path:   path.Join(variant.FrostSubdir, name),
			URL:    frostURL + name,
			SHA256: corrupt.FrostSHA256[i],
		})
	}
	return out
}
