package models

import "github.com/imagenetx/imagenetx/models/fetch"

// annotationsURL is the ImageNet-X repository's annotation folder.
const annotationsURL = "https://raw.githubusercontent.com/facebookresearch/imagenetx/main/imagenet_x/annotations/"

// annotationPins are the ImageNet-X release files (val from the imagenet-x
// 0.0.3 package, train from the repository) with their sha256.
var annotationPins = []struct {
	name, sha256 string
	train        bool
}{
	{"filename_label.csv", "e279a4972518474b373b02b06a35ad21c3572626715eea574d5f7d55302a92bf", false},
	{"imagenet_1k_classes_to_100_metaclasses.csv", "a973495d1cbe6c73f994fa7083e454602d6d0dc831ff0257598a02a23aa633c4", false},
	{"imagenet_labels.txt", "1d322cd0385b977ea9f8fa6a7088a8d01d8ad101117e1ec534fcb88debfc4854", false},
	{"imagenet_real_labels.jsonl", "d83e9bff374c631aae8439eb064c7019acc56e1b3bc3f56b8380c2a710b0220b", false},
	{"imagenet_x_val_multi_factor.jsonl", "85b5a1fd60e627dd26b963530e31eea5906f25465e66e77f7295d726b23281e7", false},
	{"imagenet_x_val_top_factor.jsonl", "083253dfe7c3491c76c4745d00d2c1c6eb19615f3935cfc80c6b914dcd4bd177", false},
	{"prototypical_paths.csv", "3f693c9e056560d9d7bd2242909ae549325e78b763aedb59e5f0c9afdb8a9ea3", false},
	{"imagenet_x_train_multi_factor.jsonl", "219eb8ee090bbca93ce4dec3c004655a4cef2ab27cd99ef46622807e9f14220d", true},
	{"imagenet_x_train_top_factor.jsonl", "b8089f8249ec354b7fd468e2c260a05b6deed7b75117d137b76a534b581e6756", true},
}

// AnnotationAssets returns the pinned annotation files under annotations/:
// those a validation-set audit needs, plus the train-set ones when asked.
func AnnotationAssets(withTrain bool) []fetch.Asset {
	var out []fetch.Asset
	for _, p := range annotationPins {
		if p.train && !withTrain {
			continue
		}
		out = append(out, fetch.Asset{Path: "annotations/" + p.name, URL: annotationsURL + p.name, SHA256: p.sha256})
	}
	return out
}

// AnnotationSHA256s maps the name of each pinned annotation file to its
// sha256, for checking the installed copies when they are read.
func AnnotationSHA256s() map[string]string {
	pins := make(map[string]string, len(annotationPins))
	for _, p := range annotationPins {
		pins[p.name] = p.sha256
	}
	return pins
}
