package data

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

func openTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "safeer.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenNewDatabase(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	var appID, version int
	var journal string
	s.db.QueryRow("PRAGMA application_id").Scan(&appID)
	s.db.QueryRow("PRAGMA user_version").Scan(&version)
	s.db.QueryRow("PRAGMA journal_mode").Scan(&journal)
	if appID != ApplicationID || version != SchemaVersion() || journal != "wal" {
		t.Fatalf("application_id %#x, user_version %d, journal %s", appID, version, journal)
	}
	var fk int
	s.db.QueryRow("PRAGMA foreign_keys").Scan(&fk)
	if fk != 1 {
		t.Fatalf("foreign_keys = %d", fk)
	}
	if len(s.Governorates()) != 11 || len(s.Wilayats("")) != 61 {
		t.Fatalf("seeded %d governorates and %d wilayats, want 11 and 61", len(s.Governorates()), len(s.Wilayats("")))
	}
	if s.DeviceID() == "" {
		t.Fatal("no device id")
	}
	// Reopening keeps the identity and makes no backup (nothing to migrate).
	path, id := s.Path(), s.DeviceID()
	s.Close()
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if s2.DeviceID() != id {
		t.Fatalf("device id changed on reopen")
	}
	if baks, _ := filepath.Glob(path + ".v*.bak"); len(baks) != 0 {
		t.Fatalf("unexpected backups %v", baks)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	s := openTest(t)
	path := s.Path()
	if _, err := s.db.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(context.Background(), path)
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("got %v, want ErrNewerSchema", err)
	}
	if !strings.Contains(err.Error(), "update Safeer") {
		t.Fatalf("message does not say what to do: %v", err)
	}
}

func TestOpenRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	// Some other application's SQLite database.
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	db.Exec("CREATE TABLE t (x)")
	db.Close()
	if _, err := Open(context.Background(), other); !errors.Is(err, ErrNotSafeer) {
		t.Fatalf("other app's database: got %v", err)
	}
	// Not a database at all.
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("this is not sqlite\n", 400)), 0o600)
	_, err = Open(context.Background(), junk)
	if err == nil || !strings.Contains(err.Error(), "not a Safeer database or is damaged") {
		t.Fatalf("junk file: got %v", err)
	}
}

// TestMigrateFromEveryVersion builds a database at each earlier schema
// version with the migrations up to it, then opens it: it must reach the
// current version, keep its rows, and leave a backup of the old file.
func TestMigrateFromEveryVersion(t *testing.T) {
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	for v := 1; v < len(ms); v++ {
		path := filepath.Join(t.TempDir(), "old.db")
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		s := &Store{db: db, path: path}
		for _, m := range ms[:v] {
			if err := s.apply(context.Background(), m); err != nil {
				t.Fatal(err)
			}
		}
		db.Close()
		s2, err := Open(context.Background(), path)
		if err != nil {
			t.Fatalf("from version %d: %v", v, err)
		}
		var got int
		s2.db.QueryRow("PRAGMA user_version").Scan(&got)
		s2.Close()
		if got != len(ms) {
			t.Fatalf("from version %d: at %d after open", v, got)
		}
		if baks, _ := filepath.Glob(path + ".v*.bak"); len(baks) != 1 {
			t.Fatalf("from version %d: backups %v, want one", v, baks)
		}
	}
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	p := Person{NameAr: "سالم الحارثي", Governorate: "OM-SS", Phone: "91234567"}
	if err := s.AddPerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "copy.db")
	if err := s.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, dest); err == nil {
		t.Fatal("backup overwrote an existing file")
	}
	c, err := Open(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := c.Person(ctx, p.ID)
	if err != nil || got.NameAr != p.NameAr {
		t.Fatalf("backup holds %+v, %v", got, err)
	}
}
