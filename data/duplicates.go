package data

import (
	"context"
	"math/bits"
	"sort"
)

// Reasons two records look like the same person.
const (
	SameCivilID = "civil_id"
	SamePhone   = "phone"
	SameEmail   = "email"
	SimilarName = "name"
)

// Match is an existing person who looks like the one being checked.
type Match struct {
	ID      string   `json:"id"`
	NameAr  string   `json:"name_ar,omitempty"`
	NameEn  string   `json:"name_en,omitempty"`
	Reasons []string `json:"reasons"`
}

// DuplicateCandidates lists live people who look like p: the same civil
// ID, the same phone or email, or a name that matches closely in the same
// governorate. It flags; merging is always a person's decision. p should be
// validated first (so its phone is E.164 and its governorate a code).
func (s *Store) DuplicateCandidates(ctx context.Context, p Person) ([]Match, error) {
	ix, err := s.freshIndex(ctx)
	if err != nil {
		return nil, err
	}
	defer ix.mu.RUnlock()
	return ix.candidates(newEntry(summary(p))), nil
}

func (ix *personIndex) candidates(p *indexEntry) []Match { return ix.candidatesBefore(p, 0) }

// candidatesBefore is candidates among entries added before the one with
// seq before (all entries when before is 0). Lists keep insertion order, so
// an import checks a row against the rows above it and stops there.
func (ix *personIndex) candidatesBefore(p *indexEntry, before int) []Match {
	// Few people match, so a slice searched linearly beats maps here: this
	// runs once per row of a 100,000-row import.
	var found []Match
	note := func(e *indexEntry, why string) {
		if e.ID == p.ID || (before > 0 && e.seq >= before) {
			return
		}
		for i := range found {
			if found[i].ID == e.ID {
				if !contains(found[i].Reasons, why) {
					found[i].Reasons = append(found[i].Reasons, why)
				}
				return
			}
		}
		found = append(found, Match{ID: e.ID, NameAr: e.NameAr, NameEn: e.NameEn, Reasons: []string{why}})
	}
	if p.CivilID != "" {
		for _, e := range ix.civil[p.CivilID] {
			note(e, SameCivilID)
		}
	}
	if p.phoneNat != "" {
		for _, e := range ix.phone[p.phoneNat] {
			note(e, SamePhone)
		}
	}
	if p.Email != "" {
		for _, e := range ix.email[p.Email] {
			note(e, SameEmail)
		}
	}
	for _, key := range p.nameKeys {
		for _, e := range ix.names[p.Governorate+"|"+key] {
			note(e, SimilarName)
		}
	}
	for _, b := range p.blocks {
		block := ix.blocks[b]
		if len(block) > maxBlock {
			continue // too common a pair of words to tell people apart
		}
		for _, e := range block {
			if before > 0 && e.seq >= before {
				break
			}
			if e.ID == p.ID || hasReason(found, e.ID, SimilarName) {
				continue
			}
			if closeEntries(p, e) {
				note(e, SimilarName)
			}
		}
	}
	// Strongest evidence first: more reasons, then by id for a stable order.
	sort.Slice(found, func(i, j int) bool {
		if len(found[i].Reasons) != len(found[j].Reasons) {
			return len(found[i].Reasons) > len(found[j].Reasons)
		}
		return found[i].ID < found[j].ID
	})
	return found
}

// closeEntries reports whether any name key of a is close to one of b's.
func closeEntries(a, b *indexEntry) bool {
	for i, ka := range a.keyRunes {
		for j, kb := range b.keyRunes {
			// One edit changes at most two letters' presence, so names whose
			// letter sets differ by more cannot be close.
			if bits.OnesCount64(a.keyMasks[i]^b.keyMasks[j]) > 4 {
				continue
			}
			if closeNames(ka, kb) {
				return true
			}
		}
	}
	return false
}

func hasReason(found []Match, id, why string) bool {
	for _, m := range found {
		if m.ID == id {
			return contains(m.Reasons, why)
		}
	}
	return false
}

// maxBlock bounds the close-name comparisons per lookup. A block bigger
// than this is a pair of very common words ("محمد سالم"); the other pairs of
// the name and the exact-name map still find real duplicates, and checking
// stays fast at 100,000 people.
const maxBlock = 64

// closeNames reports whether two name keys are the same name give or take
// a slip: equal, or within one edit (two for long names).
func closeNames(ra, rb []rune) bool {
	limit := 1
	if min(len(ra), len(rb)) >= 12 {
		limit = 2
	}
	if abs(len(ra)-len(rb)) > limit {
		return false
	}
	return editDistance(ra, rb, limit) <= limit
}

// editDistance is the Levenshtein distance, giving up above limit. Only
// the band of cells within limit of the diagonal can stay under it
// (Ukkonen), so the work is len(a)·(2·limit+1), not len(a)·len(b).
func editDistance(a, b []rune, limit int) int {
	const inf = 1 << 30
	// A common prefix or suffix leaves the distance as it is, and names
	// from the same families share long ones ("محمد سالم ال…ي"): what is
	// left to compare is a few letters.
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	if abs(len(a)-len(b)) > limit {
		return limit + 1
	}
	var bufs [2][64]int // names fit; longer ones allocate
	prev, cur := bufs[0][:0], bufs[1][:0]
	if len(b)+1 > len(bufs[0]) {
		prev, cur = make([]int, 0, len(b)+1), make([]int, 0, len(b)+1)
	}
	prev, cur = prev[:len(b)+1], cur[:len(b)+1]
	for j := range prev {
		prev[j] = j
		if j > limit {
			prev[j] = inf
		}
	}
	for i := 1; i <= len(a); i++ {
		lo, hi := max(1, i-limit), min(len(b), i+limit)
		rowMin := inf
		cur[lo-1] = inf
		if lo == 1 {
			cur[0] = i
			rowMin = i
		}
		for j := lo; j <= hi; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			up := inf
			if j <= i-1+limit {
				up = prev[j] + 1
			}
			cur[j] = min(up, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if hi < len(b) {
			cur[hi+1] = inf
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	if prev[len(b)] > limit {
		return limit + 1
	}
	return prev[len(b)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
