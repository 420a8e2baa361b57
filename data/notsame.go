package data

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// PairKey names two people whatever their order: the smaller id first.
type PairKey [2]string

// NewPairKey is the key of the pair a, b (in either order).
func NewPairKey(a, b string) PairKey {
	if a > b {
		a, b = b, a
	}
	return PairKey{a, b}
}

// MarkNotSame records the coordinator's word that a and b are different
// people, so DuplicatePairs' pairs naming both are not offered again (see
// NotSamePairs). It is this device's judgement and is not synced. Marking
// a pair twice is no error.
func (s *Store) MarkNotSame(ctx context.Context, a, b string) error {
	if a == "" || b == "" || a == b {
		return errors.New("not the same person: two different people are needed")
	}
	k := NewPairKey(a, b)
	_, err := s.db.ExecContext(ctx, `INSERT INTO not_same (person_a, person_b, marked_at) VALUES (?, ?, ?)
		ON CONFLICT (person_a, person_b) DO NOTHING`, k[0], k[1], s.nowUTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("remember not the same person: %w", err)
	}
	return nil
}

// NotSamePairs is every pair marked by MarkNotSame, as a set.
func (s *Store) NotSamePairs(ctx context.Context) (map[PairKey]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT person_a, person_b FROM not_same`)
	if err != nil {
		return nil, fmt.Errorf("read pairs of different people: %w", err)
	}
	defer rows.Close()
	out := map[PairKey]bool{}
	for rows.Next() {
		var k PairKey
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			return nil, fmt.Errorf("read pairs of different people: %w", err)
		}
		out[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read pairs of different people: %w", err)
	}
	return out, nil
}

// RosterVersion is a number that changes whenever the roster does: every
// write to people (an edit, an import, a merge, a pulled change, from this
// process or another one on the same file) bumps it. Reading it is one
// small query, so a screen can tell whether a whole-roster result it keeps
// (the number of possible duplicates) is still true without recomputing it.
func (s *Store) RosterVersion(ctx context.Context) (int64, error) { return s.personGen(ctx) }
