//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/oman-sca/safeer/data"
)

// TestCommandsWritePrivateFiles runs the headless commands under umask 0
// with the database in a folder that does not exist yet: every file they
// write by themselves must be the owner's alone (0600) and every folder
// they make 0700 — the database (encrypted by the first command), its key
// file and the backup made before encrypting it, the device key, exports
// in both formats, certificate PDFs (one file, and --split into a new
// folder) and a backup with its key file, which must also not hold the
// sync token nor the civil ID. Then the backup, opened as a
// restored database, says in words why it cannot sync.
func TestCommandsWritePrivateFiles(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
	root := t.TempDir()
	os.Chmod(root, 0o755)
	dir := filepath.Join(root, "safeer")
	db := filepath.Join(dir, "s.db")
	const civilID = "87654321"
	var p, w struct{ ID string }
	jsonOut(t, mustRun(t, db, "people", "add", "--name-ar", "عبدالله الإسماعيلي", "--name-en", "Abdullah Al Ismaili",
		"--governorate", "OM-DA", "--civil-id", civilID, "--json"), &p)
	jsonOut(t, mustRun(t, db, "workshops", "add", "--title-ar", "المدن الذكية", "--title-en", "Smart Cities",
		"--date", "29/11/2026", "--hours", "3", "--governorate", "OM-DA", "--wilayat", "نزوى", "--json"), &w)
	mustRun(t, db, "attend", w.ID, p.ID)

	// Enrolled: the database holds HQ's sync token.
	const token = "tok-cli-4b8e2f6a9c1d3e5f7a9b0c2d4e6f8a1b"
	s := openDB(t, db)
	if err := s.SaveEnrolment(context.Background(), data.Enrolment{HQURL: "https://hq.example", Token: token,
		Governorates: []string{"OM-DA"}}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	out := filepath.Join(root, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{} // path → what it is
	for _, e := range []struct{ kind, name string }{
		{"people", "people.csv"}, {"people", "people.xlsx"}, {"workshops", "workshops.csv"}, {"attendance", "attendance.xlsx"},
	} {
		f := filepath.Join(out, e.name)
		mustRun(t, db, "export", e.kind, "--out", f)
		files[f] = "export " + e.kind
	}
	// An export over an existing world-readable file replaces it with a
	// private one.
	os.Chmod(filepath.Join(out, "people.csv"), 0o644)
	mustRun(t, db, "export", "people", "--out", filepath.Join(out, "people.csv"))
	if b, _ := os.ReadFile(filepath.Join(out, "people.csv")); !bytes.Contains(b, []byte(civilID)) {
		t.Fatal("the CSV export does not hold the civil ID: the test would prove nothing")
	}

	pdf := filepath.Join(out, "workshop.pdf")
	mustRun(t, db, "certificates", "issue", "--workshop", w.ID, "--signatory-ar", "سالم الهنائي", "--signatory-en", "Salim Al Hinai", "--out", pdf)
	files[pdf] = "certificates PDF"
	split := filepath.Join(out, "split")
	mustRun(t, db, "certificates", "issue", "--workshop", w.ID, "--signatory-ar", "سالم الهنائي", "--signatory-en", "Salim Al Hinai", "--split", split)
	pdfs, _ := filepath.Glob(filepath.Join(split, "*.pdf"))
	if len(pdfs) != 1 {
		t.Fatalf("split PDFs %v", pdfs)
	}
	files[pdfs[0]] = "split certificate PDF"
	files[db+".key"] = "device key"
	files[db] = "database"
	files[data.VaultKeyPath(db)] = "key file"
	// The first command made the database: it keeps no backup of its
	// empty self (a clear one upgraded keeps one: cli_protectfirst_test).
	if _, err := os.Stat(data.BackupBeforeProtect(db)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a new database kept a backup from before its encryption: %v", err)
	}

	backup := filepath.Join(out, "backup.db")
	mustRun(t, db, "backup", backup)
	files[backup] = "backup"
	files[data.VaultKeyPath(backup)] = "backup's key file"

	for f, what := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s %s: mode %v, want 0600", what, f, m)
		}
	}
	for d, what := range map[string]string{dir: "database folder", split: "--split folder"} {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o700 {
			t.Errorf("%s %s: mode %v, want 0700", what, d, m)
		}
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o755 {
		t.Errorf("a folder Safeer did not make changed to %v", fi.Mode().Perm())
	}

	raw, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(token)) {
		t.Fatal("the backup's bytes hold the sync token")
	}
	if bytes.Contains(raw, []byte(civilID)) {
		t.Fatal("the backup's bytes hold the civil ID: the database was not encrypted")
	}
	if !bytes.Contains(raw, []byte("Abdullah Al Ismaili")) {
		t.Fatal("the backup does not hold the person's name: not a copy")
	}
	s = openDB(t, db)
	st, err := s.SyncState(context.Background())
	s.Close()
	if err != nil || st.Token != token {
		t.Fatalf("the live database lost its token: %q %v", st.Token, err)
	}

	// The backup restored: sync and its status say why it cannot sync, in
	// English and Arabic, and the command fails without a panic.
	code, stdout, stderr := run(t, backup, "sync")
	if code == 0 || !strings.Contains(stderr+stdout, "restored from a backup") || !strings.Contains(stderr+stdout, "نسخة احتياطية") {
		t.Fatalf("sync of a restored backup: exit %d\n%s%s", code, stdout, stderr)
	}
	status := mustRun(t, backup, "sync", "status", "--offline")
	if !strings.Contains(status, "restored from a backup") || !strings.Contains(status, "نسخة احتياطية") {
		t.Fatalf("sync status of a restored backup:\n%s", status)
	}
}
