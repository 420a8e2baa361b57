package index

import (
	"context"
	"fmt"
	"math/bits"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/oman-sca/safeer/roster"
)

// Reasons two records look like the same person: roster's codes, whose
// Sentence gives the words in English and Arabic.
const (
	SameCivilID = string(roster.SameCivilID)
	SamePhone   = string(roster.SamePhone)
	SameEmail   = string(roster.SameEmail)
	SameName    = string(roster.SameName)  // identical after folding
	CloseName   = string(roster.CloseName) // an edit or two apart
)

// Match is an existing person who looks like the one being checked.
type Match struct {
	ID      string   `json:"id"`
	NameAr  string   `json:"name_ar,omitempty"`
	NameEn  string   `json:"name_en,omitempty"`
	Reasons []string `json:"reasons"`
}

// Why is the match's reasons as sentences ("Same phone number"), in
// English or (ar) in Arabic.
func (m Match) Why(ar bool) []string {
	out := make([]string, len(m.Reasons))
	for i, r := range m.Reasons {
		en, arText := roster.Reason(r).Sentence()
		out[i] = en
		if ar {
			out[i] = arText
		}
	}
	return out
}

// Candidates lists the people in the index who look like p: the same civil
// ID, the same phone or email, or a name that matches closely in the same
// governorate, and whom roster.Offer does not rule out (genders that
// differ, or phones and civil IDs that both differ, unless the civil ID or
// the folded name is the same). Strongest evidence first. It flags;
// merging is always a person's decision.
func (ix *Index) Candidates(p *Entry) []Match { return ix.CandidatesBefore(p, 0) }

