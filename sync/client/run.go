package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/sync/protocol"
)

// What started a run, for the history.
const (
	TriggerManual    = "manual"
	TriggerSchedule  = "schedule"
	TriggerReconnect = "reconnect"
	TriggerUnlock    = "unlock" // the coordinator unlocked the store: what waited is sent
	TriggerCommand   = "command"
)

// Report is what one run moved.
type Report struct {
	Trigger  string        `json:"trigger"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration_ns"`
	Pushed   int           `json:"pushed"` // ops sent and answered
	data.PushCounts
	Rejections []protocol.OpResult `json:"rejections,omitempty"`
	Pulled     int                 `json:"pulled"` // rows received
	Pages      int                 `json:"pages"`
	Cursor     string              `json:"cursor"`
	Resynced   bool                `json:"resynced,omitempty"` // HQ answered must_resync; everything was pulled again
	Requeued   int                 `json:"requeued,omitempty"` // ops queued again for what HQ lost in a restore
	Warnings   []Problem           `json:"warnings,omitempty"`
}

func (r *Report) warn(p Problem) {
	for _, w := range r.Warnings {
		if w.Code == p.Code {
			return
		}
	}
	r.Warnings = append(r.Warnings, p)
}

// Sync runs one full sync now: a reachability check, the push of the
// outbox, then the pull of HQ's changes until there are no more. Runs are
// serialised: a call while another run is under way waits for it, then
// runs. The error, if any, is an *Error with the problem in words.
func (c *Client) Sync(ctx context.Context) (Report, error) { return c.run(ctx, TriggerManual, nil) }

// SyncWith is Sync with the trigger recorded in the history.
func (c *Client) SyncWith(ctx context.Context, trigger string) (Report, error) {
	return c.run(ctx, trigger, nil)
}

// run is one run; started, if set, is called once the run has its turn.
func (c *Client) run(ctx context.Context, trigger string, started func()) (rep Report, err error) {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	if started != nil {
		started()
	}
	rep = Report{Trigger: trigger, Started: time.Now()}
	st, err := c.store.SyncState(ctx)
	if err != nil {
		return rep, wrap(local(err))
	}
	if !st.Enrolled {
		return rep, wrap(notEnrolled(st))
	}
	if st.Revoked() {
		c.Refresh(ctx)
		return rep, wrap(ErrRevoked)
	}
	rep.Cursor = st.Cursor
	c.update(func(s *Status) { s.Running, s.Progress = true, Progress{Phase: PhasePing} })
	err = c.runSteps(ctx, st, &rep)
	rep.Duration = time.Since(rep.Started)
	code := Classify(err)
	if code == ProblemRevoked {
		msg := "HQ revoked this device"
		if err != nil {
			msg = err.Error()
		}
		if merr := c.store.MarkRevoked(context.WithoutCancel(ctx), msg); merr != nil {
			c.log.Error("sync: record revocation", "err", merr)
		}
	}
	detail := ""
	if err != nil {
		detail = err.Error()
		c.log.Warn("sync: run failed", "trigger", trigger, "problem", code, "err", err)
	} else {
		c.log.Info("sync: run done", "trigger", trigger, "pushed", rep.Pushed, "pulled", rep.Pulled, "took", rep.Duration.Round(time.Millisecond))
	}
	// The history is written even when the run was cancelled.
	if _, lerr := c.store.RecordSyncRun(context.WithoutCancel(ctx), data.SyncRun{
		StartedAt: rep.Started, Trigger: trigger, Pushed: rep.Pushed, Applied: rep.Applied,
		Duplicate: rep.Duplicate, Conflicts: rep.Conflict, Rejected: rep.Rejected, Pulled: rep.Pulled,
		Resynced: rep.Resynced, ErrorCode: code, Error: detail,
	}); lerr != nil {
		c.log.Error("sync: record run", "err", lerr)
	}
	// Every run, online or not (the scheduler tries every few minutes),
	// saves the newest time seen, so a reboot into a clock gone back
	// still stamps after it.
	if kerr := c.store.KeepTime(context.WithoutCancel(ctx)); kerr != nil {
		c.log.Error("sync: save the clock floor", "err", kerr)
	}
	c.update(func(s *Status) {
		s.Running, s.Progress = false, Progress{}
		s.Warnings = rep.Warnings
	})
	c.Refresh(context.WithoutCancel(ctx))
	if err != nil {
		err = wrap(err)
		p := ProblemOf(err) // with the details the stored code lacks (HTTP status)
		c.update(func(s *Status) { s.Problem = &p })
		return rep, err
	}
	return rep, nil
}

