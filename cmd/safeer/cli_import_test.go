package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `safeer import` twice on the same file: the second run imports nothing
// and says when the file was imported and by whom; --again imports it.
func TestImportSameFileTwiceCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "safeer.db")
	file := filepath.Join(dir, "roster.csv")
	if err := os.WriteFile(file, []byte("name_ar,phone,governorate\nسالم الحارثي,91234567,OM-DA\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, db, "import", file)
	code, out, errs := run(t, db, "import", file)
	if code != 1 || !strings.Contains(errs, "imported before") || !strings.Contains(errs, "roster.csv") || !strings.Contains(errs, "--again") {
		t.Fatalf("second import: exit %d\n%s%s", code, out, errs)
	}
	if out := mustRun(t, db, "import", file, "--dry-run"); !strings.Contains(out, "This file was imported before") {
		t.Errorf("dry run does not say so:\n%s", out)
	}
	if out := mustRun(t, db, "import", file, "--again"); !strings.Contains(out, "1 imported") {
		t.Errorf("--again:\n%s", out)
	}
}
