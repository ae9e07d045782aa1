// Package runfiles is a run's on-disk form: the predictions file (the
// reference CSV), the errors file, the run.json manifest beside them, the
// lock that keeps a second process off the same outputs, resuming an
// interrupted run, the deterministic sharding of an image list (limit, then
// shard) and the merge of the shards' files back into what one run writes.
//
// The engine only runs pipelines into a Sink; this package's FileSink is
// the Sink that writes the files, and everything that reads them back
// (resume, merge) lives here too, so the file names and formats are
// defined once.
//
// Layouts: a run writes FILE (predictions), FILE.errors.csv and
// FILE.run.json (ForFile); an audit writes a folder with predictions.csv,
// errors.csv and run.json (ForDir), and its tables beside them
// (FactorsFile, ReportFile); a sweep writes one predictions file per
// strength (StrengthPredictionsFile) and a run.json that is a
// SweepManifest.
package runfiles
