// Package index is the roster held in memory: search by any part of a
// name, phone, civil ID or email, and duplicate matching (who looks like
// whom, by the rule of roster.Offer). It knows nothing of SQL: the device's
// store (package data) fills it from its file, keeps it fresh and guards it
// with its own lock; an Index is not safe for concurrent writes.
//
// Type-ahead must answer within a keystroke at 100,000 people, and a scan
// of short folded strings does that with room to spare, where SQL LIKE
// '%…%' cannot use an index.
package index

import (
	"slices"
	"sort"
	"strings"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/arabic"
	"github.com/oman-sca/safeer/roster"
)

// PersonSummary is what a list of people shows.
type PersonSummary struct {
	ID          string `json:"id"`
	NameAr      string `json:"name_ar"`
	NameEn      string `json:"name_en"`
	Phone       string `json:"phone,omitempty"`
	CivilID     string `json:"civil_id,omitempty"`
	Email       string `json:"email,omitempty"`
	Governorate string `json:"governorate"`
	Wilayat     string `json:"wilayat,omitempty"`
	Status      string `json:"status"`
	Kind        string `json:"kind"`
	Gender      string `json:"gender,omitempty"` // for the duplicate rule (roster.Offer)
}

// SummaryOf is p's summary.
func SummaryOf(p safeer.Person) PersonSummary {
	return PersonSummary{ID: p.ID, NameAr: p.NameAr, NameEn: p.NameEn, Phone: p.Phone, CivilID: p.CivilID,
		Email: p.Email, Governorate: p.Governorate, Wilayat: p.Wilayat, Status: p.Status, Kind: p.Kind, Gender: p.Gender}
}

// Entry is a person as the index holds them: the summary and what search
// and matching compare, worked out once.
type Entry struct {
	PersonSummary
	// Seq orders entries that are not of the roster: an import's rows,
	// numbered by row (see CandidatesBefore, CandidatesAmong).
	Seq     int
	sortKey string
	// words is " w1 w2 … " of the folded names plus joined compounds (عبد الله
	// → عبدالله): one string, so scoring is a few strings.Contains calls.
	words    string
	letters  uint64   // which letters words has (see letterMask): a cheap first filter
	phoneNat string   // national digits of the phone (8 for Omani numbers)
	nameKeys []string // duplicate-matching keys of each name (see arabic.NameKey)
	keyRunes [][]rune // nameKeys as runes, for edit distances
	keyMasks []uint64 // letterMask of each name key: a cheap bound before an edit distance
	blocks   []string // governorate|word-pair buckets of the name keys (blockKeys)
}

// NewEntry works out what the index compares of p.
func NewEntry(p PersonSummary) *Entry {
	e := &Entry{PersonSummary: p}
	ar, en := arabic.Fold(p.NameAr), arabic.Fold(p.NameEn)
	e.words = " " + strings.Join(arabic.NameTokens(ar+" "+en), " ") + " "
	e.letters = letterMask(e.words) | letterMask(strings.ToLower(p.Email)) // email too: a word may match its start
	e.sortKey = SortKey(ar, en)
	e.phoneNat = roster.NationalDigits(p.Phone)
	for _, n := range []string{ar, en} {
		if k := arabic.NameKey(n); k != "" {
			e.nameKeys = append(e.nameKeys, k)
			e.keyRunes = append(e.keyRunes, []rune(k))
			e.keyMasks = append(e.keyMasks, letterMask(k))
			e.blocks = append(e.blocks, blockKeys(p.Governorate, k)...)
		}
	}
	return e
}

// SortKey orders the roster, given the folded names (arabic.Fold): by the
// Arabic name, and people with only a Latin name after everyone else, as an
// Arabic list reads. The store's SQL orders by the same key, so a page read
// from the file before the index is built lists the same people in the
// same order.
func SortKey(foldedAr, foldedEn string) string {
	if foldedAr != "" {
		return foldedAr
	}
	return "\uffff" + foldedEn
}

// blockKeys are the buckets a name is compared within: pairs of its words,
// so a typo in any one word still meets the right candidates.
func blockKeys(gov, key string) []string {
	w := strings.Fields(key)
	switch len(w) {
	case 0:
		return nil
	case 1:
		return []string{gov + "|" + w[0]}
	}
	last := len(w) - 1
	keys := []string{gov + "|" + w[0] + "|" + w[last], gov + "|" + w[0] + "|" + w[1]}
	if last > 1 {
		keys = append(keys, gov+"|"+w[1]+"|"+w[last])
	}
	return keys
}

// Index is live people by name order (for search) and by civil ID, phone,
// email, name and blocks of name words (for duplicates).
type Index struct {
	byID    map[string]*Entry
	sorted  []*Entry
	letters []uint64 // letters[i] is sorted[i].letters, contiguous so a scan rejects most entries without touching them
	civil   map[string][]*Entry
	phone   map[string][]*Entry
	email   map[string][]*Entry
	names   map[string][]*Entry // governorate|name key → people, for exact name matches
	blocks  map[string][]*Entry // governorate|pair of name words → people, for close names
}

