// Package load reads what eval works on: an ImageNet-X annotation folder
// (the upstream release files) into an eval.Dataset, and prediction files
// into an eval.Accumulator, many at a time with bounded memory.
//
// The annotation lines are parsed by a small strict JSON scanner
// (jsonscan.go, checked against encoding/json by fuzzing) because the
// release is 25 MB of one-object-per-line JSON; prediction files are read
// by the predictions package, whose CSV record reader is shared with the
// engine, row by row without allocation (predictions.Reader.ReadRow into
// eval.Accumulator.AddModelRows).
//
// Sources names a model per file (by stem, NAME=PATH, or each file of a
// folder); Pair is the two models of a paired comparison.
package load
