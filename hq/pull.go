package hq

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oman-sca/safeer/sync/protocol"
)

// DefaultPullLimit is the page size when a pull names none.
const DefaultPullLimit = 500

// maxCursorLen bounds the cursor text (an epoch of 16 hex digits, a dot and
// a number).
const maxCursorLen = 64

// Cursor is a position in HQ's change sequence: the epoch of the database
// that handed it out and the last sequence number the device has.
type Cursor struct {
	Epoch string // "" for "from the start"
	Seq   int64
}

func (c Cursor) String() string { return c.Epoch + "." + strconv.FormatInt(c.Seq, 10) }

// ParseCursor reads "EPOCH.SEQ". The empty string is the start.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	if len(s) > maxCursorLen {
		return Cursor{}, errors.New("the cursor is too long")
	}
	epoch, seq, ok := strings.Cut(s, ".")
	if !ok || epoch == "" || strings.ContainsAny(epoch, ".") {
		return Cursor{}, fmt.Errorf("cursor %q is not EPOCH.SEQ", s)
	}
	n, err := strconv.ParseInt(seq, 10, 64)
	if err != nil || n < 0 || seq != strconv.FormatInt(n, 10) {
		return Cursor{}, fmt.Errorf("cursor %q: the sequence number is not a whole number", s)
	}
	return Cursor{Epoch: epoch, Seq: n}, nil
}

// ParsePull reads a pull's query string: its cursor and page size, which
// defaults to DefaultPullLimit and is capped at protocol.MaxPullLimit.
func ParsePull(rawQuery string) (Cursor, int, error) {
	if len(rawQuery) > 512 {
		return Cursor{}, 0, errors.New("the query is too long")
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return Cursor{}, 0, fmt.Errorf("bad query: %w", err)
	}
	c, err := ParseCursor(q.Get("cursor"))
	if err != nil {
		return Cursor{}, 0, err
	}
	limit := DefaultPullLimit
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return Cursor{}, 0, fmt.Errorf("limit %q is not a positive number", l)
		}
		limit = min(n, protocol.MaxPullLimit)
	}
	return c, limit, nil
}

// errMustResync is a cursor from another epoch (409 must_resync).
var errMustResync = errors.New("HQ's database was restored or reset: push your changes, then pull everything again")

// pull answers one page of changes after the cursor in the device's scope.
func (s *Server) pull(ctx context.Context, dev Device, c Cursor, limit int) (protocol.PullResponse, error) {
	meta, err := s.store.Meta(ctx)
	if err != nil {
		return protocol.PullResponse{}, err
	}
	return s.pullAt(ctx, dev, meta, c, limit)
}

// checkCursor refuses a cursor of another database, or from a copy of
// this one that went further than the one now running (a restore that
// kept the epoch): that device must start over.
func checkCursor(meta Meta, c Cursor) error {
	if (c.Epoch != "" && c.Epoch != meta.Epoch) || c.Seq > meta.Seq {
		return errMustResync
	}
	return nil
}

// pullAt is pull with the database's identity already read (meta): every
// row committed up to meta.Seq is in the page it builds, when it fits.
func (s *Server) pullAt(ctx context.Context, dev Device, meta Meta, c Cursor, limit int) (protocol.PullResponse, error) {
	if err := checkCursor(meta, c); err != nil {
		return protocol.PullResponse{}, err
	}
	rows, committed, err := s.store.Changes(ctx, c.Seq, dev.Governorates, limit+1)
	if err != nil {
		return protocol.PullResponse{}, err
	}
	resp := protocol.PullResponse{Changes: make([]protocol.Change, 0, min(len(rows), limit))}
	if len(rows) > limit {
		rows, resp.HasMore = rows[:limit], true
	}
	next := c.Seq
	// The clock this reply hands the device must be past every stamp it
	// carries, including those another HQ process on the same database
	// made (its clock is not this one).
	newest := meta.Clock
	for _, r := range rows {
		next = r.Seq
		if r.Table == ExitTable {
			ch, ok, err := s.exitChange(ctx, dev, r)
			if err != nil {
				return protocol.PullResponse{}, err
			}
			if ok {
				resp.Changes = append(resp.Changes, ch)
			}
			continue
		}
		d, err := decodeData(r.Data)
		if err != nil {
			return protocol.PullResponse{}, fmt.Errorf("%s %s: %w", r.Table, r.ID, err)
		}
		resp.Changes = append(resp.Changes, protocol.Change{Seq: r.Seq, Table: r.Table, RowID: r.ID, Fields: d.fields()})
		for _, f := range d {
			newest = max(newest, f.H) // text order is clock order
		}
	}
	if !resp.HasMore {
		// Everything committed up to the counter was visible to the read,
		// so the cursor may jump past the out-of-scope rows after it.
		next = max(next, committed)
	}
	resp.NextCursor = Cursor{Epoch: meta.Epoch, Seq: next}.String()
	if h, err := protocol.ParseHLC(newest); err == nil {
		s.clock.Observe(h)
	}
	resp.Clock = s.clock.Now().String()
	return resp, nil
}