// New is an empty index with room for n people, so loading 100,000 does
// not grow (and rehash) every map a dozen times.
func New(n int) *Index {
	return &Index{
		byID:  make(map[string]*Entry, n),
		civil: make(map[string][]*Entry, n), phone: make(map[string][]*Entry, n), email: make(map[string][]*Entry, n/4),
		names: make(map[string][]*Entry, n), blocks: make(map[string][]*Entry, n/4),
	}
}

// Build is the index of entries (distinct people, in any order). The maps
// (for duplicates) and the name order (for search) are independent, so
// they are built side by side.
func Build(entries []*Entry) *Index {
	ix := New(len(entries))
	order := slices.Clone(entries)
	sorted := make(chan struct{})
	go func() {
		slices.SortFunc(order, compareEntries)
		close(sorted)
	}()
	for _, e := range entries {
		ix.Add(e)
	}
	<-sorted
	ix.sorted = order
	ix.letters = make([]uint64, len(order))
	for i, e := range order {
		ix.letters[i] = e.letters
	}
	return ix
}

// ForSearch is an index that only searches: entries in name order, without
// the duplicate maps Build fills. HQ's console searches a roster it reads
// afresh for each request, so the maps would be built to be thrown away.
func ForSearch(entries []*Entry) *Index {
	ix := &Index{sorted: slices.Clone(entries)}
	slices.SortFunc(ix.sorted, compareEntries)
	ix.letters = make([]uint64, len(ix.sorted))
	for i, e := range ix.sorted {
		ix.letters[i] = e.letters
	}
	return ix
}

// Add puts e in the duplicate maps only (not in name order): an import's
// index of its own rows, which it matches and never searches.
func (ix *Index) Add(e *Entry) {
	ix.byID[e.ID] = e
	if e.CivilID != "" {
		ix.civil[e.CivilID] = append(ix.civil[e.CivilID], e)
	}
	if e.phoneNat != "" {
		ix.phone[e.phoneNat] = append(ix.phone[e.phoneNat], e)
	}
	if e.Email != "" {
		ix.email[e.Email] = append(ix.email[e.Email], e)
	}
	for _, k := range e.nameKeys {
		ix.names[e.Governorate+"|"+k] = append(ix.names[e.Governorate+"|"+k], e)
	}
	for _, b := range e.blocks {
		ix.blocks[b] = append(ix.blocks[b], e)
	}
}

func removeID(m map[string][]*Entry, key, id string) {
	ids := m[key]
	for i, x := range ids {
		if x.ID == id {
			ids = append(ids[:i:i], ids[i+1:]...)
			break
		}
	}
	if len(ids) == 0 {
		delete(m, key)
	} else {
		m[key] = ids
	}
}

// Remove takes the person with id out, if they are in.
func (ix *Index) Remove(id string) {
	e, ok := ix.byID[id]
	if !ok {
		return
	}
	delete(ix.byID, id)
	removeID(ix.civil, e.CivilID, id)
	removeID(ix.phone, e.phoneNat, id)
	removeID(ix.email, e.Email, id)
	for _, k := range e.nameKeys {
		removeID(ix.names, e.Governorate+"|"+k, id)
	}
	for _, b := range e.blocks {
		removeID(ix.blocks, b, id)
	}
	i := sort.Search(len(ix.sorted), func(i int) bool { return !entryLess(ix.sorted[i], e) })
	for ; i < len(ix.sorted); i++ {
		if ix.sorted[i].ID == id {
			ix.sorted = append(ix.sorted[:i], ix.sorted[i+1:]...)
			ix.letters = append(ix.letters[:i], ix.letters[i+1:]...)
			return
		}
	}
}

func entryLess(a, b *Entry) bool { return compareEntries(a, b) < 0 }

func compareEntries(a, b *Entry) int {
	if c := strings.Compare(a.sortKey, b.sortKey); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// Put puts p in the index as it is now, or takes them out when they are no
// longer live (deleted, or merged into someone).
func (ix *Index) Put(p safeer.Person) {
	ix.Remove(p.ID)
	if p.Deleted || p.MergedInto != "" {
		return
	}
	e := NewEntry(SummaryOf(p))
	ix.Add(e)
	i := sort.Search(len(ix.sorted), func(i int) bool { return !entryLess(ix.sorted[i], e) })
	ix.sorted = append(ix.sorted, nil)
	copy(ix.sorted[i+1:], ix.sorted[i:])
	ix.sorted[i] = e
	ix.letters = append(ix.letters, 0)
	copy(ix.letters[i+1:], ix.letters[i:])
	ix.letters[i] = e.letters
}

// Len is how many people are in name order.
func (ix *Index) Len() int { return len(ix.sorted) }
