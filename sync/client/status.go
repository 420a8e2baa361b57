package client

import (
	"context"
	"slices"
	"time"
)

// Phases of a run, for Progress.
const (
	PhasePing   = "ping"
	PhasePush   = "push"
	PhasePull   = "pull"
	PhaseResync = "resync" // HQ was restored: pulling everything again
)

// Progress is how far the run under way is.
type Progress struct {
	Phase string `json:"phase"`
	Done  int    `json:"done"`
	Total int    `json:"total"` // 0 when not known (a pull does not know how much is left)
}

// Status is what the UI shows about sync at any moment. Snapshots are
// values: safe to keep and read from any goroutine.
type Status struct {
	Enrolled     bool     `json:"enrolled"`
	HQURL        string   `json:"hq_url,omitempty"`
	Governorates []string `json:"governorates,omitempty"`

	// Online is whether HQ answered the last request; Checked is when that
	// was (zero: not tried since start, so not known).
	Online  bool      `json:"online"`
	Checked time.Time `json:"checked"`

	OpsWaiting       int `json:"ops_waiting"`
	ConflictsWaiting int `json:"conflicts_waiting"`
	RejectedOps      int `json:"rejected_ops"`
	// RejectedResent is how many of RejectedOps are other authors' values
	// sent again after HQ's restore (data.RejectedOp.Resent): not this
	// coordinator's edits, and nothing to do about them.
	RejectedResent int `json:"rejected_resent"`

	LastSync time.Time `json:"last_sync"` // last run that finished without error
	LastRun  time.Time `json:"last_run"`
	// Problem is what went wrong in the last run, nil when it went well.
	Problem *Problem `json:"problem,omitempty"`
	// Warnings are things to tell the coordinator even when the run went
	// well (changes refused by HQ, a clock that is off).
	Warnings []Problem `json:"warnings,omitempty"`

	Revoked     bool          `json:"revoked"`
	ClockOffset time.Duration `json:"clock_offset"` // HQ's time minus this computer's, when corrected

	Running  bool     `json:"running"`
	Progress Progress `json:"progress"`
}

// RejectedOwn is how many refused changes are this coordinator's own
// concern: all but other authors' values re-sent after HQ's restore.
func (s Status) RejectedOwn() int { return s.RejectedOps - s.RejectedResent }

// Offline reports whether HQ is known to be unreachable (as opposed to not
// tried yet).
func (s Status) Offline() bool { return !s.Online && !s.Checked.IsZero() }

// Status returns a snapshot of the sync status. It does no I/O; call
// Refresh to re-read counts from the store (after local edits).
func (c *Client) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.snapshot()
}

func (c *Client) snapshot() Status {
	s := c.status
	s.Governorates = slices.Clone(s.Governorates)
	s.Warnings = slices.Clone(s.Warnings)
	if s.Problem != nil {
		p := *s.Problem
		s.Problem = &p
	}
	return s
}

// Refresh re-reads the enrolment, the last run and the counts from the
// store, and tells subscribers.
func (c *Client) Refresh(ctx context.Context) (Status, error) {
	st, err := c.store.SyncState(ctx)
	if err != nil {
		return c.Status(), wrap(local(err))
	}
	counts, err := c.store.SyncCounts(ctx)
	if err != nil {
		return c.Status(), wrap(local(err))
	}
	c.mu.Lock()
	s := &c.status
	s.Enrolled, s.HQURL, s.Governorates = st.Enrolled, st.HQURL, st.Governorates
	s.OpsWaiting, s.ConflictsWaiting, s.RejectedOps = counts.OpsWaiting, counts.ConflictsWaiting, counts.RejectedOps
	s.RejectedResent = counts.RejectedResent
	s.LastSync, s.LastRun = st.LastSyncAt, st.LastRunAt
	s.Revoked = st.Revoked()
	s.ClockOffset = c.store.ClockOffset()
	s.Problem = nil
	if st.ErrorCode != "" {
		p := Words(st.ErrorCode)
		p.Detail = st.Error
		s.Problem = &p
	}
	if st.Revoked() && (s.Problem == nil || s.Problem.Code != ProblemRevoked) {
		p := Words(ProblemRevoked)
		s.Problem = &p
	} else if st.TokenMissing() { // a restored backup: an error it recorded before matters less
		p := Words(ProblemTokenMissing)
		s.Problem = &p
	}
	// On a copy: the run's report shares its warnings with the status, and
	// DeleteFunc clears in place what it drops (the report then held an
	// empty warning when only others' re-sent values were refused).
	s.Warnings = slices.DeleteFunc(slices.Clone(s.Warnings), func(p Problem) bool { return p.Code == ProblemRejected })
	if counts.RejectedOwn() > 0 { // others' values re-sent after HQ's restore: nothing to do
		s.Warnings = append(s.Warnings, Words(ProblemRejected))
	}
	c.mu.Unlock()
	c.notify()
	return c.Status(), nil
}

// Subscribe returns a channel that receives the status whenever it changes
// (the newest only: a slow reader misses intermediate states, never the
// last one), and a function to stop. The UI reads it in a goroutine and
// hands each status to fyne.Do.
func (c *Client) Subscribe() (<-chan Status, func()) {
	ch := make(chan Status, 1)
	c.mu.Lock()
	id := c.nextSub
	c.nextSub++
	c.subs[id] = ch
	ch <- c.snapshot()
	c.mu.Unlock()
	return ch, func() {
		c.mu.Lock()
		if _, ok := c.subs[id]; ok {
			delete(c.subs, id)
			close(ch)
		}
		c.mu.Unlock()
	}
}

// notify sends the current status to every subscriber without blocking.
func (c *Client) notify() {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.snapshot()
	for _, ch := range c.subs {
		select {
		case <-ch: // drop the stale one
		default:
		}
		select {
		case ch <- s:
		default:
		}
	}
}

func (c *Client) setOnline(on bool) {
	c.mu.Lock()
	changed := c.status.Online != on
	c.status.Online = on
	c.status.Checked = time.Now()
	c.mu.Unlock()
	if changed {
		c.notify()
	}
}

func (c *Client) setProgress(p Progress) {
	c.mu.Lock()
	c.status.Progress = p
	c.mu.Unlock()
	c.notify()
}

func (c *Client) update(fn func(s *Status)) {
	c.mu.Lock()
	fn(&c.status)
	c.mu.Unlock()
	c.notify()
}