// Pull pages are cached, encoded and gzipped as they are sent. In a storm
// (a thousand devices syncing at once, or every device starting over after
// HQ's restore) the devices of one governorate ask for the same pages from
// the same cursors; building each page once instead of once per device is
// what keeps the pulls from taking the cores from the pushes.
//
// A cached page is served only while it is one HQ could send now:
//
//   - A page with more after it (has_more) holds the first rows after its
//     cursor as they were when it was built. Later writes give the rows
//     they change new sequence numbers, after every row of the page (and
//     after its next cursor): a device served the page as it was gets the
//     later versions on the pages that follow, exactly as if it had pulled
//     the page when it was built. Such a page is served for at most
//     maxPageAge, so that a row written since is seldom sent twice.
//   - The last page (no has_more) moves the cursor up to the newest
//     sequence number: it is served only while HQ's sequence number is the
//     one read before its rows were, that is while nothing was written
//     since (or to a request that read an older sequence number: the page
//     is newer than what it would have built).
//
// The sequence number is read from the database, so writes by another HQ
// process on the same database invalidate the pages too; a page is cached
// under its epoch, so a database reset or restored with a new epoch never
// gets an old page. The page's clock is the one HQ had when it built it:
// past every stamp the page carries, which is what a device needs of it.
//
// Requests for a page that is being built wait for it rather than build it
// again.

const (
	// pageCacheBytes bounds the cached pages' bodies (a page of 500
	// people is some 40 KiB gzipped); the least recently used go first.
	pageCacheBytes = 32 << 20
	// maxPageAge is how long a page with more after it is served.
	maxPageAge = 2 * time.Minute
)

// pageKey is what a page depends on: the database (epoch), the cursor, the
// governorates asking (sorted), the page size, and the encoding.
type pageKey struct {
	epoch  string
	after  int64
	scopes string
	limit  int
	gzip   bool
}

type pageEntry struct {
	key  pageKey
	seq  int64 // HQ's sequence number, read before the page's rows
	full bool  // has_more
	made time.Time
	body encoded
	elem *list.Element
}

// pageCache holds the pages; it is safe for concurrent use.
type pageCache struct {
	mu       sync.Mutex
	max      int
	bytes    int
	entries  map[pageKey]*pageEntry
	lru      *list.List // of *pageEntry, the most recently used first
	building map[pageKey]chan struct{}
	hits     int64
	builds   int64
}

func newPageCache(maxBytes int) *pageCache {
	return &pageCache{max: maxBytes, entries: map[pageKey]*pageEntry{}, lru: list.New(), building: map[pageKey]chan struct{}{}}
}

func scopeKey(govs []string) string {
	s := slices.Clone(govs)
	slices.Sort(s)
	return strings.Join(s, ",")
}

