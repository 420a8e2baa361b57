package client

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/sync/protocol"
	"github.com/oman-sca/safeer/sync/syncfile"
)

// Sync by file (issue 15): with no network, the device writes what a push
// would send (the outbox not yet acknowledged, in the wire form) and where
// its next pull starts into a sealed request (package sync/syncfile),
// signed with its key and encrypted to HQ's, learnt at enrolment. HQ's
// sealed reply is applied as a network run applies a push's answers and
// the pages of a pull: the acknowledgements in one transaction, then each
// page with its cursor in one. A reply that comes after a newer sync (by
// network or by file) changes nothing it should not: an answer for an op
// no longer in the outbox is ignored (AckPush finds nothing at its seq),
// and a page whose cursor is not ahead of the device's is skipped, so the
// cursor only moves forward.

// TriggerFile is the history's trigger of a reply loaded from a file.
const TriggerFile = "file"

// fileLog is what the device's store remembers of replies it loaded
// (*data.Store has it), to tell a reply loaded twice from a stale one.
type fileLog interface {
	SyncReplySeen(ctx context.Context, id string) (bool, error)
	RecordSyncReply(ctx context.Context, id string) error
}

// ExportReport is what a request file holds.
type ExportReport struct {
	Path   string `json:"path"`
	FileID string `json:"file_id"`
	Ops    int    `json:"ops"`
	Bytes  int    `json:"bytes"`
	Cursor string `json:"cursor"`
}

// Message says it in words.
func (r ExportReport) Message() message.Message {
	return message.New("syncfile.exported", message.Int("ops", r.Ops), message.Latin("file", r.Path))
}

// fileReady checks the device may sync by file: enrolled, not revoked,
// with HQ's key; and reads its own key.
func (c *Client) fileReady(ctx context.Context) (data.SyncState, ed25519.PrivateKey, error) {
	st, err := c.store.SyncState(ctx)
	if err != nil {
		return st, nil, wrap(local(err))
	}
	switch {
	case !st.Enrolled && !st.TokenMissing():
		return st, nil, message.NewError("syncfile.not_enrolled")
	case st.Revoked():
		return st, nil, message.NewError("syncfile.device_revoked")
	case len(st.HQPublicKey) != ed25519.PublicKeySize:
		return st, nil, message.NewError("syncfile.no_hq_key")
	}
	// Through the store: on a protected database the key file is sealed.
	key, err := c.store.SigningKey()
	if err != nil {
		return st, nil, wrap(local(err))
	}
	return st, key, nil
}

// hqDeviceID is the id HQ knows this device by.
func hqDeviceID(st data.SyncState, s Store) string {
	if st.HQDeviceID != "" {
		return st.HQDeviceID
	}
	return s.DeviceID()
}

// ExportRequest writes the device's request to w: every op of the outbox,
// oldest first, and its pull cursor.
func (c *Client) ExportRequest(ctx context.Context, w io.Writer) (ExportReport, error) {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	st, key, err := c.fileReady(ctx)
	if err != nil {
		return ExportReport{}, err
	}
	// As before a push: edits stamped ahead of HQ's time (by the clock
	// offset last measured) move back to it, or HQ would refuse them.
	if n, err := c.store.RestampAhead(ctx); err != nil {
		return ExportReport{}, wrap(local(err))
	} else if n > 0 {
		c.log.Warn("sync: this computer's clock ran ahead of HQ's; unsent changes re-stamped", "ops", n)
	}
	var ops []protocol.Op
	var after int64
	for {
		batch, err := c.store.Outbox(ctx, after, 5000)
		if err != nil {
			return ExportReport{}, wrap(local(err))
		}
		if len(batch) == 0 {
			break
		}
		for _, o := range batch {
			ops = append(ops, o.Op)
		}
		after = batch[len(batch)-1].Seq
	}
	id, err := uuid.NewV7()
	if err != nil {
		return ExportReport{}, err
	}
	req := &syncfile.Request{FileID: id.String(), DeviceID: hqDeviceID(st, c.store), Created: c.store.WallClock().UTC(),
		Clock: c.store.Clock().String(), Cursor: st.Cursor, Ops: ops}
	cw := &countingWriter{w: w}
	if err := syncfile.SealRequest(cw, req, key, ed25519.PublicKey(st.HQPublicKey)); err != nil {
		return ExportReport{}, err
	}
	c.log.Info("sync: request file written", "ops", len(ops), "bytes", cw.n)
	return ExportReport{FileID: req.FileID, Ops: len(ops), Bytes: cw.n, Cursor: st.Cursor}, nil
}

