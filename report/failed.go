package report

import (
	"cmp"
	"fmt"
	"slices"
)

// MaxFailuresListed caps the failed images a model's list shows one by one
// (all are counted by reason): a run whose every image failed would
// otherwise make a page of tens of megabytes.
const MaxFailuresListed = 1000

// failedID is the id of the list of failed images of the i-th of
// allModels.
func failedID(i int) string { return fmt.Sprintf("failed-%d", i) }

// allModels names the models of the table, then those of Input.Models
// that have no prediction at all (every image failed).
func (m *models) allModels() []string {
	var names []string
	for _, r := range m.rows {
		names = append(names, r.Model)
	}
	for _, x := range m.input {
		if !slices.Contains(names, x.Name) {
			names = append(names, x.Name)
		}
	}
	return names
}

// failedSection lists, per model, the images that failed: counted by stage
// and reason, then one by one.
func (m *models) failedSection() []modelFailures {
	var out []modelFailures
	for i, name := range m.allModels() {
		fs := m.extra[name].Failed
		if len(fs) == 0 {
			continue
		}
		mf := modelFailures{ID: failedID(i), Model: name, Total: len(fs), More: max(0, len(fs)-MaxFailuresListed)}
		mf.Reasons = failureReasons(fs, i)
		list := &table{ID: fmt.Sprintf("failed-list-%d", i), Sortable: true, Class: "list", Head: []column{{Text: "file"}, {Text: "stage"}, {Text: "reason"}}}
		for _, f := range fs[:min(len(fs), MaxFailuresListed)] {
			list.Rows = append(list.Rows, []cell{{Text: f.File}, {Text: f.Stage}, {Text: f.Reason, Class: "wrap"}})
		}
		mf.Table = list
		out = append(out, mf)
	}
	return out
}

// failureReasons counts failures by stage and reason, most frequent first.
func failureReasons(fs []Failure, i int) *table {
	type key struct{ stage, reason string }
	counts := map[key]int{}
	var keys []key
	for _, f := range fs {
		k := key{f.Stage, f.Reason}
		if counts[k] == 0 {
			keys = append(keys, k)
		}
		counts[k]++
	}
	slices.SortStableFunc(keys, func(a, b key) int { return cmp.Compare(counts[b], counts[a]) })
	t := &table{ID: fmt.Sprintf("failed-reasons-%d", i), Sortable: true, Head: []column{{Text: "stage"}, {Text: "reason"}, {Text: "images"}}}
	for _, k := range keys {
		t.Rows = append(t.Rows, []cell{{Text: k.stage}, {Text: k.reason, Class: "wrap"}, countCell(counts[k])})
	}
	return t
}
