package hq

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

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
	// A cursor ahead of the sequence comes from a copy of this database
	// that went further than the one now running (a restore that kept the
	// epoch): that device must start over too.
	if (c.Epoch != "" && c.Epoch != meta.Epoch) || c.Seq > meta.Seq {
		return protocol.PullResponse{}, errMustResync
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
