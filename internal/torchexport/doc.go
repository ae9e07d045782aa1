// Package torchexport makes ONNX classifiers from torchvision for tests and
// benchmarks: it runs scripts/export_torchvision.py with Debian's python3
// (python3-torch, python3-torchvision), which exports a torchvision
// architecture with conditioned random weights (no pretrained weights can be
// downloaded) and, when asked, PyTorch's own predictions for a folder of
// images. Exports are cached outside the repository, keyed by the script's
// sha256 and the request, so a second test run reuses them.
//
// Tests and benchmarks reach torchvision through this package; the script
// itself documents how the random weights are conditioned (BatchNorm
// recalibration, classifier centring) and also serves deploy/gpu-bench.sh,
// which runs it directly.
package torchexport
