package engine

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

// vulkan_loader_error tries to load the Vulkan loader the way Dawn does and
// returns NULL when it loads, else a copy of dlerror's message.
static char *vulkan_loader_error(void) {
	void *h = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
	if (h) {
		dlclose(h);
		return NULL;
	}
	const char *e = dlerror();
	return strdup(e ? e : "dlopen failed");
}
*/
import "C"

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/imagenetx/imagenetx/engine/ortlib"
)

// appendWebGPU adds the WebGPU execution provider with its defaults (Dawn
// picks the adapter; Vulkan on Linux). ONNX Runtime starts Dawn here, so
// this is where a missing Vulkan loader or driver shows; Dawn reports both
// as "No supported adapters" (and prints the cause on stderr), so the cause
// is found out here instead.
func appendWebGPU(so *ort.SessionOptions) error {
	err := so.AppendExecutionProvider("WebGPU", nil)
	if err == nil {
		return nil
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "adapter"):
		if loaderErr := vulkanLoaderError(); loaderErr != "" {
			return fmt.Errorf("device webgpu: no Vulkan loader: %s (Dawn, the WebGPU implementation in ONNX Runtime, reaches the GPU through Vulkan on Linux); "+
				"install the loader (Debian: libvulkan1) and a Vulkan driver for the GPU", loaderErr)
		}
		return fmt.Errorf("device webgpu: no WebGPU adapter: the Vulkan loader found no device that Dawn can use (ONNX Runtime: %v). %s", err, vulkanDriverHint())
	case strings.Contains(strings.ToLower(msg), "webgpu"):
		return fmt.Errorf("device webgpu: ONNX Runtime could not start its WebGPU execution provider: %w", err)
	}
	return fmt.Errorf("device webgpu: the ONNX Runtime library %s has no WebGPU execution provider (%v); the library set-up installs (onnxruntime-node %s) has one",
		RuntimePath(), err, ortlib.Version)
}

// vulkanLoaderError is "" when libvulkan.so.1 loads, else why it does not.
func vulkanLoaderError() string {
	e := C.vulkan_loader_error()
	if e == nil {
		return ""
	}
	defer C.free(unsafe.Pointer(e))
	return C.GoString(e)
}

// vulkanDriverHint says which Vulkan drivers (ICD manifests) the loader
// can see and what to do when none is usable.
func vulkanDriverHint() string {
	for _, v := range []string{"VK_DRIVER_FILES", "VK_ICD_FILENAMES"} {
		if f := os.Getenv(v); f != "" {
			return fmt.Sprintf("%s=%s chooses the drivers: check that they exist and suit the GPU", v, f)
		}
	}
	var found []string
	for _, dir := range icdDirs() {
		m, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		found = append(found, m...)
	}
	hint := "Vulkan drivers are found through ICD manifests in " + strings.Join(icdDirs(), ", ")
	if len(found) == 0 {
		hint += ", and there are none: install the GPU's Vulkan driver (NVIDIA's driver ships nvidia_icd.json; Mesa: mesa-vulkan-drivers)"
	} else {
		hint += "; found " + strings.Join(found, ", ") + ", none usable (Debian bookworm's Mesa 22 lavapipe lacks features Dawn needs; Mesa 25 from bookworm-backports works)"
	}
	return hint + "; a manifest elsewhere is named with VK_DRIVER_FILES=/path/icd.json; `vulkaninfo --summary` lists the devices"
}

// icdDirs are the Vulkan loader's default ICD manifest folders on Linux.
func icdDirs() []string {
	dirs := []string{"/etc/vulkan/icd.d"}
	if cfg := os.Getenv("XDG_CONFIG_DIRS"); cfg != "" {
		for _, d := range filepath.SplitList(cfg) {
			dirs = append(dirs, filepath.Join(d, "vulkan", "icd.d"))
		}
	}
	data := os.Getenv("XDG_DATA_DIRS")
	if data == "" {
		data = "/usr/local/share:/usr/share"
	}
	for _, d := range filepath.SplitList(data) {
		dirs = append(dirs, filepath.Join(d, "vulkan", "icd.d"))
	}
	return dirs
}
