package main

import (
	"fmt"
	"runtime/debug"
)

// Version returns the module version and VCS revision the binary was built from.
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}

// version prints the build's version.
func (m *Main) version() error {
	fmt.Fprintln(m.Stdout, "qingqian", Version())
	return nil
}
