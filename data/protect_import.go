package data

import (
	"context"
	"fmt"
)

// A large import into a protected database (issue 14): every person
// brings three look-up hashes, random strings, into three indexes
// (migration 8). Inserted one by one, they land all over those B-trees,
// and at 100,000 people that alone made the protected import twice as slow
// as the clear one (BENCHMARKS.md). Built once at the end from the
// finished column (a sort), the same indexes cost a fraction. So an import
// large against the roster drops them inside its transaction and creates
// them again, from their own SQL as the file keeps it, before it commits:
// a rollback (an error, a stop) brings the old ones back with everything
// else, and no reader ever sees the table without them.

// hashIndexes are the look-up hashes' indexes (migration 8).
var hashIndexes = []string{"person_civil_id_hash", "person_phone_hash", "person_email_hash"}

// rebuildHashIndexesAt is the smallest import that rebuilds the hash
// indexes, and rebuildHashIndexesShare how large against the people
// already there (rebuilding sorts them all again).
const (
	rebuildHashIndexesAt    = 2000
	rebuildHashIndexesShare = 4 // import ≥ people already there / 4
)

// deferHashIndexes drops the hash indexes for an import of n rows when it
// is worth it, and returns the function that creates them again (nil when
// they were left in place).
func (t *tx) deferHashIndexes(ctx context.Context, n int) (func(context.Context) error, error) {
	if !t.s.Protected() || n < rebuildHashIndexesAt {
		return nil, nil
	}
	var people int
	if err := t.sql.QueryRowContext(ctx, `SELECT count(*) FROM person`).Scan(&people); err != nil {
		return nil, err
	}
	if n*rebuildHashIndexesShare < people {
		return nil, nil
	}
	var create []string
	for _, name := range hashIndexes {
		var def string
		if err := t.sql.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?`, name).Scan(&def); err != nil {
			return nil, fmt.Errorf("index %s: %w", name, err)
		}
		// name is one of the fixed names above.
		if _, err := t.sql.ExecContext(ctx, `DROP INDEX `+name); err != nil {
			return nil, err
		}
		create = append(create, def)
	}
	return func(ctx context.Context) error {
		for _, def := range create {
			if _, err := t.sql.ExecContext(ctx, def); err != nil {
				return fmt.Errorf("rebuild the look-up indexes: %w", err)
			}
		}
		return nil
	}, nil
}
