package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/sqlite"
	"github.com/oman-sca/safeer/internal/testharness/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) hq.Store {
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "hq.db"))
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}

func TestReopenKeepsEpochAndData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hq.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	m1, _ := st.Meta(ctx)
	st.Close()
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("new database file: %v %v (want mode 0600)", fi, err)
	}
	st, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m2, _ := st.Meta(ctx)
	if m1 != m2 {
		t.Fatalf("reopened meta %+v, was %+v", m2, m1)
	}
}

func TestOpenRefusesOtherFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not a database ", 100)), 0o600)
	// A SQLite file with someone else's tables (a device's database, say).
	foreign := filepath.Join(dir, "foreign.db")
	db, err := sql.Open("sqlite", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE person (id TEXT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, tc := range []struct{ path, want string }{
		{junk, "not a SQLite database"},
		{foreign, "not a safeer-hq database"},
	} {
		_, err := sqlite.Open(ctx, tc.path)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%s) = %v, want %q", filepath.Base(tc.path), err, tc.want)
		}
	}
}
