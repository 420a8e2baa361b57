package data

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/arabic"
	"github.com/oman-sca/safeer/roster"
	sqlite "modernc.org/sqlite"
)

// The roster is searched in memory: type-ahead must answer within a
// keystroke at 100,000 people, and a scan of folded strings does that with
// room to spare (see BenchmarkSearchTypeAhead), where SQL LIKE '%…%' cannot
// use an index. The index is rebuilt lazily when another process changed
// the roster (the person_gen counter in meta), and patched in place after
// this process's own writes. Building it takes a second or two at 100,000
// people; the roster by name (the empty query) does not wait for it, but
// is read from SQL in the same order meanwhile (SearchPage).

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

type indexEntry struct {
	PersonSummary
	sortKey string
	// words is " w1 w2 … " of the folded names plus joined compounds (عبد الله
	// → عبدالله): one string, so scoring is a few strings.Contains calls.
	words    string
	letters  uint64   // which letters words has (see letterMask): a cheap first filter
	phoneNat string   // national digits of the phone (8 for Omani numbers)
	nameKeys []string // duplicate-matching keys of each name (see nameKey)
	keyRunes [][]rune // nameKeys as runes, for edit distances
	keyMasks []uint64 // letterMask of each name key: a cheap bound before an edit distance
	seq      int      // order of addition, in an import's index of its own rows
	blocks   []string // governorate|word-pair buckets of the name keys (blockKeys)
}

type personIndex struct {
	mu      sync.RWMutex
	gen     int64 // person_gen this index reflects; -1 when stale
	byID    map[string]*indexEntry
	sorted  []*indexEntry
	letters []uint64 // letters[i] is sorted[i].letters, contiguous so a scan rejects most entries without touching them
	civil   map[string][]*indexEntry
	phone   map[string][]*indexEntry
	email   map[string][]*indexEntry
	names   map[string][]*indexEntry // governorate|name key → people, for exact name matches
	blocks  map[string][]*indexEntry // governorate|pair of name words → people, for close names
	loading sync.Mutex
	// While a load runs (logging), this process's own commits are kept in
	// log, so the new index catches up with writes made after its snapshot
	// instead of being stale the moment it is installed.
	logging bool
	log     []commit
	// A background build (loadIndexInBackground), stopped by close.
	bgMu     sync.Mutex
	bg       sync.WaitGroup
	cancelBg context.CancelFunc
	closed   bool
	// afterSnapshot, when set (tests), runs while a load holds its read
	// snapshot, after reading the rows.
	afterSnapshot func()
	// scan is the pool that reads the whole roster (see scanDB).
	scanOnce sync.Once
	scan     *sql.DB
}

// commit is one of this process's writes to the roster, as afterCommit
// hears of it.
type commit struct {
	gen    int64
	people []safeer.Person
	bulk   bool
}

