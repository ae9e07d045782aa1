package imagenetx

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/imagenetx/imagenetx/engine"
	"github.com/imagenetx/imagenetx/engine/ortlib"
)

// Version describes this build of imagenetx and the ONNX Runtime library
// it would use: what a bug report needs.
type Version struct {
	// Module is the module's path and version ("(devel)" for a build from
	// a checkout), Go the toolchain that built it.
	Module, ModuleVersion, Go string
	// Settings are the build settings (CGO_ENABLED, GOOS, GOARCH,
	// vcs.revision, vcs.modified, …), in the order Go records them.
	Settings [][2]string
	// Runtime and RuntimePath are the ONNX Runtime library's version and
	// path; RuntimeErr says why there is none (not found, not loadable).
	Runtime, RuntimePath string
	RuntimeErr           error
}

// BuildVersion reports this build and the ONNX Runtime library found as a
// run finds it (explicit when not "", then $ONNXRUNTIME_LIB, then
// set-up's), loading it to ask its version. A library that cannot be found
// or loaded is reported in RuntimeErr, not as an error: the rest is still
// worth printing.
func BuildVersion(explicit string) Version {
	v := Version{Module: "github.com/imagenetx/imagenetx", ModuleVersion: "(unknown)"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		v.Go = bi.GoVersion
		if bi.Main.Path != "" {
			v.Module = bi.Main.Path
		}
		if bi.Main.Version != "" {
			v.ModuleVersion = bi.Main.Version
		}
		for _, s := range bi.Settings {
			v.Settings = append(v.Settings, [2]string{s.Key, s.Value})
		}
	}
	if v.RuntimePath, v.RuntimeErr = ortlib.Locate(explicit); v.RuntimeErr == nil {
		if v.RuntimeErr = engine.Init(v.RuntimePath); v.RuntimeErr == nil {
			v.Runtime = engine.RuntimeVersion()
		}
	}
	return v
}

// String writes the version report, one "key: value" a line.
func (v Version) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "imagenetx: %s %s\n", v.Module, v.ModuleVersion)
	fmt.Fprintf(&b, "go: %s\n", v.Go)
	if v.RuntimeErr != nil {
		fmt.Fprintf(&b, "onnxruntime: none usable: %v\n", v.RuntimeErr)
	} else {
		fmt.Fprintf(&b, "onnxruntime: %s (%s)\n", v.Runtime, v.RuntimePath)
	}
	for _, s := range v.Settings {
		fmt.Fprintf(&b, "build %s: %s\n", s[0], s[1])
	}
	return b.String()
}