// Export writes the request into the file path, whole or not at all (a
// stick pulled out while writing leaves no half file under that name).
func (c *Client) Export(ctx context.Context, path string) (ExportReport, error) {
	var b bytes.Buffer
	rep, err := c.ExportRequest(ctx, &b)
	if err != nil {
		return rep, err
	}
	if err := syncfile.WriteFile(path, b.Bytes()); err != nil {
		return rep, message.Wrap(err, "syncfile.write_failed", message.Latin("file", path))
	}
	rep.Path = path
	return rep, nil
}

// ExportTo writes the request into the folder dir under a new name
// (syncfile.RequestName) and returns its report.
func (c *Client) ExportTo(ctx context.Context, dir string) (ExportReport, error) {
	return c.Export(ctx, filepath.Join(dir, syncfile.RequestName(c.store.DeviceID(), c.store.WallClock())))
}

type countingWriter struct {
	w io.Writer
	n int
}

func (cw *countingWriter) Write(p []byte) (int, error) {
	n, err := cw.w.Write(p)
	cw.n += n
	return n, err
}

// FileReport is what loading a reply did.
type FileReport struct {
	ReplyID string `json:"reply_id"`
	Acked   int    `json:"acked"` // ops HQ answered that were still in the outbox
	data.PushCounts
	Ignored  int    `json:"ignored"` // answers for ops acknowledged before (by a newer sync)
	Pulled   int    `json:"pulled"`
	Pages    int    `json:"pages"`
	Skipped  int    `json:"skipped"` // pages the device had already (its cursor was past them)
	Cursor   string `json:"cursor"`
	Resynced bool   `json:"resynced,omitempty"`
	Requeued int    `json:"requeued,omitempty"`
	// TakenBack counts the fields of refused ops that gave way to HQ's
	// copy; Full says HQ's copy was not in the reply, so the next sync
	// (by network or file) pulls everything again to bring it.
	TakenBack int  `json:"taken_back,omitempty"`
	Full      bool `json:"full,omitempty"`
	Again     bool `json:"again,omitempty"` // this reply was loaded before: nothing changed
	Stale     bool `json:"stale,omitempty"` // older than a newer sync: nothing changed
}

// Changed reports whether the reply changed anything.
func (r FileReport) Changed() bool { return r.Acked > 0 || r.Pulled > 0 || r.Pages > 0 || r.Resynced }

// Message says what loading the reply did.
func (r FileReport) Message() message.Message {
	switch {
	case r.Again:
		return message.New("syncfile.reply_again")
	case r.Stale:
		return message.New("syncfile.reply_stale")
	}
	return message.New("syncfile.reply_loaded", message.Int("acked", r.Acked-r.Rejected),
		message.Int("rejected", r.Rejected), message.Int("changes", r.Pulled))
}

// Import loads HQ's reply from the file path (see ImportReply).
func (c *Client) Import(ctx context.Context, path string) (FileReport, error) {
	f, err := os.Open(path)
	if err != nil {
		return FileReport{}, message.Wrap(err, "syncfile.read_failed")
	}
	defer f.Close()
	return c.ImportReply(ctx, f)
}