func newEntry(p PersonSummary) *indexEntry {
	e := &indexEntry{PersonSummary: p}
	ar, en := arabic.Fold(p.NameAr), arabic.Fold(p.NameEn)
	e.words = " " + strings.Join(arabic.NameTokens(ar+" "+en), " ") + " "
	e.letters = letterMask(e.words) | letterMask(strings.ToLower(p.Email)) // email too: a word may match its start
	e.sortKey = foldedSortKey(ar, en)
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

// foldedSortKey orders the roster: by the folded Arabic name, and people
// with only a Latin name after everyone else, as an Arabic list reads.
// SQL orders by the same key (sortKeySQL), so a page read from the file
// before the index is built lists the same people in the same order.
func foldedSortKey(foldedAr, foldedEn string) string {
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

func (ix *personIndex) reset() { ix.resetFor(0) }

// resetFor empties the index with room for n people, so loading 100,000
// does not grow (and rehash) every map a dozen times.
func (ix *personIndex) resetFor(n int) {
	ix.byID = make(map[string]*indexEntry, n)
	ix.sorted, ix.letters = nil, nil
	ix.civil, ix.phone, ix.email = make(map[string][]*indexEntry, n), make(map[string][]*indexEntry, n), make(map[string][]*indexEntry, n/4)
	ix.names, ix.blocks = make(map[string][]*indexEntry, n), make(map[string][]*indexEntry, n/4)
}

func (ix *personIndex) add(e *indexEntry) {
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

func removeID(m map[string][]*indexEntry, key, id string) {
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

func (ix *personIndex) remove(id string) {
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

func entryLess(a, b *indexEntry) bool { return compareEntries(a, b) < 0 }

func compareEntries(a, b *indexEntry) int {
	if c := strings.Compare(a.sortKey, b.sortKey); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// upsert puts p in the index, or takes it out when it is no longer live.
func (ix *personIndex) upsert(p safeer.Person) {
	ix.remove(p.ID)
	if p.Deleted || p.MergedInto != "" {
		return
	}
	e := newEntry(summary(p))
	ix.add(e)
	i := sort.Search(len(ix.sorted), func(i int) bool { return !entryLess(ix.sorted[i], e) })
	ix.sorted = append(ix.sorted, nil)
	copy(ix.sorted[i+1:], ix.sorted[i:])
	ix.sorted[i] = e
	ix.letters = append(ix.letters, 0)
	copy(ix.letters[i+1:], ix.letters[i:])
	ix.letters[i] = e.letters
}

func summary(p safeer.Person) PersonSummary {
	return PersonSummary{ID: p.ID, NameAr: p.NameAr, NameEn: p.NameEn, Phone: p.Phone, CivilID: p.CivilID,
		Email: p.Email, Governorate: p.Governorate, Wilayat: p.Wilayat, Status: p.Status, Kind: p.Kind, Gender: p.Gender}
}

// indexView turns the people a write touched into what the search index
// must hold, as livePerson reads the roster: a merge into a deleted person
// is no merge, so such a person is shown, and the people merged into
// someone whose deletion the write changed come back or go with it.
func (t *tx) indexView(ctx context.Context, people []safeer.Person) ([]safeer.Person, error) {
	out := make([]safeer.Person, 0, len(people))
	effective := func(p safeer.Person) (safeer.Person, error) {
		if p.MergedInto == "" {
			return p, nil
		}
		var deleted bool
		err := t.sql.QueryRowContext(ctx, `SELECT deleted FROM person WHERE id = ?`, p.MergedInto).Scan(&deleted)
		if err != nil && err != sql.ErrNoRows {
			return p, fmt.Errorf("read merge target %s: %w", p.MergedInto, err)
		}
		if deleted {
			p.MergedInto = ""
		}
		return p, nil
	}
	for _, p := range people {
		e, err := effective(p)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		rows, err := t.sql.QueryContext(ctx, `SELECT `+personColumns+` FROM person WHERE merged_into = ?`, p.ID)
		if err != nil {
			return nil, fmt.Errorf("read people merged into %s: %w", p.ID, err)
		}
		var followers []safeer.Person
		for rows.Next() {
			f, err := scanPerson(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			followers = append(followers, f)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		for _, f := range followers {
			if f, err = effective(f); err != nil {
				return nil, err
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// afterCommit patches the index with this process's own write when nothing
// else changed the roster in between; otherwise it marks it stale.
func (ix *personIndex) afterCommit(gen int64, people []safeer.Person, bulk bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.logging {
		ix.log = append(ix.log, commit{gen: gen, people: people, bulk: bulk})
	}
	if bulk || ix.gen < 0 || ix.gen != gen-1 {
		ix.gen = -1
		return
	}
	for _, p := range people {
		ix.upsert(p)
	}
	ix.gen = gen
}

// personGenSQL reads the roster's generation: every write to people bumps it.
const personGenSQL = `SELECT COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'person_gen'), 0)`

func (s *Store) personGen(ctx context.Context) (int64, error) {
	var gen int64
	if err := s.db.QueryRowContext(ctx, personGenSQL).Scan(&gen); err != nil {
		return 0, fmt.Errorf("read roster generation: %w", err)
	}
	return gen, nil
}

// freshIndex returns the index, reloading it if the roster changed elsewhere.
// The caller must hold ix.mu.RLock on return (freshIndex takes it).
func (s *Store) freshIndex(ctx context.Context) (*personIndex, error) {
	gen, err := s.personGen(ctx)
	if err != nil {
		return nil, err
	}
	ix := s.index
	ix.mu.RLock()
	if ix.gen >= gen { // newer when our own write patched it meanwhile
		return ix, nil
	}
	ix.mu.RUnlock()

	ix.loading.Lock() // one loader at a time; others wait and reuse its work
	defer ix.loading.Unlock()
	if err := s.refreshIndex(ctx); err != nil {
		return nil, err
	}
	ix.mu.RLock()
	return ix, nil
}

// refreshIndex loads the index unless it is up to date (another loader may
// have just loaded it). The caller holds ix.loading.
func (s *Store) refreshIndex(ctx context.Context) error {
	gen, err := s.personGen(ctx)
	if err != nil {
		return err
	}
	ix := s.index
	ix.mu.RLock()
	fresh := ix.gen >= gen
	ix.mu.RUnlock()
	if fresh {
		return nil
	}
	return s.loadIndex(ctx)
}

// loadIndex builds the index from the file and installs it. The caller
// holds ix.loading.
func (s *Store) loadIndex(ctx context.Context) error {
	ix := s.index
	ix.mu.Lock()
	ix.logging, ix.log = true, nil
	ix.mu.Unlock()
	gen, entries, err := s.loadEntries(ctx)
	if err != nil {
		ix.mu.Lock()
		ix.logging, ix.log = false, nil
		ix.mu.Unlock()
		return err
	}
	// The maps (for duplicates) and the sorted array (for search) are
	// independent: build them side by side.
	built := &personIndex{}
	order := slices.Clone(entries)
	sorted := make(chan struct{})
	go func() {
		slices.SortFunc(order, compareEntries)
		close(sorted)
	}()
	built.resetFor(len(entries))
	for _, e := range entries {
		built.add(e)
	}
	<-sorted
	letters := make([]uint64, len(order))
	for i, e := range order {
		letters[i] = e.letters
	}

	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.byID, ix.civil, ix.phone, ix.email, ix.names, ix.blocks = built.byID, built.civil, built.phone, built.email, built.names, built.blocks
	ix.sorted, ix.letters = order, letters
	ix.gen = gen
	// Catch up with this process's writes committed after the snapshot, in
	// order; a gap (or an import) leaves the index behind the file, and
	// the next search reloads it.
	slices.SortFunc(ix.log, func(a, b commit) int { return cmp.Compare(a.gen, b.gen) })
	for _, c := range ix.log {
		if c.gen <= ix.gen {
			continue // in the snapshot already
		}
		if c.gen != ix.gen+1 || c.bulk {
			break
		}
		for _, p := range c.people {
			ix.upsert(p)
		}
		ix.gen = c.gen
	}
	ix.logging, ix.log = false, nil
	return nil
}

// loadEntries reads the roster and its generation from one snapshot (a
// read transaction), so a write by another process while it reads is
// either in both or in neither: never in the file but missing from an
// index that claims its generation.
//
// Reading the rows is one goroutine's work; folding the names and making
// the entries is most of the rest, so other goroutines do that as the
// rows arrive.
func (s *Store) loadEntries(ctx context.Context) (int64, []*indexEntry, error) {
	tx, err := s.scanDB().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, nil, fmt.Errorf("load roster: %w", err)
	}
	defer tx.Rollback()
	var gen int64
	if err := tx.QueryRowContext(ctx, personGenSQL).Scan(&gen); err != nil {
		return 0, nil, fmt.Errorf("read roster generation: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+summaryColumns+` FROM person WHERE `+livePerson)
	if err != nil {
		return 0, nil, fmt.Errorf("load roster: %w", err)
	}
	defer rows.Close()

	const batchSize = 512
	batches := make(chan []PersonSummary, 4)
	made := make(chan []*indexEntry, runtime.GOMAXPROCS(0))
	workers := cap(made)
	for range workers {
		go func() {
			var out []*indexEntry
			for b := range batches {
				for _, p := range b {
					out = append(out, newEntry(p))
				}
			}
			made <- out
		}()
	}
	batch := make([]PersonSummary, 0, batchSize)
	var scanErr error
	for rows.Next() {
		batch = append(batch, PersonSummary{})
		if err := scanSummary(rows, &batch[len(batch)-1]); err != nil { // in place: no allocation a row
			batch = batch[:len(batch)-1]
			scanErr = err
			break
		}
		if len(batch) == batchSize {
			batches <- batch
			batch = make([]PersonSummary, 0, batchSize)
		}
	}
	batches <- batch
	close(batches)
	if ix := s.index; ix.afterSnapshot != nil {
		ix.afterSnapshot()
	}
	var out []*indexEntry
	for range workers {
		if part := <-made; out == nil {
			out = part
		} else {
			out = append(out, part...)
		}
	}
	if err := cmp.Or(scanErr, rows.Err()); err != nil {
		return 0, nil, fmt.Errorf("load roster: %w", err)
	}
	return gen, out, nil
}

// summaryColumns are the columns of a PersonSummary, in scanSummary's order.
const summaryColumns = `id, name_ar, name_en, phone, civil_id, email, governorate, wilayat, status, kind, gender`

func scanSummary(sc interface{ Scan(...any) error }, p *PersonSummary) error {
	return sc.Scan(&p.ID, &p.NameAr, &p.NameEn, &p.Phone, &p.CivilID, &p.Email, &p.Governorate, &p.Wilayat, &p.Status, &p.Kind, &p.Gender)
}

// SearchOptions narrows and bounds a search.
type SearchOptions struct {
	Governorate string
	Wilayat     string
	Status      string
	Limit       int // 0: no limit
	Offset      int // how many of the ranked answer to skip: a later page
}

// SearchResult is a person found, with how well they matched.
type SearchResult struct {
	PersonSummary
	Score int `json:"score"`
}

// SearchPage is one page of a search's answer and how many people match
// in all, so a list can scroll over everyone while holding one page.
type SearchPage struct {
	Results []SearchResult
	Total   int
}

// Search finds live people by any part of their Arabic or English name,
// phone (any spelling), civil ID or email, whatever the spelling of hamza,
// taa marbuta, alef maqsura, tashkeel or digits. Better matches come first:
// whole words before word beginnings before parts of words; ties by name.
// An empty query lists everyone (filtered) by name.
func (s *Store) Search(ctx context.Context, query string, opt SearchOptions) ([]SearchResult, error) {
	pg, err := s.search(ctx, query, opt, false)
	return pg.Results, err
}

// SearchPage is Search's page opt.Offset…opt.Offset+opt.Limit with the
// number of people who match in all.
//
// An empty query (everyone, filtered, by name) does not wait for the
// index: until it is built (a second or two after opening at 100,000
// people) or while it is rebuilt after another process's write, the page
// comes from SQL, in the same order (sortKeySQL), and the index is built
// in the background. Other queries wait for the index.
func (s *Store) SearchPage(ctx context.Context, query string, opt SearchOptions) (SearchPage, error) {
	return s.search(ctx, query, opt, true)
}

// LoadSearchIndex builds the search index now if it is not up to date, so
// the first search after opening answers at once: the app calls it in the
// background at start.
func (s *Store) LoadSearchIndex(ctx context.Context) error {
	ix, err := s.freshIndex(ctx)
	if err != nil {
		return err
	}
	ix.mu.RUnlock()
	return nil
}

func (s *Store) search(ctx context.Context, raw string, opt SearchOptions, total bool) (SearchPage, error) {
	q := newQuery(raw)
	if !q.empty {
		ix, err := s.freshIndex(ctx)
		if err != nil {
			return SearchPage{}, err
		}
		defer ix.mu.RUnlock()
		return ix.search(q, opt), nil
	}
	gen, err := s.personGen(ctx)
	if err != nil {
		return SearchPage{}, err
	}
	ix := s.index
	ix.mu.RLock()
	if ix.gen >= gen {
		defer ix.mu.RUnlock()
		return ix.search(q, opt), nil
	}
	ix.mu.RUnlock()
	pg, err := s.listSQL(ctx, opt, total)
	// Then build the index, not before: on two cores the build would slow
	// this page down several times over.
	s.loadIndexInBackground()
	return pg, err
}

// search answers q from the index. Entries are in name order, so keeping
// the first Offset+Limit matches of each score and reading the buckets from
// the best score down gives ranked, alphabetical-within-rank results
// without sorting every match: a one-letter query matches nearly everyone.
func (ix *personIndex) search(q query, opt SearchOptions) SearchPage {
	off := max(opt.Offset, 0)
	keep := -1 // how many of each score to keep; -1: all
	if opt.Limit > 0 {
		keep = off + opt.Limit
	}
	if q.empty && opt.Governorate == "" && opt.Wilayat == "" && opt.Status == "" {
		// Everyone by name: the page is a slice of the index.
		n := len(ix.sorted)
		lo, hi := min(off, n), n
		if keep >= 0 {
			hi = min(keep, n)
		}
		res := make([]SearchResult, hi-lo)
		for i, e := range ix.sorted[lo:hi] {
			res[i] = SearchResult{PersonSummary: e.PersonSummary, Score: 1}
		}
		return SearchPage{Results: res, Total: n}
	}
	buckets := make([][]SearchResult, q.maxScore()+1)
	total := 0
	need := q.letters()
	for i, m := range ix.letters {
		if m&need != need {
			continue // lacks a letter of the query: cannot match
		}
		e := ix.sorted[i]
		if (opt.Governorate != "" && e.Governorate != opt.Governorate) ||
			(opt.Wilayat != "" && e.Wilayat != opt.Wilayat) ||
			(opt.Status != "" && e.Status != opt.Status) {
			continue
		}
		score := q.score(e)
		if score == 0 {
			continue
		}
		total++
		if b := buckets[score]; keep < 0 || len(b) < keep {
			buckets[score] = append(b, SearchResult{PersonSummary: e.PersonSummary, Score: score})
		}
	}
	var out []SearchResult
	for sc := len(buckets) - 1; sc > 0; sc-- {
		out = append(out, buckets[sc]...)
		if keep >= 0 && len(out) >= keep {
			break
		}
	}
	out = out[min(off, len(out)):]
	if opt.Limit > 0 && len(out) > opt.Limit {
		out = out[:opt.Limit]
	}
	return SearchPage{Results: out, Total: total}
}

// sortKeySQL is foldedSortKey in SQL (safeer_sort_key, registered with
// the driver below), so the file lists the roster in the index's order.
// It is not in the schema, only in queries: another program can still
// open the file.
const sortKeySQL = `safeer_sort_key(name_ar, name_en)`

func init() {
	sqlite.MustRegisterDeterministicScalarFunction("safeer_sort_key", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		ar, _ := args[0].(string)
		if f := arabic.Fold(ar); f != "" {
			return f, nil
		}
		en, _ := args[1].(string)
		return foldedSortKey("", arabic.Fold(en)), nil
	})
}

// listSQL is the empty query's page read from the file: everyone (filtered)
// by name. At 100,000 people it takes a scan of the table and one call of
// safeer_sort_key a person (tens of milliseconds), where building the
// index takes a second.
func (s *Store) listSQL(ctx context.Context, opt SearchOptions, total bool) (SearchPage, error) {
	where, args := livePerson, []any{}
	for _, f := range []struct{ col, v string }{{"governorate", opt.Governorate}, {"wilayat", opt.Wilayat}, {"status", opt.Status}} {
		if f.v != "" {
			where += ` AND ` + f.col + ` = ?`
			args = append(args, f.v)
		}
	}
	limit, off := -1, max(opt.Offset, 0)
	if opt.Limit > 0 {
		limit = opt.Limit
	}
	// One read transaction: the page and the count are of the same roster.
	tx, err := s.scanDB().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return SearchPage{}, fmt.Errorf("list people: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+summaryColumns+` FROM person WHERE `+where+
		` ORDER BY `+sortKeySQL+`, id LIMIT ? OFFSET ?`, append(args, limit, off)...)
	if err != nil {
		return SearchPage{}, fmt.Errorf("list people: %w", err)
	}
	defer rows.Close()
	var pg SearchPage
	for rows.Next() {
		pg.Results = append(pg.Results, SearchResult{Score: 1})
		if err := scanSummary(rows, &pg.Results[len(pg.Results)-1].PersonSummary); err != nil {
			return SearchPage{}, fmt.Errorf("list people: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return SearchPage{}, fmt.Errorf("list people: %w", err)
	}
	pg.Total = off + len(pg.Results)
	if total && (limit < 0 || len(pg.Results) == limit || (off > 0 && len(pg.Results) == 0)) {
		// The page does not show where the list ends: count.
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM person WHERE `+where, args...).Scan(&pg.Total); err != nil {
			return SearchPage{}, fmt.Errorf("count people: %w", err)
		}
	}
	return pg, nil
}

// scanDSN is the store's DSN with SQLite's default page cache, read-only.
// (The driver sorts _pragma values, so a second cache_size would not
// simply override the first.)
func scanDSN(dsn string) string {
	file, query, _ := strings.Cut(dsn, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return dsn
	}
	pragmas := []string{"cache_size(-2000)", "query_only(1)"}
	for _, p := range q["_pragma"] {
		if !strings.HasPrefix(p, "cache_size") {
			pragmas = append(pragmas, p)
		}
	}
	q["_pragma"] = pragmas
	return file + "?" + q.Encode()
}

// loadIndexInBackground starts building the index unless a build is under
// way; Close stops it.
func (s *Store) loadIndexInBackground() {
	ix := s.index
	ix.bgMu.Lock()
	defer ix.bgMu.Unlock()
	if ix.closed || !ix.loading.TryLock() {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	ix.cancelBg = cancel
	ix.bg.Add(1)
	go func() {
		defer ix.bg.Done()
		defer cancel()
		defer ix.loading.Unlock()
		if err := s.refreshIndex(ctx); err != nil && ctx.Err() == nil {
			slog.Warn("search index not built", "err", err)
		}
	}()
}

// close stops a background build, waits for it, and closes the scan pool.
func (ix *personIndex) close() {
	ix.bgMu.Lock()
	ix.closed = true
	if ix.cancelBg != nil {
		ix.cancelBg()
	}
	ix.bgMu.Unlock()
	ix.bg.Wait()
	ix.scanOnce.Do(func() {}) // none from now on
	if ix.scan != nil {
		ix.scan.Close()
	}
}

// scanDB is a second pool on the file, for reading the whole roster (a
// page of the list from SQL, the index's load), with SQLite's default page
// cache of 2 MB instead of the store's 32 MiB. A scan reads each page of
// the table once, and on a new connection filling the big cache costs more
// than the reading: every page is a new allocation in the pure-Go SQLite.
// At 100,000 people the first page of the list took 0.3–1.5 s on a new
// connection of the store's pool, 0.1–0.3 s on this one (and about the
// same on warm connections of either). Read-only.
func (s *Store) scanDB() *sql.DB {
	ix := s.index
	ix.scanOnce.Do(func() {
		db, err := sql.Open("sqlite", scanDSN(dsn(s.path)))
		if err != nil {
			return // s.db then
		}
		ix.scan = db
	})
	if ix.scan == nil {
		return s.db
	}
	return ix.scan
}

type query struct {
	empty  bool
	words  []queryWord
	digits string // the query as a phone or civil ID, when it is one
	email  string
}

// queryWord is a folded query word with the patterns that score it.
type queryWord struct {
	w, asWord, asPrefix string // "w", " w ", " w"
	letters             uint64
}

// letterMask sets a bit for each letter in s: Arabic letters (U+0621–U+064A)
// get a bit each, Latin letters and digits share the rest. An entry lacking
// one of a query word's bits cannot contain it, which rejects most of the
// roster without a substring search.
func letterMask(s string) uint64 {
	var m uint64
	for _, r := range s {
		switch {
		case r >= 0x621 && r <= 0x64A:
			m |= 1 << (r - 0x621)
		case r >= 'a' && r <= 'z':
			m |= 1 << (42 + (r-'a')%18)
		case r >= '0' && r <= '9':
			m |= 1 << (60 + (r-'0')%3)
		case r != ' ':
			m |= 1 << 63
		}
	}
	return m
}

func newQuery(raw string) query {
	folded := arabic.Fold(raw)
	q := query{}
	for _, w := range strings.Fields(folded) {
		q.words = append(q.words, queryWord{w: w, asWord: " " + w + " ", asPrefix: " " + w, letters: letterMask(w)})
	}
	q.empty = len(q.words) == 0
	if strings.Contains(folded, "@") {
		q.email = strings.TrimSpace(folded)
	}
	if d, ok := digitsOnly(folded); ok && len(d) >= 3 {
		if len(d) == 11 && strings.HasPrefix(d, "968") {
			d = d[3:]
		} else if len(d) == 13 && strings.HasPrefix(d, "00968") {
			d = d[5:]
		}
		q.digits = d
	}
	return q
}

// letters is what every matching entry's letter mask must contain: the
// letters of every name word. Phone, civil ID and email queries are not
// matched against names, so they need nothing.
func (q query) letters() uint64 {
	if q.digits != "" || q.email != "" {
		return 0
	}
	var m uint64
	for _, w := range q.words {
		m |= w.letters
	}
	return m
}

// maxScore bounds what score can return for q.
func (q query) maxScore() int { return max(scoreExactID, scoreWord*len(q.words), 1) }

// digitsOnly returns the digits of s if s is a number as people write
// phones: digits with spaces, dashes, dots, parentheses and a leading +.
func digitsOnly(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '+' || r == '(' || r == ')' || r == '.':
		default:
			return "", false
		}
	}
	return b.String(), b.Len() > 0
}

// Scores: a whole word is worth more than a word's beginning, which is worth
// more than a part of a word; every query word must match something.
const (
	scoreWord    = 4
	scorePrefix  = 3
	scoreInside  = 1
	scoreExactID = 10
)

func (q query) score(e *indexEntry) int {
	if q.empty {
		return 1
	}
	if q.digits != "" {
		switch {
		case e.phoneNat == q.digits || e.CivilID == q.digits:
			return scoreExactID
		case strings.HasPrefix(e.phoneNat, q.digits) || strings.HasPrefix(e.CivilID, q.digits):
			return scorePrefix
		case len(q.digits) >= 4 && (strings.Contains(e.phoneNat, q.digits) || strings.Contains(e.CivilID, q.digits)):
			return scoreInside
		}
		return 0
	}
	if q.email != "" {
		if e.Email == q.email {
			return scoreExactID
		}
		if e.Email != "" && strings.HasPrefix(e.Email, q.email) {
			return scorePrefix
		}
		return 0
	}
	total := 0
	for _, w := range q.words {
		switch {
		case e.letters&w.letters != w.letters || !strings.Contains(e.words, w.w):
			if !strings.HasPrefix(e.Email, w.w) {
				return 0
			}
			total += scorePrefix
		case strings.Contains(e.words, w.asWord):
			total += scoreWord
		case strings.Contains(e.words, w.asPrefix):
			total += scorePrefix
		default:
			total += scoreInside
		}
	}
	return total
}
