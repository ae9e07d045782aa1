package preprocess

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// imageExts are the file name extensions listed as images (case-insensitive):
// everything the decoder reads.
var imageExts = map[string]bool{
	".jpeg": true, ".jpg": true, ".png": true, ".bmp": true,
	".gif": true, ".tif": true, ".tiff": true, ".webp": true,
}

// IsImageName reports whether a file name has an image extension (and is
// not hidden).
func IsImageName(name string) bool {
	return imageExts[strings.ToLower(filepath.Ext(name))] && !strings.HasPrefix(name, ".")
}

// ImageFile is one image found below a folder.
type ImageFile struct {
	// Name is the image's name, the key of every output: its file name,
	// or, when several images below the folder share that file name, its
	// path below the folder with "/" separators (cats/001.jpg).
	Name string
	// Rel is the path below the folder, with "/" separators.
	Rel string
	// Path is the path to open.
	Path string
}

// ListImages returns every image below dir, at any depth, sorted by name.
// Every command that takes a folder of images lists it by this one rule,
// so that a run, its labels and the report's thumbnails name an image
// alike. An image is named by its file name, so that the ImageNet-X
// annotations find the validation images wherever they lie; where several
// share a file name (001.jpg in every class folder, as many datasets have),
// each of those is named by its path below dir instead. Hidden files and
// folders (".name") are left out; symbolic links to folders are followed,
// once each (a link back up the tree is not walked again).
func ListImages(dir string) ([]ImageFile, error) {
	var files []ImageFile
	visited := map[string]bool{}
	if err := walkImages(dir, "", visited, &files); err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("list images: no image files (.JPEG, .jpg, .png, ...) in %s or its subfolders", dir)
	}
	count := map[string]int{}
	for _, f := range files {
		count[f.Name]++
	}
	for i, f := range files {
		if count[f.Name] > 1 {
			files[i].Name = f.Rel
		}
	}
	// Names are now distinct: a shared file name became a path, and paths
	// are distinct; a bare name holds no "/", so it equals no path.
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

// walkImages appends the images below dir (rel is dir's path below the
// listed folder) to files.
func walkImages(dir, rel string, visited map[string]bool, files *[]ImageFile) error {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		if visited[real] {
			return nil
		}
		visited[real] = true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		r := e.Name()
		if rel != "" {
			r = rel + "/" + e.Name()
		}
		if isDir(e, path) {
			if strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if err := walkImages(path, r, visited, files); err != nil {
				return err
			}
			continue
		}
		if IsImageName(e.Name()) {
			*files = append(*files, ImageFile{Name: e.Name(), Rel: r, Path: path})
		}
	}
	return nil
}

// isDir follows symbolic links; a broken link counts as a file, so an image
// name pointing nowhere is reported when it is read rather than dropped.
func isDir(e os.DirEntry, path string) bool {
	if e.IsDir() {
		return true
	}
	if e.Type()&os.ModeSymlink == 0 {
		return false
	}
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
