// Package imagenetx is the front door for Go programs: open a model, run it
// over images, and get back the ImageNet-X factor tables, top-1/top-k and
// statistics, in a handful of lines:
//
//	model, err := imagenetx.Open("mobilenetv2-12-int8", imagenetx.Options{})
//	if err != nil { ... }
//	defer model.Close()
//	images, err := imagenetx.Folder("val_227", imagenetx.Selection{})
//	annotations, err := imagenetx.Annotations("") // set-up's copy
//	audit, err := model.Audit(ctx, images, annotations, imagenetx.AuditOptions{})
//	fmt.Println(audit.Score, audit.Table.Rows[0].WorstFactors(3, 30))
//
// The ONNX Runtime library and the data home are found the way set-up left
// them, from any working directory (package datahome); a registered model
// name is looked up in the data home and the mirror, and any .onnx file may
// be given instead.
//
// Why the module's root package: it is the one import a user types from the
// module path alone (github.com/imagenetx/imagenetx), and it only wires the
// stages below it together, so it adds no logic that the packages lack. The
// command line (cmd/imagenetx) is built on the same calls: `run` is
// Model.RunToFiles, `audit` is AuditModels with Audits.WriteFiles and
// Audits.WriteSummary, `sweep` is Model.Sweep with Sweep.WriteFiles, `setup`
// is Setup; Model.Summary is the line each prints about its run.
//
// Labels and names: Audit scores against Labels, from the annotations'
// filename_label.csv or one's own (ChooseLabels: a labels CSV, or wnid
// folder names); Options.Name names a model in its files and tables
// (default: the registry name or the file's stem). AuditModels audits
// several models in one pass over one Images value, decoding each image
// once, with a factor table row per model and a Leaderboard against a
// baseline.
package imagenetx
