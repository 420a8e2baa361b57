//go:build unix

package data

import (
	"bytes"
	"context"
	"database/sql"
	"github.com/oman-sca/safeer"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// umask0 makes the process's umask 0 for the test, so that only the modes
// Safeer asks for protect its files. Tests using it must not run in
// parallel with tests that care about modes.
func umask0(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
}

func wantMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s: mode %v, want %v", path, got, want)
	}
}

const testToken = "tok-9f3c1e7a5b2d4c6e8f0a1b3c5d7e9f11"

// enrolTest gives s a sync token, as enrolment does.
func enrolTest(t *testing.T, s *Store) {
	t.Helper()
	err := s.SaveEnrolment(context.Background(), Enrolment{HQURL: "https://hq.example", Token: testToken,
		HQDeviceID: s.DeviceID(), Governorates: []string{"OM-MA"}})
	if err != nil {
		t.Fatal(err)
	}
}

// fileHas reports whether any of the files holds b in its raw bytes (free
// pages and all).
func fileHas(t *testing.T, b string, paths ...string) bool {
	t.Helper()
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(b)) {
			return true
		}
	}
	return false
}

// TestSQLiteFileModes checks what the mechanism relies on, with the driver
// this build uses: left to itself SQLite makes a new database 0644 (0666
// would be worse; 0644 is what would leak), and it gives -wal and -shm the
// mode of the database file.
func TestSQLiteFileModes(t *testing.T) {
	umask0(t)
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.db")
	db, err := sql.Open("sqlite", plain)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if fi, _ := os.Stat(plain); fi.Mode().Perm()&0o044 == 0 {
		t.Fatalf("SQLite made a new file %v: the control no longer shows a leak", fi.Mode().Perm())
	}
	odd := filepath.Join(dir, "odd.db")
	if err := os.WriteFile(odd, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	db, err = sql.Open("sqlite", "file:"+odd+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	wantMode(t, odd+"-wal", 0o640)
	wantMode(t, odd+"-shm", 0o640)
}

// TestDatabaseFilesPrivate opens a new database in folders that do not
// exist yet, under umask 0: the folders must be 0700, the database and its
// -wal and -shm 0600.
func TestDatabaseFilesPrivate(t *testing.T) {
	umask0(t)
	root := t.TempDir()
	path := filepath.Join(root, "a", "b", "safeer.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := safeer.Person{NameAr: "سالم الحارثي", Governorate: "OM-SS", Phone: "91234567"}
	if err := s.AddPerson(context.Background(), &p); err != nil {
		t.Fatal(err)
	}
	wantMode(t, filepath.Join(root, "a"), 0o700)
	wantMode(t, filepath.Join(root, "a", "b"), 0o700)
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		wantMode(t, f, 0o600)
	}
}

// TestOpenTightensLooseFiles: a database, sidecars and a migration backup
// left readable by others (an older Safeer, a copy) are restricted to the
// owner when the database is opened; a folder the user chose is not
// touched.
func TestOpenTightensLooseFiles(t *testing.T) {
	umask0(t)
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	path := filepath.Join(dir, "safeer.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	loose := []string{path, path + "-wal", path + "-shm", path + "-journal", path + ".v3-20260101T000000.bak"}
	for _, f := range loose[1:] {
		if _, err := os.Stat(f); os.IsNotExist(err) {
			if err := os.WriteFile(f, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range loose {
		if err := os.Chmod(f, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	other := filepath.Join(dir, "notes.txt") // not Safeer's
	os.WriteFile(other, nil, 0o644)
	s, err = Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, f := range loose {
		wantMode(t, f, 0o600)
	}
	wantMode(t, other, 0o644)
	wantMode(t, dir, 0o755)
}

// TestBackupPrivateWithoutToken: a backup is 0600 under umask 0, in a
// folder other than the database's, and its bytes do not hold HQ's sync
// token, while the live database (file and WAL) still does; opened, the
// backup reads as enrolled-but-without-token, and nothing is left behind
// in the backup's folder.
func TestBackupPrivateWithoutToken(t *testing.T) {
	umask0(t)
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "safeer.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	enrolTest(t, s)
	p := safeer.Person{NameAr: "سالم الحارثي", Governorate: "OM-SS", Phone: "91234567", CivilID: "12345678"}
	if err := s.AddPerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if !fileHas(t, testToken, s.Path(), s.Path()+"-wal") {
		t.Fatal("the live database's files do not hold the token: the byte search would prove nothing")
	}
	out := t.TempDir()
	os.Chmod(out, 0o755)
	dest := filepath.Join(out, "copy.db")
	if err := s.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	wantMode(t, dest, 0o600)
	if fileHas(t, testToken, dest) {
		t.Fatal("the backup's bytes hold the sync token")
	}
	if !fileHas(t, "12345678", dest) {
		t.Fatal("the backup does not hold the person's civil ID: not a copy")
	}
	if entries, _ := os.ReadDir(out); len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("backup folder holds %v, want only copy.db", names)
	}
	if st, err := s.SyncState(ctx); err != nil || st.Token != testToken {
		t.Fatalf("live database lost its token: %q, %v", st.Token, err)
	}

	c, err := Open(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	st, err := c.SyncState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Token != "" || st.Enrolled || !st.TokenMissing() || st.HQURL != "https://hq.example" {
		t.Fatalf("restored backup: token %q enrolled %v token missing %v HQ %q", st.Token, st.Enrolled, st.TokenMissing(), st.HQURL)
	}
	if got, err := c.Person(ctx, p.ID); err != nil || got.CivilID != p.CivilID {
		t.Fatalf("backup holds %+v, %v", got, err)
	}
}

// TestMigrationBackupPrivateWithoutToken upgrades a version 4 database
// made world-readable (as SQLite makes files by itself) and enrolled: the
// backup kept before migrating must be 0600 and hold no token, the
// upgraded file must be 0600 and keep its token.
func TestMigrationBackupPrivateWithoutToken(t *testing.T) {
	umask0(t)
	ctx := context.Background()
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	old := &Store{db: db, path: path}
	for _, m := range ms[:4] {
		if err := old.apply(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`UPDATE sync_state SET hq_url = 'https://hq.example', token = ?`, testToken); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if fi, _ := os.Stat(path); fi.Mode().Perm()&0o044 == 0 {
		t.Fatalf("old file is %v: the test needs a world-readable one", fi.Mode().Perm())
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	baks, _ := filepath.Glob(path + ".v4-*.bak")
	if len(baks) != 1 {
		t.Fatalf("backups %v, want one", baks)
	}
	wantMode(t, baks[0], 0o600)
	wantMode(t, path, 0o600)
	wantMode(t, path+"-wal", 0o600)
	wantMode(t, path+"-shm", 0o600)
	if fileHas(t, testToken, baks[0]) {
		t.Fatal("the migration backup's bytes hold the sync token")
	}
	var version int
	b, _ := sql.Open("sqlite", baks[0])
	defer b.Close()
	if err := b.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != 4 {
		t.Fatalf("backup at version %d, %v; want 4", version, err)
	}
	if st, err := s.SyncState(ctx); err != nil || st.Token != testToken {
		t.Fatalf("upgraded database lost its token: %q, %v", st.Token, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".safeer-backup-") {
			t.Fatalf("temporary backup folder left behind: %s", e.Name())
		}
	}
}
