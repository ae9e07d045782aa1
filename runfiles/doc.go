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
// Layouts: a run writes FILE (predictions), its errors file and its
// run.json (ForFile: FILE.errors.csv and FILE.run.json, or for a file
// named after its model, NAME.predictions.csv, NAME.errors.csv and
// NAME.run.json); an audit writes a folder with each model's files named
// after it (ForModel), and its tables beside them (FactorsFile,
// LeaderboardFile, ReportFile); a sweep writes one predictions file per
// strength (NAME_FAMILYSTRENGTH.predictions.csv, StrengthName) and a
// run.json that is a SweepManifest (SweepManifestFile). Folders written
// before files were named after the model (ForDir: predictions.csv,
// errors.csv, run.json) are still read by merge and resume.
package runfiles
