package runfiles

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/imagenetx/imagenetx/internal/atomicfile"
	"github.com/imagenetx/imagenetx/predictions"
)

// The files of an output folder (an audit's, a sweep's) that are not one
// model's (those are named after it: see ForModel).
const (
	FactorsFile = "factors.csv"
	// LeaderboardFile is an audit's table of its models side by side.
	LeaderboardFile = "leaderboard.csv"
	// ErrorsSuffix and ManifestSuffix end a run's errors file and its
	// run.json (NAME.errors.csv, NAME.run.json).
	ErrorsSuffix   = ".errors.csv"
	ManifestSuffix = ".run.json"
	// PlacementFile is an audit's placement of its models among the
	// paper's published models.
	PlacementFile = "placement.csv"
	ReportFile    = "report.html"
	// SweepManifestFile is a sweep's run.json (its strengths' files are
	// described together).
	SweepManifestFile = "run.json"
	// lockFile is the lock of a folder's outputs.
	lockFile = ".imagenetx.lock"
)

// The files of an audit folder written before its files were named after
// the model (ForDir): still read by merge, resume's check and ErrorsBeside.
const (
	PredictionsFile = "predictions.csv"
	ErrorsFile      = "errors.csv"
	ManifestFile    = "run.json"
)

// Outputs are the paths of one run's files.
type Outputs struct {
	// Predictions is the predictions CSV, Errors the CSV of images that
	// failed (made only when one did), Manifest the run.json ("" for
	// predictions written in place: none).
	Predictions, Errors, Manifest string
	// Lock is the lock file that keeps a second process off the
	// predictions file (see Lock, which locks the other files too).
	Lock string
}

// ForFile lays out a run written to the predictions file preds: the errors
// file (errorsPath, or ErrorsPathFor(preds) when ""), FILE.run.json and
// FILE.lock beside it; for a file named after its model,
// NAME.predictions.csv, they are NAME.errors.csv, NAME.run.json and
// NAME.lock (ForModel). Predictions written in place by atomicfile's rule
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
	base := preds
	if named, ok := namedBase(preds); ok {
		base = named
	}
	return Outputs{Predictions: preds, Errors: errorsPath, Manifest: base + ManifestSuffix, Lock: base + ".lock"}
}

// ForModel lays out the run of the model named name written into the
// folder dir, as an audit writes each of its models: NAME.predictions.csv,
// NAME.errors.csv and NAME.run.json, locked by NAME.lock. Readers name the
// predictions NAME (predictions.ModelName), so the files of several models,
// or of two audits, go side by side with no renaming.
func ForModel(dir, name string) Outputs {
	return ForFile(filepath.Join(dir, predictions.FileName(name)), "")
}

// ForDir lays out a run written into the folder dir by an imagenetx that
// did not yet name an audit's files after its model: predictions.csv,
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
// preds.csv → preds.errors.csv, NAME.predictions.csv → NAME.errors.csv.
func ErrorsPathFor(predsPath string) string {
	if named, ok := namedBase(predsPath); ok {
		return named + ErrorsSuffix
	}
	ext := filepath.Ext(predsPath)
	return strings.TrimSuffix(predsPath, ext) + ErrorsSuffix
}

// StrengthName names the predictions of the model name at one strength of
// a sweep's variant family, e.g. mobilenetv2-12-int8_colorjitter0.25: the
// strength ends the name, as spillover's --strength-regex reads it.
func StrengthName(name, family string, strength float64) string {
	return name + "_" + family + strconv.FormatFloat(strength, 'g', -1, 64)
}

// namedBase is dir/NAME for a predictions file dir/NAME.predictions.csv
// (false for any other name).
func namedBase(predsPath string) (string, bool) {
	if base := filepath.Base(predsPath); !strings.HasSuffix(base, predictions.FileSuffix) || base == predictions.FileSuffix {
		return "", false
	}
	return strings.TrimSuffix(predsPath, predictions.FileSuffix), true
}

// RunFilesIn lists, sorted, the files in the folder dir that a run wrote
// there: each model's predictions, errors and run.json (named after it, or
// the older predictions.csv, errors.csv and run.json) and the folder's
// factors.csv, leaderboard.csv, placement.csv and report.html. A folder that does not
// exist holds none. Lock files are left out: they hold no results.
func RunFilesIn(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("output folder %s: %w", dir, err)
	}
	fixed := map[string]bool{FactorsFile: true, LeaderboardFile: true, PlacementFile: true, ReportFile: true,
		PredictionsFile: true, ErrorsFile: true, ManifestFile: true}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() {
			continue
		}
		if fixed[n] || strings.HasSuffix(n, predictions.FileSuffix) || strings.HasSuffix(n, ErrorsSuffix) || strings.HasSuffix(n, ManifestSuffix) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}
