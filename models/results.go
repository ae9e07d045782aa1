package models

import (
	"path"

	"github.com/imagenetx/imagenetx/models/fetch"
)

// resultsURL is the ImageNet-X repository's published results folder.
const resultsURL = "https://raw.githubusercontent.com/facebookresearch/imagenetx/main/"

// resultPins are the paper's published factor tables that the model-type
// comparison reads (the ImageNet testbed, model-vs-human and the base
// models, both releases, every error type) and model_types.csv (the
// toolkit's model types with each model's architecture; it has no upstream
// file and comes from a mirror), with their sha256.
var resultPins = []struct{ name, sha256 string }{
	{"model_types.csv", "55d7da1ba34b3148581566c90da1650e0a7550796b0b28d03b110ae834e39e70"},
	{"val/top_factor/imagenet_testbed/class/accuracies_per_factor.csv", "00c1db514ad0c8514424c13a2fea1ad0d20ec0ea0c830b5c40430c25a53732fb"},
	{"val/top_factor/imagenet_testbed/metaclass/accuracies_per_factor.csv", "c05621eb2a52902f9a037c42fde296f5134484508e43997ecf9c533aa49fa8a0"},
	{"val/top_factor/imagenet_testbed/real_class/accuracies_per_factor.csv", "a3a6faaa2624b561b284365aec06b1f3b7ba32af9666598fd95cfa5eb35a6e08"},
	{"val/top_factor/modelvshuman/class/accuracies_per_factor.csv", "4b4a2ac385af2465b0c4531f3a4eaa933037f9d5d1c01aa435c95fb16ea968af"},
	{"val/top_factor/modelvshuman/metaclass/accuracies_per_factor.csv", "63d722a3007fdf4265f26e713fd45adf9c4f58fc65944470b8ccf1566ec6b287"},
	{"val/top_factor/modelvshuman/real_class/accuracies_per_factor.csv", "033264fc03c76b5ffbb6e51b15383adbb9ff216697740cd04b9e79e04c608508"},
	{"val/top_factor/base/class/accuracies_per_factor.csv", "702bc254ac83c83f476faa19d05858094e90fa689ccfd89f93c804fd627dec2d"},
	{"val/top_factor/base/metaclass/accuracies_per_factor.csv", "5879eab1f8c00b14956cd09a8ebe685075ce8416bac2a2eabe6f88c434a6055f"},
	{"val/top_factor/base/real_class/accuracies_per_factor.csv", "bc19b8aad26f84196fddc0b66947b11e7e076dabc156f9f385a8e94c491a11f0"},
	{"val/multi_factor/imagenet_testbed/class/accuracies_per_factor.csv", "8b328ee604bc8bc2315ac67ce5a1e7537c55bed0b054d2be33b8d583aa740977"},
	{"val/multi_factor/imagenet_testbed/metaclass/accuracies_per_factor.csv", "9fea5eeab4e292ae48ceea7f9a123ffc80ed251141a3c42d51e6c27fc5a76d15"},
	{"val/multi_factor/imagenet_testbed/real_class/accuracies_per_factor.csv", "c66ebf823d66c01221dccc8809702a8c20b89e43ffe42bcb0266dd171032b61b"},
	{"val/multi_factor/modelvshuman/class/accuracies_per_factor.csv", "b7b261978ca29f76da2ea226b24d985fab201de3649c5eb29942425f1c74528a"},
	{"val/multi_factor/modelvshuman/metaclass/accuracies_per_factor.csv", "40af9ec05902682d295e941198f5e3417ad5594969606f87a743f2266db33344"},
	{"val/multi_factor/modelvshuman/real_class/accuracies_per_factor.csv", "f771fe47b07a315a152101aa7590d5285091a149c1621a88ddb8eac7c7bc01e2"},
	{"val/multi_factor/base/class/accuracies_per_factor.csv", "d6153e5534f23088c12d5f597c0df7b2a8ad1245d1181fa1add2d5ccff88b2a0"},
	{"val/multi_factor/base/metaclass/accuracies_per_factor.csv", "513d526311f7dce411adbf0e381c3bb34aeff899c94b139dfa7148f76dc6ce6c"},
	{"val/multi_factor/base/real_class/accuracies_per_factor.csv", "0a650af236902ca94ca35f1327ece4a32589b5fbe361575f357787e73a17920b"},
}

// ResultsDir is the folder of the published results in the data home and
// the mirror (laid out as the toolkit's results/).
const ResultsDir = "results"

// ResultAssets returns the pinned published results under results/.
func ResultAssets() []fetch.Asset {
	out := make([]fetch.Asset, 0, len(resultPins))
	for _, p := range resultPins {
		a := fetch.Asset{Path: path.Join(ResultsDir, p.name), SHA256: p.sha256}
		if p.name != "model_types.csv" {
			a.URL = resultsURL + a.Path
		}
		out = append(out, a)
	}
	return out
}
