package data

import (
	"context"
	"sort"
	"strings"

	"github.com/oman-sca/safeer/arabic"
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
	return ix.candidates(p), nil
}

func (ix *personIndex) candidates(p Person) []Match {
	reasons := map[string][]string{}
	note := func(ids []string, why string) {
		for _, id := range ids {
			if id != p.ID {
				reasons[id] = append(reasons[id], why)
			}
		}
	}
	if p.CivilID != "" {
		note(ix.civil[p.CivilID], SameCivilID)
	}
	if d := nationalDigits(p.Phone); d != "" {
		note(ix.phone[d], SamePhone)
	}
	if p.Email != "" {
		note(ix.email[p.Email], SameEmail)
	}
	for _, name := range []string{p.NameAr, p.NameEn} {
		key := nameKey(arabic.Fold(name))
		if key == "" {
			continue
		}
		for _, id := range ix.names[p.Governorate+"|"+key] {
			if id != p.ID && !contains(reasons[id], SimilarName) {
				reasons[id] = append(reasons[id], SimilarName)
			}
		}
		seen := map[string]bool{}
		for _, b := range blockKeys(p.Governorate, key) {
			block := ix.blocks[b]
			if len(block) > maxBlock {
				continue // too common a pair of words to tell people apart
			}
			for _, id := range block {
				if seen[id] || id == p.ID {
					continue
				}
				seen[id] = true
				e := ix.byID[id]
				for _, k := range e.nameKeys {
					if closeNames(key, k) {
						if !contains(reasons[id], SimilarName) {
							reasons[id] = append(reasons[id], SimilarName)
						}
						break
					}
				}
			}
		}
	}
	out := make([]Match, 0, len(reasons))
	for id, why := range reasons {
		e := ix.byID[id]
		out = append(out, Match{ID: id, NameAr: e.NameAr, NameEn: e.NameEn, Reasons: why})
	}
	// Strongest evidence first: more reasons, then the civil ID.
	sort.Slice(out, func(i, j int) bool {
		if len(out[i].Reasons) != len(out[j].Reasons) {
			return len(out[i].Reasons) > len(out[j].Reasons)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// maxBlock bounds the close-name comparisons per lookup. A block bigger
// than this is a pair of very common words ("محمد سالم"); the other pairs of
// the name and the exact-name map still find real duplicates, and checking
// stays fast at 100,000 people.
const maxBlock = 64

// closeNames reports whether two name keys are the same name give or take
// a slip: equal, or within one edit (two for long names).
func closeNames(a, b string) bool {
	if a == b {
		return true
	}
	ra, rb := []rune(a), []rune(b)
	limit := 1
	if min(len(ra), len(rb)) >= 12 {
		limit = 2
	}
	if abs(len(ra)-len(rb)) > limit {
		return false
	}
	return editDistance(ra, rb, limit) <= limit
}

// editDistance is the Levenshtein distance, giving up above limit.
func editDistance(a, b []rune, limit int) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
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

// describeReasons is the English phrase for a match's reasons.
func describeReasons(r []string) string { return strings.Join(r, ", ") }