func (c *Client) runSteps(ctx context.Context, st data.SyncState, rep *Report) error {
	if err := c.steps(ctx, st, rep); err != nil {
		return err
	}
	// What HQ refused for good gives way to HQ's copy (the refused ops
	// stay listed): their fields are taken back and everything is pulled
	// again, so this device does not keep values HQ never took.
	var ids []string
	for _, r := range rep.Rejections {
		ids = append(ids, r.ID)
	}
	n, err := c.store.TakeBackRefused(ctx, ids)
	if err != nil || n == 0 {
		return local(err)
	}
	c.log.Warn("sync: changes HQ refused give way to HQ's copy; pulling everything again", "fields", n)
	return c.pull(ctx, st, "", rep)
}

func (c *Client) steps(ctx context.Context, st data.SyncState, rep *Report) error {
	if err := c.ping(ctx, st.HQURL); err != nil {
		return err
	}
	pending, err := c.store.ResyncPending(ctx)
	if err != nil {
		return local(err)
	}
	if pending > 0 {
		// A resync begun in a run that was cut: the rows HQ lost are
		// queued only once the full pull ends (FinishResync), and the
		// queued edits of those rows must not reach HQ before them (HQ
		// would refuse an edit of a row it does not hold). Pull first.
		if err := c.pull(ctx, st, st.Cursor, rep); err != nil {
			if status, code := httpCode(err); status == http.StatusConflict && code == protocol.ErrMustResync {
				return c.resync(ctx, st, rep, false)
			}
			return err
		}
		return c.push(ctx, st, rep)
	}
	err = c.push(ctx, st, rep)
	if status, code := httpCode(err); status == http.StatusConflict && code == protocol.ErrMustResync {
		// HQ has a new epoch. Pull everything first, then push again.
		return c.resync(ctx, st, rep, false)
	}
	if err != nil {
		return err
	}
	err = c.pull(ctx, st, st.Cursor, rep)
	if status, code := httpCode(err); status == http.StatusConflict && code == protocol.ErrMustResync {
		return c.resync(ctx, st, rep, true)
	}
	if err == nil && rep.Requeued > 0 {
		// This pull finished a resync begun in a run that was cut.
		err = c.push(ctx, st, rep)
	}
	return err
}

// resync handles must_resync: HQ was restored or reset. The outbox is
// never discarded: the pull starts over from an empty cursor, then the
// rows HQ lost go back to it (parents first), then the outbox. pushFirst
// says this run pushed before HQ said so: what HQ refused then is queued
// again, after the rows it lost.
func (c *Client) resync(ctx context.Context, st data.SyncState, rep *Report, pushFirst bool) error {
	c.log.Warn("sync: HQ asks for a full resync (restored or reset); the outbox is kept")
	rep.Resynced = true
	rep.warn(Words(ProblemResync))
	if err := c.store.StartResync(ctx); err != nil {
		return local(err)
	}
	if pushFirst {
		// The push before HQ said so went to the restored HQ: what it
		// refused may edit rows it lost, which the resync sends back
		// first. Those ops go again after them.
		var ids []string
		for _, r := range rep.Rejections {
			ids = append(ids, r.ID)
		}
		n, err := c.store.RequeueRefused(ctx, ids)
		if err != nil {
			return local(err)
		}
		rep.PushCounts.Rejected -= n
		rep.Rejections = nil
	}
	if err := c.pull(ctx, st, "", rep); err != nil {
		return err
	}
	// pull finished the resync: what HQ lost is queued again; send it.
	return c.push(ctx, st, rep)
}

