package runfiles

import (
	"cmp"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/imagenetx/imagenetx/internal/atomicfile"
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
	// failed (made only when one did), Manifest the run.json ("" for
	// predictions written in place: none).
	Predictions, Errors, Manifest string
	// Lock is the lock file that keeps a second process off these
	// outputs (see Lock).
	Lock string
}

// ForFile lays out a run written to the predictions file preds: the errors
// file (errorsPath, or ErrorsPathFor(preds) when ""), FILE.run.json and
// FILE.lock beside it. Predictions written in place by atomicfile's rule
// ("-", /dev/null, a FIFO) get no run.json and no lock, since nothing can
// resume or merge them, and their failures go to standard error unless
// errorsPath names a file: nothing is ever made beside a device.
func ForFile(preds, errorsPath string) Outputs {
	if t, err := atomicfile.Resolve(preds); err == nil && t.InPlace() {
		return Outputs{Predictions: preds, Errors: cmp.Or(errorsPath, "/dev/stderr")}
	}
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
