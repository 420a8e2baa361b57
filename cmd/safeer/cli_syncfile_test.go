package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The sync-by-file commands on a computer that is not enrolled, and their
// mistakes: each said in words (both languages), nothing written.
func TestSyncFileCommandsRefused(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	mustRun(t, db, "people", "add", "--name-en", "Salim", "--governorate", "OM-MA")
	for _, args := range [][]string{{"sync", "export"}, {"sync", "import"}, {"sync", "relay"}, {"sync", "import", "a", "b"}} {
		if code, _, errs := run(t, db, args...); code != exitUsage || !strings.Contains(errs, "expected sync") {
			t.Errorf("safeer %v: exit %d %q", args, code, errs)
		}
	}
	out := filepath.Join(dir, "x.safeer-sync")
	code, _, errs := run(t, db, "sync", "export", "--out", out)
	if code != exitFail || !strings.Contains(errs, "not enrolled with HQ") || !strings.Contains(errs, "غير مسجل لدى المقر") {
		t.Errorf("export before enrolment: exit %d %q", code, errs)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused export wrote a file")
	}
	junk := filepath.Join(dir, "junk.safeer-reply")
	os.WriteFile(junk, []byte("name,phone\n"), 0o644)
	code, _, errs = run(t, db, "sync", "import", junk)
	if code != exitFail || !strings.Contains(errs, "not enrolled") {
		t.Errorf("import before enrolment: exit %d %q", code, errs)
	}
	code, _, errs = run(t, db, "sync", "relay", dir)
	if code != exitFail || !strings.Contains(errs, "not enrolled") {
		t.Errorf("relay before enrolment: exit %d %q", code, errs)
	}
}