// ImportReply opens HQ's reply with the device's key and applies it: the
// op results acknowledge the ops still in the outbox (one transaction),
// then each page ahead of the device's cursor is applied with its cursor
// (one transaction each), as a network run does. The run is in the sync
// history (trigger "file") and the status. A refused file is an error
// that carries its message (*syncfile.Error, *message.Error) and changes
// nothing; a reply loaded before, or older than a newer sync, changes
// nothing and says so (FileReport.Again, Stale).
func (c *Client) ImportReply(ctx context.Context, r io.Reader) (rep FileReport, err error) {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	st, key, err := c.fileReady(ctx)
	if err != nil {
		return rep, err
	}
	hqPub := ed25519.PublicKey(st.HQPublicKey)
	reply, err := syncfile.OpenReply(r, key, func(author string) (ed25519.PublicKey, bool, error) {
		if author == syncfile.HQAuthor {
			return hqPub, false, nil
		}
		return nil, false, nil
	})
	if err != nil {
		return rep, err
	}
	if reply.DeviceID != hqDeviceID(st, c.store) {
		return rep, &syncfile.Error{Msg: message.New("syncfile.wrong_recipient"),
			Err: fmt.Errorf("a reply for device %s", reply.DeviceID)}
	}
	rep.ReplyID = reply.FileID
	log, _ := c.store.(fileLog)
	if log != nil {
		seen, err := log.SyncReplySeen(ctx, reply.FileID)
		if err != nil {
			return rep, wrap(local(err))
		}
		if seen {
			rep.Again = true
			return rep, nil
		}
	}

	started := time.Now()
	c.update(func(s *Status) {
		s.Running, s.Progress = true, Progress{Phase: PhasePush, Total: len(reply.Push.Results)}
	})
	err = c.applyReply(ctx, st, reply, &rep)
	if err == nil && log != nil && rep.Changed() {
		err = local(log.RecordSyncReply(ctx, reply.FileID))
	}
	if err == nil && !rep.Changed() {
		rep.Stale = true
	}
	code, detail := Classify(err), ""
	if err != nil {
		detail = err.Error()
	}
	if rep.Changed() || err != nil {
		if _, lerr := c.store.RecordSyncRun(context.WithoutCancel(ctx), data.SyncRun{
			StartedAt: started, Trigger: TriggerFile, Pushed: rep.Acked, Applied: rep.Applied,
			Duplicate: rep.Duplicate, Conflicts: rep.Conflict, Rejected: rep.PushCounts.Rejected, Pulled: rep.Pulled,
			Resynced: rep.Resynced, ErrorCode: code, Error: detail,
		}); lerr != nil {
			c.log.Error("sync: record file run", "err", lerr)
		}
	}
	c.update(func(s *Status) { s.Running, s.Progress = false, Progress{} })
	c.Refresh(context.WithoutCancel(ctx))
	if err != nil {
		return rep, wrap(err)
	}
	c.log.Info("sync: reply file loaded", "acked", rep.Acked, "ignored", rep.Ignored, "pulled", rep.Pulled,
		"pages", rep.Pages, "skipped", rep.Skipped, "stale", rep.Stale)
	return rep, nil
}

// applyReply acknowledges the ops and applies the pages.
func (c *Client) applyReply(ctx context.Context, st data.SyncState, reply *syncfile.Reply, rep *FileReport) error {
	// The answers, for the ops still in the outbox (by id; the outbox's
	// seq is what AckPush finds them by).
	want := make(map[string]protocol.OpResult, len(reply.Push.Results))
	for _, r := range reply.Push.Results {
		want[r.ID] = r
	}
	var acks []data.PushAck
	var after int64
	for len(want) > 0 {
		batch, err := c.store.Outbox(ctx, after, 5000)
		if err != nil {
			return local(err)
		}
		if len(batch) == 0 {
			break
		}
		for _, o := range batch {
			if r, ok := want[o.Op.ID]; ok {
				acks = append(acks, o.Ack(r))
				delete(want, o.Op.ID)
			}
		}
		after = batch[len(batch)-1].Seq
	}
	rep.Ignored = len(want)
	var refused []string
	for _, a := range acks {
		if a.Status == protocol.Rejected {
			refused = append(refused, a.ID)
		}
	}
	if len(acks) > 0 {
		counts, err := c.store.AckPush(ctx, acks)
		if err != nil {
			return local(err)
		}
		rep.PushCounts.Add(counts)
		rep.Acked = counts.Applied + counts.Duplicate + counts.Conflict + counts.Superseded + counts.Rejected
		if err := c.store.ObserveClock(ctx, reply.Push.Clock); err != nil && !errors.Is(err, protocol.ErrClockSkew) {
			c.log.Warn("sync: HQ's clock in a reply file", "err", err)
		}
	}

	if err := c.applyPages(ctx, st, reply, rep); err != nil {
		return err
	}
	return c.takeBack(ctx, reply, refused, rep)
}