// CandidatesBefore is Candidates among entries added before the one with
// Seq before (all entries when before is 0). Lists keep insertion order, so
// an import checks a row against the rows above it and stops there.
func (ix *Index) CandidatesBefore(p *Entry, before int) []Match {
	// Few people match, so a slice searched linearly beats maps here: this
	// runs once per row of a 100,000-row import.
	var found []Match
	var foundEntries []*Entry
	note := func(e *Entry, why string) {
		if e.ID == p.ID || (before > 0 && e.Seq >= before) {
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
		foundEntries = append(foundEntries, e)
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
			note(e, SameName)
		}
	}
	for _, b := range p.blocks {
		block := ix.blocks[b]
		if len(block) > maxBlock {
			continue // too common a pair of words to tell people apart
		}
		for _, e := range block {
			if before > 0 && e.Seq >= before {
				break
			}
			if e.ID == p.ID || hasReason(found, e.ID, SameName) || hasReason(found, e.ID, CloseName) {
				continue
			}
			if closeEntries(p, e) {
				note(e, CloseName)
			}
		}
	}
	if len(found) > 0 {
		pk := p.dupKeys()
		kept := found[:0]
		for i, m := range found {
			if roster.Offer(pk, foundEntries[i].dupKeys()) {
				kept = append(kept, m)
			}
		}
		found = kept
		if len(found) == 0 {
			found = nil
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

// dupKeys are what roster.Offer compares of e.
func (e *Entry) dupKeys() roster.Keys {
	return roster.KeysOf(e.NameAr, e.NameEn, e.Gender, e.CivilID, e.Phone, e.Email)
}

// closeEntries reports whether any name key of a is close to one of b's.
func closeEntries(a, b *Entry) bool {
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

// candidatesAmong gives, for each of entries, what candidatesBefore(e,
// e.Seq) gives in an index holding these entries and nothing else: the
// earlier entries it looks like, with the same reasons in the same order,
// sorted the same way. entries must be distinct people (distinct ids) in
// increasing Seq: an import's rows, numbered by row.
//
// It works group by group instead of entry by entry: the entries sharing a
// civil ID, a phone, an email, a name or a block are compared with each
// other while they sit in the processor's cache. Entry by entry, every row
// of a 100,000-row file followed pointers into every block it shares, and
// the check took longer than saving the rows. The groups are numbered and
// laid out in flat arrays, so no map of slices is built either.
func CandidatesAmong(ctx context.Context, workers int, entries []*Entry) ([][]Match, error) {
	const (
		civil = 1 << iota // reasons as bits, in the order CandidatesBefore notes them
		phone
		email
		name      // the same name key
		close     // close names, found in a block
		block = 0 // a group compared by closeEntries; its matches are close
	)
	// Group ids by key, one id space for all kinds; kind[id] says which.
	var kind []uint8
	type slot struct{ group, entry int32 }
	slots := make([]slot, 0, len(entries)*8)
	ids := func(m map[string]int32, key string, k uint8) int32 {
		id, ok := m[key]
		if !ok {
			id = int32(len(kind))
			m[key] = id
			kind = append(kind, k)
		}
		return id
	}
	byCivil := make(map[string]int32, len(entries))
	byPhone := make(map[string]int32, len(entries))
	byEmail := map[string]int32{}
	byName := make(map[[2]string]int32, len(entries)/2)
	byBlock := make(map[string]int32, len(entries)/2)
	for i, e := range entries {
		if i > 0 && e.Seq <= entries[i-1].Seq {
			return nil, fmt.Errorf("internal: CandidatesAmong needs increasing seqs")
		}
		n := int32(i)
		if e.CivilID != "" {
			slots = append(slots, slot{ids(byCivil, e.CivilID, civil), n})
		}
		if e.phoneNat != "" {
			slots = append(slots, slot{ids(byPhone, e.phoneNat, phone), n})
		}
		if e.Email != "" {
			slots = append(slots, slot{ids(byEmail, e.Email, email), n})
		}
		for _, k := range e.nameKeys {
			key := [2]string{e.Governorate, k}
			id, ok := byName[key]
			if !ok {
				id = int32(len(kind))
				byName[key] = id
				kind = append(kind, name)
			}
			slots = append(slots, slot{id, n})
		}
		for _, b := range e.blocks {
			slots = append(slots, slot{ids(byBlock, b, block), n})
		}
	}
	// Counting sort of the slots by group, stable: each group's members
	// come out in entry order, as add would have listed them.
	start := make([]int32, len(kind)+1)
	for _, s := range slots {
		start[s.group+1]++
	}
	for g := range kind {
		start[g+1] += start[g]
	}
	members := make([]int32, len(slots))
	next := append([]int32(nil), start[:len(kind)]...)
	for _, s := range slots {
		members[next[s.group]] = s.entry
		next[s.group]++
	}

	// Compare within groups, on workers goroutines. A hit is entry j
	// looking like the earlier entry i, for the reasons in why.
	type hit struct {
		j, i int32
		why  uint8
	}
	workers = min(workers, max(len(kind)/64, 1))
	hits := make([][]hit, workers)
	var nextGroup atomic.Int64
	const step = 64
	err := eachWorker(ctx, workers, func(w int) error {
		var out []hit
		for {
			g0 := int(nextGroup.Add(step)) - step
			if g0 >= len(kind) {
				break
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			for g := g0; g < min(g0+step, len(kind)); g++ {
				m := members[start[g]:start[g+1]]
				if len(m) < 2 || (kind[g] == block && len(m) > maxBlock) {
					continue
				}
				for b := 1; b < len(m); b++ {
					p := entries[m[b]]
					for a := 0; a < b; a++ {
						if m[a] == m[b] {
							continue // an entry whose two names share a key
						}
						if kind[g] != block {
							out = append(out, hit{m[b], m[a], kind[g]})
						} else if closeEntries(p, entries[m[a]]) {
							out = append(out, hit{m[b], m[a], close})
						}
					}
				}
			}
		}
		hits[w] = out
		return nil
	})
	if err != nil {
		return nil, err
	}

	// Gather each entry's hits (counting sort by j again), merge the
	// reasons per match and order them as CandidatesBefore does.
	count := make([]int32, len(entries)+1)
	total := 0
	for _, hs := range hits {
		for _, h := range hs {
			count[h.j+1]++
		}
		total += len(hs)
	}
	for j := range entries {
		count[j+1] += count[j]
	}
	byEntry := make([]hit, total)
	pos := append([]int32(nil), count[:len(entries)]...)
	for _, hs := range hits {
		for _, h := range hs {
			byEntry[pos[h.j]] = h
			pos[h.j]++
		}
	}
	reasons := [...]string{SameCivilID, SamePhone, SameEmail, SameName, CloseName}
	// roster.Offer's keys, made for the entries that have hits only.
	keys := make([]roster.Keys, len(entries))
	haveKeys := make([]bool, len(entries))
	keyOf := func(i int32) roster.Keys {
		if !haveKeys[i] {
			keys[i], haveKeys[i] = entries[i].dupKeys(), true
		}
		return keys[i]
	}
	out := make([][]Match, len(entries))
	for j := range entries {
		hs := byEntry[count[j]:count[j+1]]
		if len(hs) == 0 {
			continue
		}
		sort.Slice(hs, func(x, y int) bool { return hs[x].i < hs[y].i })
		var found []Match
		for x := 0; x < len(hs); {
			i, why := hs[x].i, uint8(0)
			for ; x < len(hs) && hs[x].i == i; x++ {
				why |= hs[x].why
			}
			if why&name != 0 {
				why &^= close // a close name is found only when the name is not the same
			}
			if !roster.Offer(keyOf(int32(j)), keyOf(i)) {
				continue
			}
			e := entries[i]
			m := Match{ID: e.ID, NameAr: e.NameAr, NameEn: e.NameEn}
			for r, reason := range reasons {
				if why&(1<<r) != 0 {
					m.Reasons = append(m.Reasons, reason)
				}
			}
			found = append(found, m)
		}
		sort.Slice(found, func(i, j int) bool {
			if len(found[i].Reasons) != len(found[j].Reasons) {
				return len(found[i].Reasons) > len(found[j].Reasons)
			}
			return found[i].ID < found[j].ID
		})
		out[j] = found
	}
	return out, nil
}

// eachWorker runs fn(0) … fn(workers-1) on goroutines of their own and
// returns the first error; fn watches ctx itself.
func eachWorker(ctx context.Context, workers int, fn func(w int) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = fn(w)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Pair is two people on the roster who look alike, and why. A is the one
// earlier in the index.
type Pair struct {
	A, B    PersonSummary
	Reasons []string
}

// Numbered is copies of the index's entries in name order, numbered (Seq)
// in that order: what Pairs compares, taken while the caller holds its
// lock, so the comparing can run without it.
func (ix *Index) Numbered() []*Entry {
	entries := make([]*Entry, len(ix.sorted))
	for i, e := range ix.sorted {
		c := *e
		c.Seq = i + 1
		entries[i] = &c
	}
	return entries
}

// Pairs lists every pair of entries (Numbered's) who look alike by the
// rule of Candidates, each pair once, at most limit pairs (0: all). It
// compares group by group on workers goroutines (CandidatesAmong), not
// person by person: at 100,000 people a scan person by person cost a call
// into the index per person.
func Pairs(ctx context.Context, workers int, entries []*Entry, limit int) ([]Pair, error) {
	byID := make(map[string]*Entry, len(entries))
	for _, e := range entries {
		byID[e.ID] = e
	}
	found, err := CandidatesAmong(ctx, max(1, workers), entries)
	if err != nil {
		return nil, err
	}
	var pairs []Pair
	for i, ms := range found {
		for _, m := range ms {
			other, ok := byID[m.ID]
			if !ok || m.ID == entries[i].ID {
				continue
			}
			pairs = append(pairs, Pair{A: other.PersonSummary, B: entries[i].PersonSummary, Reasons: m.Reasons})
			if limit > 0 && len(pairs) >= limit {
				return pairs, nil
			}
		}
	}
	return pairs, nil
}
