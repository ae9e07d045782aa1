// Package tabular writes tables of any shape for people and for programs:
// Records (typed cells in long form) as CSV that pandas reads back exactly
// or as JSON, preformatted cells as an aligned markdown table, and the
// number formats every imagenetx table shares (full-precision floats as
// Python's repr prints them, fixed decimals, signed changes, p-values).
//
// It knows nothing of factors or models; eval and its subpackages build
// their tables on it.
package tabular