// takeBack gives the values of the ops HQ refused in this reply (ids)
// back to HQ's copy, as a network run does after its push: the store
// gives their fields the empty stamp and sends the cursor back to the
// start (TakeBackRefused); the reply's copy of those rows (Refused, read
// at HQ after the pages) is then applied with the cursor the device had,
// which is what the pull from the start would have brought for them. A
// device whose cursor is not where the reply's pages end (a newer sync
// went past them, or they were skipped) does not take the reply's copy,
// which may be older than what it has: it keeps the cursor at the start,
// and its next sync, by network or by file, pulls everything again.
func (c *Client) takeBack(ctx context.Context, reply *syncfile.Reply, ids []string, rep *FileReport) error {
	if len(ids) == 0 {
		return nil
	}
	st, err := c.store.SyncState(ctx)
	if err != nil {
		return local(err)
	}
	n, err := c.store.TakeBackRefused(ctx, ids)
	if err != nil || n == 0 {
		return local(err)
	}
	rep.TakenBack = n
	var last protocol.PullResponse
	if len(reply.Pages) > 0 {
		last = reply.Pages[len(reply.Pages)-1]
	}
	if reply.Refused == nil || st.Cursor == "" || st.Cursor != last.NextCursor {
		rep.Full = true
		c.log.Warn("sync: changes HQ refused give way to HQ's copy; the next sync pulls everything again", "fields", n)
		return nil
	}
	if err := c.store.ApplyChanges(ctx, reply.Refused, st.Cursor, last.Clock); err != nil && !errors.Is(err, protocol.ErrClockSkew) {
		return local(err)
	}
	c.log.Warn("sync: changes HQ refused give way to HQ's copy, from the reply", "fields", n, "rows", len(reply.Refused))
	return nil
}

// applyPages applies the reply's pages that are ahead of the device's
// cursor.
func (c *Client) applyPages(ctx context.Context, st data.SyncState, reply *syncfile.Reply, rep *FileReport) error {
	cur := st.Cursor
	if len(reply.Pages) == 0 {
		return nil
	}
	last := reply.Pages[len(reply.Pages)-1].NextCursor
	resync := reply.Resync && epochOf(cur) != epochOf(last)
	if !resync && !covers(cur, reply.From) {
		// The pages start after a point the device has not reached: its
		// cursor went back since it wrote the request (an upgrade that
		// pulls everything again), or it moved to another epoch (a
		// network resync) and the pages are of a database HQ left
		// behind. Applying them would leave a gap; the next sync brings
		// it all.
		rep.Skipped = len(reply.Pages)
		return nil
	}
	if resync {
		rep.Resynced = true
		if err := c.store.StartResync(ctx); err != nil {
			return local(err)
		}
		cur = ""
	}
	c.setProgress(Progress{Phase: PhasePull})
	for _, p := range reply.Pages {
		if !cursorAhead(p.NextCursor, cur) {
			rep.Skipped++
			continue
		}
		err := c.store.ApplyChanges(ctx, p.Changes, p.NextCursor, p.Clock)
		if err != nil && !errors.Is(err, protocol.ErrClockSkew) {
			return local(err)
		}
		cur = p.NextCursor
		rep.Pages++
		rep.Pulled += len(p.Changes)
		rep.Cursor = cur
		c.setProgress(Progress{Phase: PhasePull, Done: rep.Pulled})
	}
	if rep.Pages > 0 && !reply.Pages[len(reply.Pages)-1].HasMore {
		n, err := c.store.FinishResync(ctx)
		if err != nil {
			return local(err)
		}
		rep.Requeued = n
	}
	return nil
}

// covers reports whether the device's cursor cur has everything before
// from: from is the start, or cur is of from's epoch and at or past it.
func covers(cur, from string) bool {
	if from == "" {
		return true
	}
	return epochOf(cur) == epochOf(from) && !cursorAhead(from, cur)
}

// epochOf is the epoch part of a cursor ("" for none).
func epochOf(cursor string) string {
	e, _, _ := strings.Cut(cursor, ".")
	return e
}

// cursorAhead reports whether cursor next is past cur: of the same epoch
// with a greater sequence number, or any cursor when cur is empty.
func cursorAhead(next, cur string) bool {
	if cur == "" {
		return next != ""
	}
	ne, ns, ok1 := strings.Cut(next, ".")
	ce, cs, ok2 := strings.Cut(cur, ".")
	if !ok1 || !ok2 || ne != ce {
		return false
	}
	n, err1 := strconv.ParseInt(ns, 10, 64)
	m, err2 := strconv.ParseInt(cs, 10, 64)
	return err1 == nil && err2 == nil && n > m
}

