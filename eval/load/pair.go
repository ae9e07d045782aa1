package load

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Pair expands paths (files or folders, as Sources) into exactly the two
// models of a paired comparison, A then B. Two files with the same stem
// (the same model, two runs) are named by their paths instead; the same
// file twice is an error.
func Pair(paths []string) ([]Source, error) {
	var sources []Source
	for _, p := range paths {
		s, err := Sources([]string{p})
		if err != nil {
			return nil, err
		}
		sources = append(sources, s...)
	}
	if len(sources) != 2 {
		names := make([]string, len(sources))
		for i, s := range sources {
			names[i] = s.Path
		}
		return nil, fmt.Errorf("a comparison needs exactly two models (two prediction files), got %d: %s", len(sources), strings.Join(names, ", "))
	}
	if sources[0].Model == sources[1].Model {
		if filepath.Clean(sources[0].Path) == filepath.Clean(sources[1].Path) {
			return nil, fmt.Errorf("a comparison needs two different prediction files, got %s twice", sources[0].Path)
		}
		sources[0].Model, sources[1].Model = sources[0].Path, sources[1].Path
	}
	return sources, nil
}
