package runfiles

import (
	"path/filepath"
	"strconv"
	"strings"
)

// The files of an output folder (an audit's, a sweep's).
const (
	PredictionsFile = "predictions.csv"
	ErrorsFile      = "errors.csv"
	ManifestFile    = "run.json"
	FactorsFile     = "factors.csv"
	ReportFile      = "report.html"
	// lockFile is the lock of a folder's outputs.
	lockFile = ".imagenetx.lock"
)

// Outputs are the paths of one run's files.
type Outputs struct {
	// Predictions is the predictions CSV, Errors the CSV of images that
	// failed (made only when one did), Manifest the run.json.
	Predictions, Errors, Manifest string
	// Lock is the lock file that keeps a second process off these
	// outputs (see Lock).
	Lock string
}

// ForFile lays out a run written to the predictions file preds: the errors
// file (errorsPath, or ErrorsPathFor(preds) when ""), FILE.run.json and
// FILE.lock beside it.
func ForFile(preds, errorsPath string) Outputs {
	if errorsPath == "" {
		errorsPath = ErrorsPathFor(preds)
	}
	return Outputs{Predictions: preds, Errors: errorsPath, Manifest: preds + ".run.json", Lock: preds + ".lock"}
}

// ForDir lays out a run written into the folder dir: predictions.csv,
// errors.csv and run.json.
func ForDir(dir string) Outputs {
	return Outputs{
		Predictions: filepath.Join(dir, PredictionsFile),
		Errors:      filepath.Join(dir, ErrorsFile),
		Manifest:    filepath.Join(dir, ManifestFile),
		Lock:        filepath.Join(dir, lockFile),
	}
}

// ErrorsPathFor names the errors file that goes with a predictions file:
// preds.csv → preds.errors.csv.
func ErrorsPathFor(predsPath string) string {
	ext := filepath.Ext(predsPath)
	return strings.TrimSuffix(predsPath, ext) + ".errors.csv"
}

// StrengthPredictionsFile names a sweep strength's predictions, e.g.
// predictions_0.25.csv.
func StrengthPredictionsFile(strength float64) string {
	return "predictions_" + strconv.FormatFloat(strength, 'g', -1, 64) + ".csv"
}
