package main

import (
	"context"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/postgres"
	"github.com/oman-sca/safeer/hq/sqlite"
)

// openStore opens HQ's database as the DSN says (hq.StoreKind): PostgreSQL
// for a postgres:// or postgresql:// URL, otherwise a SQLite file at that
// path. The two backends are built here, by name: no registration.
func openStore(ctx context.Context, dsn string) (hq.Store, error) {
	kind, err := hq.StoreKind(dsn)
	if err != nil {
		return nil, err
	}
	// Each branch returns its own nil on failure, not a nil *DB inside an
	// hq.Store.
	if kind == "postgres" {
		st, err := postgres.Open(ctx, dsn)
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	st, err := sqlite.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return st, nil
}