// push sends the outbox, oldest first, in batches of at most
// protocol.MaxBatchOps ops and protocol.MaxBatchBytes of JSON, up to the newest op
// at the start (edits made meanwhile wait for the next run). A batch that
// timed out is sent again halved, and later batches of the run stay that
// small. An op HQ did not answer for stays queued for the next run.
func (c *Client) push(ctx context.Context, st data.SyncState, rep *Report) error {
	// The ping before the push measured the clock offset: edits stamped
	// ahead of HQ's time (a clock that jumped forward while offline) move
	// back to it, or HQ would refuse them.
	if n, err := c.store.RestampAhead(ctx); err != nil {
		return local(err)
	} else if n > 0 {
		c.log.Warn("sync: this computer's clock ran ahead of HQ's; unsent changes re-stamped", "ops", n)
		rep.warn(Words(ProblemClockAhead))
	}
	maxSeq, err := c.store.OutboxMaxSeq(ctx)
	if err != nil {
		return local(err)
	}
	// The cursor now (a resync empties it): HQ refuses ops whose base
	// revisions are of an epoch it no longer has (must_resync).
	now, err := c.store.SyncState(ctx)
	if err != nil {
		return local(err)
	}
	total, err := c.store.OutboxLen(ctx)
	if err != nil {
		return local(err)
	}
	done := 0
	c.setProgress(Progress{Phase: PhasePush, Total: total})
	var after int64
	limit := protocol.MaxBatchOps
	for {
		queued, err := c.store.Outbox(ctx, after, limit)
		if err != nil {
			return local(err)
		}
		batch := batchOf(queued, maxSeq, limit)
		if len(batch) == 0 {
			return nil
		}
		var resp protocol.PushResponse
		var sent []data.OutboxOp
		err = c.retry(ctx, "push", func(ctx context.Context, n int) error {
			sent = batch[:min(len(batch), limit)]
			ops := make([]protocol.Op, len(sent))
			for i, o := range sent {
				ops[i] = o.Op
			}
			body, err := json.Marshal(protocol.PushRequest{Clock: c.store.Clock().String(), Ops: ops, Cursor: now.Cursor})
			if err != nil {
				return local(err)
			}
			resp = protocol.PushResponse{}
			err = c.do(ctx, request{op: "push", method: http.MethodPost, base: st.HQURL, path: protocol.PathPush,
				body: body, gzip: true, token: st.Token, timeout: c.timeouts.Push}, &resp)
			if isTimeout(err) && len(sent) > 1 {
				limit = max(1, len(sent)/2)
				c.log.Info("sync: push timed out; halving the batch", "ops", limit)
			}
			return err
		})
		if status, _ := httpCode(err); status == http.StatusRequestEntityTooLarge {
			if len(sent) > 1 {
				limit = max(1, len(sent)/2)
				continue
			}
			// One op bigger than HQ takes: it can never go; keep it aside,
			// visible, so the rest of the queue moves.
			if err := c.store.RejectLocally(ctx, sent[0], "too_large", "this change is larger than HQ accepts"); err != nil {
				return local(err)
			}
			rep.Rejected++
			rep.Rejections = append(rep.Rejections, protocol.OpResult{ID: sent[0].Op.ID, Status: protocol.Rejected, Code: "too_large"})
			continue
		}
		if err != nil {
			return err // a failed batch: nothing acknowledged, the clock untouched
		}
		results, err := matchResults(sent, resp.Results)
		if err != nil {
			return &ProtocolError{Op: "push", Err: err}
		}
		counts, err := c.store.AckPush(ctx, results)
		if err != nil {
			return local(err)
		}
		rep.PushCounts.Add(counts)
		rep.Pushed += len(results)
		for _, r := range results {
			if r.Status == protocol.Rejected {
				rep.Rejections = append(rep.Rejections, r.OpResult)
				if r.Code == protocol.CodeClockSkew {
					rep.warn(Words(ProblemClockSkew))
				}
			}
		}
		if counts.Rejected > 0 {
			rep.warn(Words(ProblemRejected))
		}
		// Only an answered batch lets HQ's clock in.
		if err := c.store.ObserveClock(ctx, resp.Clock); err != nil {
			if errors.Is(err, protocol.ErrClockSkew) {
				rep.warn(Words(ProblemClockSkew))
			} else {
				c.log.Warn("sync: HQ's clock in push reply", "err", err)
			}
		}
		after = sent[len(sent)-1].Seq
		done += len(sent)
		c.setProgress(Progress{Phase: PhasePush, Done: done, Total: max(total, done)})
	}
}