// RelayResult is one file a relay carried.
type RelayResult struct {
	Path   string           `json:"path"`
	Reply  string           `json:"reply,omitempty"` // where HQ's reply was saved
	Author string           `json:"author,omitempty"`
	Again  bool             `json:"again,omitempty"` // HQ had read it before
	Error  *message.Message `json:"error,omitempty"` // HQ refused it (the others go on)
}

// Message says what happened to the file.
func (r RelayResult) Message() message.Message {
	if r.Error != nil {
		return *r.Error
	}
	return message.New("syncfile.relayed", message.Latin("file", filepath.Base(r.Path)), message.Latin("reply", filepath.Base(r.Reply)))
}

// Relay uploads every request file in dir (syncfile.RequestExt), from any
// device, to HQ over this device's own link, and saves each reply next to
// its file. It reads none of them (they are sealed to HQ). A file HQ
// refuses is reported and the others go on; a link or HQ failure stops
// the relay with an error (the files already carried keep their replies).
func (c *Client) Relay(ctx context.Context, dir string) ([]RelayResult, error) {
	st, err := c.store.SyncState(ctx)
	if err != nil {
		return nil, wrap(local(err))
	}
	if !st.Enrolled {
		return nil, wrap(notEnrolled(st))
	}
	if st.Revoked() {
		return nil, wrap(ErrRevoked)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, message.Wrap(err, "syncfile.read_failed")
	}
	var paths []string
	for _, e := range entries {
		if e.Type().IsRegular() && syncfile.IsRequestName(e.Name()) {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(paths)
	if len(paths) == 0 {
		return nil, message.NewError("syncfile.relay_none", message.Latin("dir", dir))
	}
	var out []RelayResult
	for _, p := range paths {
		res, err := c.relayOne(ctx, st, p)
		if err != nil {
			return out, wrap(err)
		}
		out = append(out, res)
	}
	return out, nil
}

func (c *Client) relayOne(ctx context.Context, st data.SyncState, path string) (RelayResult, error) {
	res := RelayResult{Path: path}
	body, err := os.ReadFile(path)
	if err != nil {
		return res, message.Wrap(err, "syncfile.read_failed")
	}
	var reply []byte
	var hdr http.Header
	err = c.retry(ctx, "relay", func(ctx context.Context, n int) error {
		actx, cancel := context.WithTimeout(ctx, c.timeouts.Push+c.timeouts.Pull)
		defer cancel()
		req, err := http.NewRequestWithContext(actx, http.MethodPost, st.HQURL+syncfile.RelayPath, bytes.NewReader(body))
		if err != nil {
			return &ProtocolError{Op: "relay", Err: err}
		}
		req.Header.Set("Content-Type", "application/octet-stream")
		req.Header.Set("Authorization", "Bearer "+st.Token)
		req.Header.Set("User-Agent", "safeer-device")
		resp, err := c.http.Do(req)
		if err != nil {
			return c.transportErr(ctx, actx, "relay", err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, syncfile.MaxFileBytes+1))
		if err != nil {
			return c.transportErr(ctx, actx, "relay", err)
		}
		c.setOnline(true)
		switch resp.StatusCode {
		case http.StatusOK:
			reply, hdr = b, resp.Header
			return nil
		case http.StatusUnprocessableEntity:
			var rr struct {
				Error string            `json:"error"`
				Args  map[string]string `json:"args"`
			}
			if json.Unmarshal(b, &rr) == nil && strings.HasPrefix(rr.Error, "syncfile.") && message.Known(message.Code(rr.Error)) {
				var args []message.Arg
				for k, v := range rr.Args {
					args = append(args, message.Latin(k, v))
				}
				m := message.New(message.Code(rr.Error), args...)
				res.Error = &m
				return nil
			}
		}
		he := &HTTPError{Status: resp.StatusCode}
		var er protocol.ErrorResponse
		if json.Unmarshal(b, &er) == nil {
			he.Code, he.Message = er.Error, er.Message
		}
		return he
	})
	if err != nil || res.Error != nil {
		return res, err
	}
	res.Author, res.Again = hdr.Get(syncfile.HeaderAuthor), hdr.Get(syncfile.HeaderAgain) != ""
	res.Reply = filepath.Join(filepath.Dir(path), syncfile.ReplyNameFor(path))
	if err := syncfile.WriteFile(res.Reply, reply); err != nil {
		return res, message.Wrap(err, "syncfile.write_failed", message.Latin("file", res.Reply))
	}
	return res, nil
}
