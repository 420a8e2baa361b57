package main

import (
	"path/filepath"
	"regexp"
	"runtime/debug"
	"testing"
)

// versionLine is the shape of safeer --version's output.
var versionLine = regexp.MustCompile(`^safeer (devel|v\S+)( \([^()]+\))? go\S+\n$`)

func TestBuildVersion(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "7140ce62aa7412326d4e8729851c16535bdc1b7f"},
		{Key: "vcs.time", Value: "2026-12-06T03:07:32Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	for _, tt := range []struct {
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{nil, false, "safeer devel go"}, // no build information at all: the running Go's version
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, true, "safeer devel go1.26.8"},
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs}, true,
			"safeer devel (7140ce62aa74, 2026-12-06T03:07:32Z, modified) go1.26.8"},
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}, Settings: vcs[:3]}, true,
			"safeer v1.2.0 (7140ce62aa74, 2026-12-06T03:07:32Z) go1.26.8"},
	} {
		got := buildVersion(tt.bi, tt.ok).String()
		if tt.bi == nil {
			got = got[:len(tt.want)]
		}
		if got != tt.want {
			t.Errorf("buildVersion(%+v) = %q, want %q", tt.bi, got, tt.want)
		}
		if !versionLine.MatchString(buildVersion(tt.bi, tt.ok).String() + "\n") {
			t.Errorf("%q is not of the shape %s", got, versionLine)
		}
	}
	v := buildVersion(&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs}, true)
	if v.Revision != "7140ce62aa7412326d4e8729851c16535bdc1b7f" || !v.Modified || v.Time != "2026-12-06T03:07:32Z" {
		t.Errorf("%+v", v)
	}
}

// TestVersionCommand: safeer --version and safeer version print one line
// of that shape and exit 0; with --json, the fields.
func TestVersionCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, errs := run(t, db, args...)
		if code != 0 || errs != "" || !versionLine.MatchString(out) {
			t.Errorf("safeer %v: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
	var v versionInfo
	jsonOut(t, mustRun(t, db, "version", "--json"), &v)
	if v.Version == "" || v.Go == "" {
		t.Errorf("version --json: %+v", v)
	}
	var raw map[string]any
	jsonOut(t, mustRun(t, db, "--json", "--version"), &raw)
	if _, ok := raw["version"]; !ok {
		t.Errorf("--json --version: %v", raw)
	}
}
