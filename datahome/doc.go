// Package datahome says where imagenetx keeps and finds its files on this
// machine, from any working directory and for any program that embeds the
// library:
//
//   - the data home ($IMAGENETX_HOME, default ~/.cache/imagenetx): the
//     annotations and models that set-up copies, and a record of where
//     set-up installed the ONNX Runtime library;
//   - the mirror ($IMAGENETX_MIRROR, default the shared data folder beside
//     the checkout that holds the running executable): a local folder laid
//     out like the data home that set-up and model lookup try first;
//   - the checkout holding the running executable (bin/imagenetx).
//
// It only names places and reads small records; fetching files is
// models/fetch's job, the library itself engine/ortlib's. Nothing here
// depends on the working directory: a Go program started anywhere finds
// what `bash scripts/setup.sh` put in place.
package datahome
