package data

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/arabic"
	"github.com/oman-sca/safeer/roster/index"
	sqlite "modernc.org/sqlite"
)

// The roster is searched in memory (package roster/index): type-ahead must
// answer within a keystroke at 100,000 people, and a scan of folded strings
// does that with room to spare (see BenchmarkSearchTypeAhead), where SQL
// LIKE '%…%' cannot use an index. This file fills that index from the file
// and keeps it fresh. The index is rebuilt lazily when another process changed
// the roster (the person_gen counter in meta), and patched in place after
// this process's own writes. Building it takes a second or two at 100,000
// people; the roster by name (the empty query) does not wait for it, but
// is read from SQL in the same order meanwhile (SearchPage).

// PersonSummary is what a list of people shows.
type PersonSummary = index.PersonSummary

// personIndex is the roster's index (index.Index) with what keeps it
// fresh: the generation of the file it reflects, its lock, the log of this
// process's writes during a load, a background build and its scan pool.
type personIndex struct {
	mu      sync.RWMutex // guards idx and gen
	gen     int64        // person_gen this index reflects; -1 when stale
	idx     *index.Index // nil until the first load (gen is -1 until then)
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
			if err == nil {
				err = t.s.openPerson(&f)
			}
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
		ix.idx.Put(p)
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
	built := index.Build(entries)

	ix.mu.Lock()
	defer ix.mu.Unlock()
	if s.Locked() {
		// Lock ran while this load opened the values: the index would
		// hold them in clear behind the lock. Lock's forget waits for this
		// lock, so an index installed just before it is dropped too.
		ix.logging, ix.log = false, nil
		return errLocked()
	}
	ix.idx = built
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
			ix.idx.Put(p)
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
func (s *Store) loadEntries(ctx context.Context) (int64, []*index.Entry, error) {
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
	made := make(chan []*index.Entry, runtime.GOMAXPROCS(0))
	workers := cap(made)
	var openErr error
	var openOnce sync.Once
	for range workers {
		go func() {
			var out []*index.Entry
			for b := range batches {
				for _, p := range b {
					// On a protected database the values are opened here,
					// on every core: the index holds them in clear, in
					// memory only, until Lock.
					if err := s.openSummary(&p); err != nil {
						openOnce.Do(func() { openErr = err })
						continue
					}
					out = append(out, index.NewEntry(p))
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
	var out []*index.Entry
	for range workers {
		if part := <-made; out == nil {
			out = part
		} else {
			out = append(out, part...)
		}
	}
	if err := cmp.Or(scanErr, rows.Err(), openErr); err != nil {
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
type SearchOptions = index.Options

// SearchResult is a person found, with how well they matched.
type SearchResult = index.Result

// SearchPage is one page of a search's answer and how many people match
// in all, so a list can scroll over everyone while holding one page.
type SearchPage = index.Page

// TopCandidates is whom a search's answer could mean when someone takes
// "the top match" (Enter at check-in): see index.TopCandidates.
func TopCandidates(results []SearchResult) []SearchResult { return index.TopCandidates(results) }

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
	q := index.ParseQuery(raw)
	if !q.Empty() {
		ix, err := s.freshIndex(ctx)
		if err != nil {
			return SearchPage{}, err
		}
		defer ix.mu.RUnlock()
		return ix.idx.Search(q, opt), nil
	}
	gen, err := s.personGen(ctx)
	if err != nil {
		return SearchPage{}, err
	}
	ix := s.index
	ix.mu.RLock()
	if ix.gen >= gen {
		defer ix.mu.RUnlock()
		return ix.idx.Search(q, opt), nil
	}
	ix.mu.RUnlock()
	pg, err := s.listSQL(ctx, opt, total)
	// Then build the index, not before: on two cores the build would slow
	// this page down several times over.
	s.loadIndexInBackground()
	return pg, err
}

// sortKeySQL is index.SortKey in SQL (safeer_sort_key, registered with
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
		return index.SortKey("", arabic.Fold(en)), nil
	})
}

// listSQL is the empty query's page read from the file: everyone (filtered)
// by name. At 100,000 people it takes a scan of the table and one call of
// safeer_sort_key a person (tens of milliseconds), where building the
// index takes a second.
func (s *Store) listSQL(ctx context.Context, opt SearchOptions, total bool) (SearchPage, error) {
	where, args := livePerson, []any{}
	for _, f := range []struct{ col, v string }{{safeer.FieldGovernorate, opt.Governorate}, {safeer.FieldWilayat, opt.Wilayat}, {safeer.FieldStatus, opt.Status}} {
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
		if err := s.openSummary(&pg.Results[len(pg.Results)-1].PersonSummary); err != nil {
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
			s.log.Warn("search index not built", "err", err)
		}
	}()
}

// close stops a background build, waits for it, and closes the scan pool.
// forget drops the index (Lock): it holds personal data in clear. The
// next search rebuilds it, after Unlock.
func (ix *personIndex) forget() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.idx, ix.gen = nil, -1
}

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
