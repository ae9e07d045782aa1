// Package report lays out the imagenetx audit as one self-contained HTML
// page: inline SVG charts (drawn by report/chart), inline CSS and an
// embedded font, thumbnails as data: URIs, and one small inline script that
// sorts tables and opens a factor's list of misclassified images. Nothing is
// fetched from the network: the page's Content-Security-Policy allows no
// source but data: images and fonts, and allows that one script by its
// SHA-256 hash, computed when the page is built.
//
// It only arranges and draws: tables come from eval, paired comparisons
// from eval.Compare, intervals and calibration from eval/stats and
// eval/analysis, sweeps' curves, fits and verdicts from eval/sweep, and a
// model's top-1/top-k over all its images and its failed images from the
// caller (Input.Models).
//
// What a reader sees first is each model's top-1 (and top-k) with its
// interval and image counts, and the factors on which it is clearly worse
// than average: only factors with at least Input.MinImages images, whose
// error-ratio interval lies above 1. Then the factor table (sortable, each
// factor's count of misclassified images opening the list of them), the
// comparison of the models (exact McNemar per factor, Holm-corrected),
// charts, failed images and sweeps.
package report
