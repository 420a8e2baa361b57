package data

import (
	"context"
	"runtime"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/roster/index"
)

// Reasons two records look like the same person: roster's codes, whose
// Sentence gives the words in English and Arabic.
const (
	SameCivilID = index.SameCivilID
	SamePhone   = index.SamePhone
	SameEmail   = index.SameEmail
	SameName    = index.SameName  // identical after folding
	CloseName   = index.CloseName // an edit or two apart
)

// Match is an existing person who looks like the one being checked (Why
// gives its reasons as sentences).
type Match = index.Match

// DuplicateCandidates lists live people who look like p: the same civil
// ID, the same phone or email, or a name that matches closely in the same
// governorate, and whom roster.Offer does not rule out (genders that
// differ, or phones and civil IDs that both differ, unless the civil ID or
// the folded name is the same). It flags; merging is always a person's
// decision. p should be validated first (so its phone is E.164 and its
// governorate a code).
func (s *Store) DuplicateCandidates(ctx context.Context, p safeer.Person) ([]Match, error) {
	ix, err := s.freshIndex(ctx)
	if err != nil {
		return nil, err
	}
	defer ix.mu.RUnlock()
	return ix.idx.Candidates(index.NewEntry(index.SummaryOf(p))), nil
}

// DuplicatePair is two people on the roster who look alike, and why. A
// is the one earlier in the roster's order.
type DuplicatePair = index.Pair

// DuplicatePairs lists every pair of live people who look alike by the
// rule of DuplicateCandidates, each pair once, at most limit pairs (0: all).
// It compares the roster group by group on every core (index.Pairs), not
// person by person: at 100,000 people a scan person by person, which the
// duplicates screen did every time it opened, cost a call into the index
// per person. The index's lock is held only while its entries are copied.
func (s *Store) DuplicatePairs(ctx context.Context, limit int) ([]DuplicatePair, error) {
	ix, err := s.freshIndex(ctx)
	if err != nil {
		return nil, err
	}
	entries := ix.idx.Numbered()
	ix.mu.RUnlock()
	return index.Pairs(ctx, max(1, runtime.NumCPU()), entries, limit)
}
