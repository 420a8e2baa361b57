// Package scan is the query plumbing HQ's two stores share, hq/sqlite over
// database/sql and hq/postgres over pgx: reading synced rows and lists of
// anything from a result, rows that may be missing, the values both encode
// alike, and which migrations a database still needs. The SQL stays in each
// store: the two dialects differ in nearly every statement (placeholders,
// the JSON expressions their indexes are built on, arrays, times, how a
// writer takes the lock).
package scan

import (
	"errors"
	"fmt"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/internal/migrations"
)

// Scanner is one result row: *sql.Row, *sql.Rows, pgx.Row and pgx.Rows
// all are.
type Scanner interface {
	Scan(dest ...any) error
}

// Rows is a result of several rows (*sql.Rows, pgx.Rows). The caller
// closes it.
type Rows interface {
	Scanner
	Next() bool
	Err() error
}

// RowCols are the columns Row reads, in its order.
const RowCols = `tbl, id, scope, parent, seq, pending, data`

// Row reads a synced row (RowCols).
func Row(sc Scanner) (hq.Row, error) {
	var r hq.Row
	var data string
	err := sc.Scan(&r.Table, &r.ID, &r.Scope, &r.Parent, &r.Seq, &r.Pending, &data)
	r.Data = []byte(data)
	return r, err
}

// DeviceCols are the columns of a device both stores read, in this order.
const DeviceCols = `id, name, token_hash, governorates, public_key, endorsement,
	enrolled_at, revoked_at, last_seen, last_push, last_pull`

// All reads every row of rows with read.
func All[T any](rows Rows, read func(Scanner) (T, error)) ([]T, error) {
	var out []T
	for rows.Next() {
		x, err := read(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// SyncedRows reads every synced row of rows, and says what was being read when
// that fails.
func SyncedRows(rows Rows, what string) ([]hq.Row, error) {
	out, err := All(rows, Row)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// Found is the answer of a read of one row that may not be there: false,
// with no error, when err is the driver's noRows; false, with an error
// that says what was being read, for any other error.
func Found(err, noRows error, what string) (bool, error) {
	switch {
	case errors.Is(err, noRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("%s: %w", what, err)
	}
	return true, nil
}

// Maybe is Found with the value read: x when found, else the zero value.
func Maybe[T any](x T, err, noRows error, what string) (T, bool, error) {
	found, err := Found(err, noRows, what)
	if !found {
		var zero T
		return zero, false, err
	}
	return x, true, nil
}

// NonNil keeps NOT NULL blob columns from receiving NULL for an empty value.
func NonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// List is l, or an empty list for nil (an empty array, or "[]", rather than
// NULL).
func List(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// Pending are the migrations of ms a database at schema version still
// needs; a database newer than this safeer-hq (db names it in the error)
// is refused.
func Pending(ms []migrations.Migration, version int, db string) ([]migrations.Migration, error) {
	if version > len(ms) {
		return nil, fmt.Errorf("%s has schema %d; this safeer-hq knows up to %d: update safeer-hq", db, version, len(ms))
	}
	return ms[version:], nil
}

// Migrate applies, in order, the migrations of ms a database at schema
// version still needs (Pending), each with apply; apply gets the epoch
// of the meta row the first migration creates (a new random one,
// hq.NewEpoch), "" for the others.
func Migrate(ms []migrations.Migration, version int, db string, apply func(m migrations.Migration, epoch string) error) error {
	pending, err := Pending(ms, version, db)
	if err != nil {
		return err
	}
	for _, m := range pending {
		epoch, err := Epoch(m)
		if err != nil {
			return err
		}
		if err := apply(m, epoch); err != nil {
			return err
		}
	}
	return nil
}

// Epoch is the epoch of the meta row migration m creates: a new random
// one for the first migration, "" for the others.
func Epoch(m migrations.Migration) (string, error) {
	if m.Version != 1 {
		return "", nil
	}
	return hq.NewEpoch()
}
