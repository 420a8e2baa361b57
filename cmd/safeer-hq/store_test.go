package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/oman-sca/safeer/hq/postgres"
	"github.com/oman-sca/safeer/hq/sqlite"
	"github.com/oman-sca/safeer/internal/testharness/pgtest"
)

// openStore builds the backend the DSN names: a file path is SQLite, a
// postgres:// URL PostgreSQL (moved here from the backends' tests of the
// registration this replaced).
func TestOpenStorePicksSQLite(t *testing.T) {
	st, err := openStore(context.Background(), filepath.Join(t.TempDir(), "hq.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, ok := st.(*sqlite.DB); !ok {
		t.Fatalf("OpenStore(path) = %T", st)
	}
}

func TestOpenStorePicksPostgres(t *testing.T) {
	st2, err := openStore(context.Background(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if _, ok := st2.(*postgres.DB); !ok {
		t.Fatalf("OpenStore(postgres://…) = %T", st2)
	}
}

// A DSN of another kind is refused in words, and a failed open gives no
// store (not a nil *DB inside an hq.Store).
func TestOpenStoreRefuses(t *testing.T) {
	if st, err := openStore(context.Background(), "mysql://x"); err == nil || st != nil {
		t.Errorf("openStore(mysql://x) = %v, %v", st, err)
	}
	if st, err := openStore(context.Background(), "postgres://u@127.0.0.1:1/x?sslmode=disable&connect_timeout=1"); err == nil || st != nil {
		t.Errorf("openStore(unreachable PostgreSQL) = %v, %v", st, err)
	}
}
