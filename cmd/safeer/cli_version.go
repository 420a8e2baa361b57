package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// versionInfo is what safeer --version says, from what Go recorded in the
// binary when it was built.
type versionInfo struct {
	Version  string `json:"version"`            // the module's version; "devel" when built from a checkout without one
	Revision string `json:"revision,omitempty"` // the commit, when built in a git checkout
	Time     string `json:"time,omitempty"`     // the commit's time
	Modified bool   `json:"modified,omitempty"` // built with uncommitted changes
	Go       string `json:"go"`
}

func buildVersion(bi *debug.BuildInfo, ok bool) versionInfo {
	v := versionInfo{Version: "devel", Go: runtime.Version()}
	if !ok || bi == nil {
		return v
	}
	if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v.Version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		v.Go = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// String is the one line safeer --version prints:
// safeer VERSION [(REVISION, TIME[, modified])] GO.
func (v versionInfo) String() string {
	var vcs []string
	if v.Revision != "" {
		vcs = append(vcs, v.Revision[:min(12, len(v.Revision))])
	}
	if v.Time != "" {
		vcs = append(vcs, v.Time)
	}
	if v.Modified {
		vcs = append(vcs, "modified")
	}
	s := "safeer " + v.Version
	if len(vcs) > 0 {
		s += " (" + strings.Join(vcs, ", ") + ")"
	}
	return s + " " + v.Go
}

func (m *Main) runVersion(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("version: unexpected %q", pos[0])
	}
	v := buildVersion(debug.ReadBuildInfo())
	if m.JSON {
		m.printJSON(m.Stdout, v)
		return nil
	}
	fmt.Fprintln(m.Stdout, v)
	return nil
}