// lookup returns the page under key if it may be sent now, HQ's identity
// being meta as the request read it (see above). A page built from a newer
// state than the request saw (by a request that read HQ's sequence number
// after it) is as good for it as one it would build itself.
func (p *pageCache) lookup(key pageKey, meta Meta, now time.Time) (encoded, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.entries[key]
	if !ok {
		return encoded{}, false
	}
	if e.seq >= meta.Seq || (e.full && now.Sub(e.made) < maxPageAge && now.Sub(e.made) >= 0) {
		p.lru.MoveToFront(e.elem)
		p.hits++
		return e.body, true
	}
	p.drop(e)
	return encoded{}, false
}

// claim makes the caller the builder of the page under key (mine), or
// returns what to wait on while another request builds it.
func (p *pageCache) claim(key pageKey) (wait <-chan struct{}, mine bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ch, ok := p.building[key]; ok {
		return ch, false
	}
	p.building[key] = make(chan struct{})
	return nil, true
}

// release ends the caller's claim on key (built or not) and wakes those
// waiting for it.
func (p *pageCache) release(key pageKey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ch, ok := p.building[key]; ok {
		close(ch)
		delete(p.building, key)
	}
}

// put caches a page built from HQ's state at sequence number seq.
func (p *pageCache) put(key pageKey, seq int64, full bool, body encoded, now time.Time) {
	size := len(body.body) + 256
	if size > p.max/8 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.builds++
	if old, ok := p.entries[key]; ok {
		p.drop(old)
	}
	e := &pageEntry{key: key, seq: seq, full: full, made: now, body: body}
	e.elem = p.lru.PushFront(e)
	p.entries[key] = e
	p.bytes += size
	for p.bytes > p.max {
		p.drop(p.lru.Back().Value.(*pageEntry))
	}
}

func (p *pageCache) drop(e *pageEntry) {
	p.lru.Remove(e.elem)
	delete(p.entries, e.key)
	p.bytes -= len(e.body.body) + 256
}

func (p *pageCache) clear() {
	p.entries = map[pageKey]*pageEntry{}
	p.lru.Init()
	p.bytes = 0
}

// PullCacheStats reports how many pull pages were sent from the cache and
// how many were built (benchmarks report them).
func (s *Server) PullCacheStats() (hits, builds int64) {
	s.pages.mu.Lock()
	defer s.pages.mu.Unlock()
	return s.pages.hits, s.pages.builds
}

// pullPage is the page after cursor c for dev, encoded for r: from the
// cache when it may be (see pageCache), else built (and cached), after the
// pushes queued before it. Pages are built a few at a time (s.pulls).
func (s *Server) pullPage(r *http.Request, dev Device, c Cursor, limit int) (encoded, error) {
	ctx := r.Context()
	// A push carries work that is safe only once HQ has it, a pull brings
	// news: the pushes that came before this page are applied first, and
	// the page has them.
	s.pushes.waitAhead(ctx, maxPullDefer)
	meta, err := s.store.Meta(ctx)
	if err != nil {
		return encoded{}, err
	}
	if err := checkCursor(meta, c); err != nil {
		return encoded{}, err
	}
	key := pageKey{epoch: meta.Epoch, after: c.Seq, scopes: scopeKey(dev.Governorates), limit: limit, gzip: acceptsGzip(r)}
	for {
		if body, ok := s.pages.lookup(key, meta, s.now()); ok {
			return body, nil
		}
		wait, mine := s.pages.claim(key)
		if mine {
			break
		}
		select {
		case <-wait:
		case <-ctx.Done():
			return encoded{}, ctx.Err()
		}
	}
	defer s.pages.release(key)
	// A page costs CPU (rows decoded, encoded, gzipped): many at once
	// would share the cores with the writer and slow every push down with
	// them, so pages are built a few at a time, first come first served.
	if err := s.pulls.acquire(ctx); err != nil {
		return encoded{}, err
	}
	defer s.pulls.release()
	if meta, err = s.store.Meta(ctx); err != nil {
		return encoded{}, err
	}
	resp, err := s.pullAt(ctx, dev, meta, c, limit)
	if err != nil {
		return encoded{}, err
	}
	body := encodeJSON(r, http.StatusOK, resp)
	if meta.Epoch == key.epoch && body.status == http.StatusOK {
		s.pages.put(key, meta.Seq, resp.HasMore, body, s.now())
	}
	return body, nil
}
