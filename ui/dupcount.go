package ui

import (
	"context"
	"sync"

	"github.com/oman-sca/safeer/data"
)

// dupStore is what the duplicate review and its counts (on the roster's
// button and the dashboard) need from the store.
type dupStore interface {
	DuplicatePairs(ctx context.Context, limit int) ([]data.DuplicatePair, error)
	// RosterVersion changes with every write to people, from any process.
	RosterVersion(ctx context.Context) (int64, error)
	// NotSamePairs and MarkNotSame keep "Not the same person" in the file.
	NotSamePairs(ctx context.Context) (map[data.PairKey]bool, error)
	MarkNotSame(ctx context.Context, a, b string) error
}

var _ dupStore = (*data.Store)(nil)

// dupCache keeps the roster's pairs of look-alikes with the roster version
// they were found at, so the count on the roster's button and the
// dashboard (and the duplicates screen itself) do not scan the whole
// roster (a second and a half at 100,000 people) each time they open: a
// version check is one small query. A scan runs only when the version has
// moved (an edit, an import, a merge, a pulled change, another process's
// write), and callers asking while one runs wait for it instead of
// starting another. Safe for any goroutine; used off Fyne's. The zero
// value is empty.
type dupCache struct {
	mu      sync.Mutex
	have    bool
	version int64
	pairs   []data.DuplicatePair // found at version; shared, never changed
	scan    *dupScan             // the scan running, if any
	// forgotten counts forget's calls: a scan that began before the last
	// one keeps nothing.
	forgotten int
}

type dupScan struct {
	version int64
	done    chan struct{}
	pairs   []data.DuplicatePair
	err     error
}

// get is the roster's pairs as DuplicatePairs gives them: the kept ones
// when the roster has not changed since, else a new scan's. again leaves
// the kept ones aside and scans ("Scan again"), or joins a scan of the
// same version that is running. The slice returned must not be changed.
func (c *dupCache) get(ctx context.Context, store dupStore, again bool) ([]data.DuplicatePair, error) {
	// The version is read before the scan: a write in between makes the
	// scan newer than its label, and the next check scans again (never the
	// other way round).
	v, err := store.RosterVersion(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.have && c.version == v && !again {
		pairs := c.pairs
		c.mu.Unlock()
		return pairs, nil
	}
	s := c.scan
	if s != nil && s.version == v {
		c.mu.Unlock()
		select {
		case <-s.done:
			return s.pairs, s.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	s = &dupScan{version: v, done: make(chan struct{})}
	c.scan = s
	forgotten := c.forgotten
	c.mu.Unlock()

	s.pairs, s.err = store.DuplicatePairs(ctx, 0)
	c.mu.Lock()
	if c.scan == s {
		c.scan = nil
	}
	if s.err == nil && c.forgotten == forgotten && (!c.have || v >= c.version) {
		c.have, c.version, c.pairs = true, v, s.pairs
	}
	c.mu.Unlock()
	close(s.done)
	return s.pairs, s.err
}

// forget drops the pairs kept (names, phones: the app locked) and any scan
// running; the next get scans again.
func (c *dupCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.have, c.version, c.pairs, c.scan = false, 0, nil, nil
	c.forgotten++
}
