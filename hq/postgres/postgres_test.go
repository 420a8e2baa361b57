package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/postgres"
	"github.com/oman-sca/safeer/internal/testharness/pgtest"
	"github.com/oman-sca/safeer/internal/testharness/storetest"
)

func open(t *testing.T) *postgres.DB {
	st, err := postgres.Open(context.Background(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) hq.Store { return open(t) })
}

func TestReopenKeepsEpoch(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	m1, _ := st.Meta(ctx)
	st.Close()
	st2, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if m2, _ := st2.Meta(ctx); m1 != m2 {
		t.Fatalf("reopened meta %+v, was %+v", m2, m1)
	}
}

func TestOpenErrorsInWords(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ dsn, want string }{
		{"postgres://postgres:secret@127.0.0.1:1/nothing?sslmode=disable&connect_timeout=2", "cannot reach PostgreSQL at 127.0.0.1:1/nothing"},
		{"postgres://postgres:secret@127.0.0.1:5432/x?sslmode=bogus", "PostgreSQL URL postgres://postgres:xxxxx@"},
	} {
		_, err := postgres.Open(ctx, tc.dsn)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%q) = %v, want %q", tc.dsn, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}