// batchOf takes ops up to maxSeq, at most limit of them and at most
// protocol.MaxBatchBytes of JSON (but always at least one).
func batchOf(queued []data.OutboxOp, maxSeq int64, limit int) []data.OutboxOp {
	const envelope = 64 // {"clock":"…","ops":[…]}
	size := envelope
	var out []data.OutboxOp
	for _, o := range queued {
		if o.Seq > maxSeq || len(out) >= limit {
			break
		}
		b, _ := json.Marshal(o.Op)
		if len(out) > 0 && size+len(b)+1 > protocol.MaxBatchBytes {
			break
		}
		size += len(b) + 1
		out = append(out, o)
	}
	return out
}

// matchResults pairs HQ's results with the ops sent, by position: the
// reply names ops by their place in the batch, not by id. Each result gets
// its op's id and its place in the outbox (the seq the acknowledgement
// uses). Ops without a result (a reply cut short) stay queued.
func matchResults(sent []data.OutboxOp, results []protocol.OpResult) ([]data.PushAck, error) {
	switch {
	case len(results) > len(sent):
		return nil, fmt.Errorf("%d results for the %d ops sent", len(results), len(sent))
	case len(results) == 0 && len(sent) > 0:
		return nil, fmt.Errorf("no result for any of the %d ops sent", len(sent))
	}
	acks := make([]data.PushAck, len(results))
	for i, r := range results {
		r.ID = sent[i].Op.ID
		acks[i] = sent[i].Ack(r)
	}
	return acks, nil
}

// pull fetches pages after cursor until HQ has no more, applying each page
// with its cursor in one transaction.
func (c *Client) pull(ctx context.Context, st data.SyncState, cursor string, rep *Report) error {
	phase := PhasePull
	if cursor == "" && rep.Resynced {
		phase = PhaseResync
	}
	c.setProgress(Progress{Phase: phase})
	for {
		var page protocol.PullResponse
		q := url.Values{"cursor": {cursor}, "limit": {strconv.Itoa(c.pullLimit)}}
		err := c.retry(ctx, "pull", func(ctx context.Context, n int) error {
			page = protocol.PullResponse{}
			return c.do(ctx, request{op: "pull", method: http.MethodGet, base: st.HQURL, path: protocol.PathPull,
				query: q, token: st.Token, timeout: c.timeouts.Pull}, &page)
		})
		if err != nil {
			return err
		}
		err = c.store.ApplyChanges(ctx, page.Changes, page.NextCursor, page.Clock)
		switch {
		case errors.Is(err, protocol.ErrClockSkew):
			// The page is applied; the clock did not jump.
			rep.warn(Words(ProblemClockSkew))
		case err != nil:
			return local(err)
		}
		rep.Pages++
		rep.Pulled += len(page.Changes)
		if page.NextCursor != "" {
			rep.Cursor = page.NextCursor
		}
		c.setProgress(Progress{Phase: phase, Done: rep.Pulled})
		if !page.HasMore {
			// The whole of HQ's copy has been seen: if a resync is under
			// way (maybe begun in an earlier, cut run), queue what HQ lost.
			n, err := c.store.FinishResync(ctx)
			if err != nil {
				return local(err)
			}
			rep.Requeued += n
			return nil
		}
		if page.NextCursor == "" || (page.NextCursor == cursor && len(page.Changes) == 0) {
			return &ProtocolError{Op: "pull", Err: fmt.Errorf("HQ says there is more after %q but the cursor does not move", cursor)}
		}
		cursor = page.NextCursor
	}
}
