package hq

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/sync/protocol"
	"github.com/oman-sca/safeer/sync/syncfile"
)

// Sync by file (issue 15): a device with no network writes a sealed
// request (package sync/syncfile), anyone carries it here, and HQ answers
// with a sealed reply that goes back the same way. HQ reads a request
// exactly as it serves a push and a pull: the ops go through applyBatch
// (the push queue, with its idempotency, scope rules and conflict log) and
// the reply's pages are built by pull, page after page from the request's
// cursor. Each request read is kept (sync_files, migration 0008) with its
// reply, so the same file read twice changes nothing, says so, and hands
// back the same reply.

// SyncFile is a request HQ has read, with the reply it made.
type SyncFile struct {
	DeviceID   string
	FileID     string // the request's id, made by the device
	ReceivedAt time.Time
	Via        string // who brought it: "cli", "console:NAME", "relay:DEVICE"
	Ops        int
	// Summary is the JSON of SyncFileCounts.
	Summary     string
	ReplyID     string
	Reply       []byte // the sealed reply; nil in SyncFiles' list
	ReplyBytes  int
	CollectedAt time.Time // when an administrator downloaded the reply; zero: waiting
}

// Counts is the file's summary, decoded.
func (f SyncFile) Counts() SyncFileCounts {
	var c SyncFileCounts
	json.Unmarshal([]byte(f.Summary), &c)
	return c
}

// SyncFileCounts sums what a request did at HQ.
type SyncFileCounts struct {
	Applied    int  `json:"applied"`
	Duplicate  int  `json:"duplicate"`
	Conflict   int  `json:"conflict"`
	Superseded int  `json:"superseded"`
	Rejected   int  `json:"rejected"`
	Pulled     int  `json:"pulled"` // changes in the reply's pages
	Pages      int  `json:"pages"`
	Resync     bool `json:"resync,omitempty"` // the cursor was from another epoch: everything was sent
}

func (c *SyncFileCounts) add(r protocol.OpResult) {
	switch r.Status {
	case protocol.Applied:
		c.Applied++
	case protocol.Duplicate:
		c.Duplicate++
	case protocol.Conflicted:
		c.Conflict++
	case protocol.Superseded:
		c.Superseded++
	case protocol.Rejected:
		c.Rejected++
	}
}

// SyncFileStore is what Store keeps of sync files.
type SyncFileStore interface {
	// SyncFiles lists up to limit files, the last received first, without
	// their replies (ReplyBytes says how big each is).
	SyncFiles(ctx context.Context, limit int) ([]SyncFile, error)
	// SyncFile reads one file's record with its reply.
	SyncFile(ctx context.Context, deviceID, fileID string) (SyncFile, bool, error)
}

// SyncFileTx is what Tx does with sync files.
type SyncFileTx interface {
	// SyncFile reads one file's record with its reply.
	SyncFile(ctx context.Context, deviceID, fileID string) (SyncFile, bool, error)
	// PutSyncFile inserts or replaces the record of (DeviceID, FileID).
	PutSyncFile(ctx context.Context, f SyncFile) error
}

// SyncImport is what ImportSyncFile did with one request.
type SyncImport struct {
	Device  Device
	FileID  string
	Again   bool // read before: nothing changed, Reply is the first reply again
	Ops     int
	Counts  SyncFileCounts
	ReplyID string
	Reply   []byte // the sealed reply, for the device
}

// Message says what the import did, in words for people.
func (r *SyncImport) Message() message.Message {
	if r.Again {
		return message.New("syncfile.hq_again", message.Latin("device", r.Device.ID), message.Text("name", r.Device.Name))
	}
	c := r.Counts
	return message.New("syncfile.hq_imported", message.Latin("device", r.Device.ID), message.Text("name", r.Device.Name),
		message.Int("applied", c.Applied+c.Duplicate+c.Conflict+c.Superseded),
		message.Int("rejected", c.Rejected), message.Int("changes", c.Pulled))
}

// MaxSyncFiles bounds the list the console shows.
const MaxSyncFiles = 200

// ImportSyncFile reads a device's request (r, a sealed sync file) with
// HQ's key, checks its author is an enrolled device HQ has not revoked,
// applies its ops as a push from that device and answers with a sealed
// reply, written to replyW when it is not nil: the result of every op and
// the pull pages of the device's scope since the request's cursor. by says
// who brought the file (audit log, console list). A file whose signature or
// form is wrong is refused with a *syncfile.Error and changes nothing. A
// file read before changes nothing either: the result has Again set and
// the reply made the first time.
func (s *Server) ImportSyncFile(ctx context.Context, r io.Reader, replyW io.Writer, by Actor) (*SyncImport, error) {
	devs, err := s.store.Devices(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]Device, len(devs))
	for _, d := range devs {
		byID[d.ID] = d
	}
	req, err := syncfile.OpenRequest(r, s.key, func(id string) (ed25519.PublicKey, bool, error) {
		d, ok := byID[id]
		if !ok || len(d.PublicKey) != ed25519.PublicKeySize {
			return nil, false, nil
		}
		return ed25519.PublicKey(d.PublicKey), d.Revoked(), nil
	})
	if err != nil {
		return nil, err
	}
	dev := byID[req.DeviceID]
	res := &SyncImport{Device: dev, FileID: req.FileID, Ops: len(req.Ops)}
	if !cleanID(req.FileID) {
		return nil, &syncfile.Error{Msg: message.New("syncfile.malformed"), Err: errors.New("the request has no file id")}
	}
	if prev, found, err := s.store.SyncFile(ctx, dev.ID, req.FileID); err != nil {
		return nil, err
	} else if found {
		return s.again(res, prev, replyW)
	}

	// The ops, as a push from the device: in batches of the size a push
	// takes, through the same queue and rules. Ops written against
	// another epoch are not applied, as a push of them is refused with
	// must_resync: they get no answer, so they stay queued on the device,
	// which takes the whole scope from this reply and sends them again.
	reply := &syncfile.Reply{InReplyTo: req.FileID, DeviceID: dev.ID, Created: s.now().UTC()}
	ops := req.Ops
	if other, err := s.otherEpoch(ctx, req.Cursor); err != nil {
		return nil, err
	} else if other {
		ops = nil
	}
	for start := 0; start < len(ops); start += protocol.MaxBatchOps {
		batch := ops[start:min(len(ops), start+protocol.MaxBatchOps)]
		results, err := s.applyBatch(ctx, dev, batch)
		if err != nil {
			return nil, err
		}
		for i, r := range results {
			res.Counts.add(r)
			reply.OpIDs = append(reply.OpIDs, batch[i].ID)
		}
		reply.Push.Results = append(reply.Push.Results, results...)
	}
	reply.Push.Clock = s.clock.Now().String()

	// The pages, as the device's pulls: from its cursor, or from the start
	// when the cursor is of another epoch (HQ restored or reset).
	pages, resync, err := s.pullAll(ctx, dev, req.Cursor)
	if err != nil {
		return nil, err
	}
	reply.Pages, reply.Resync = pages, resync
	if !resync {
		reply.From = req.Cursor
	}
	res.Counts.Resync = resync
	for _, p := range pages {
		res.Counts.Pulled += len(p.Changes)
	}
	res.Counts.Pages = len(pages)
	// HQ's copy of the rows it refused ops for, read after the pages so
	// it is no older than them: the device takes its refused values back
	// with them, as a network sync does by pulling everything again.
	var refused []protocol.Op
	for i, r := range reply.Push.Results {
		if r.Status == protocol.Rejected {
			refused = append(refused, req.Ops[i])
		}
	}
	if reply.Refused, err = s.refusedRows(ctx, dev, refused); err != nil {
		return nil, err
	}

	id, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	reply.FileID = id.String()
	if len(dev.PublicKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("device %s has no key HQ could seal its reply to", dev.ID)
	}
	var sealed bytes.Buffer
	if err := syncfile.SealReply(&sealed, reply, s.key, ed25519.PublicKey(dev.PublicKey)); err != nil {
		return nil, err
	}
	summary, _ := json.Marshal(res.Counts)
	rec := SyncFile{DeviceID: dev.ID, FileID: req.FileID, ReceivedAt: s.now().UTC(), Via: by.Admin,
		Ops: len(req.Ops), Summary: string(summary), ReplyID: reply.FileID, Reply: sealed.Bytes(), ReplyBytes: sealed.Len()}
	var prev SyncFile
	var raced bool
	err = s.store.Write(ctx, func(tx Tx) error {
		p, found, err := tx.SyncFile(ctx, rec.DeviceID, rec.FileID)
		if err != nil || found {
			prev, raced = p, found
			return err
		}
		if err := tx.PutSyncFile(ctx, rec); err != nil {
			return err
		}
		return tx.AddAudit(ctx, by.entry(s.now(), "syncfile.import", dev.ID,
			fmt.Sprintf("file %s: %d ops (%d applied, %d duplicate, %d conflict, %d superseded, %d refused), %d changes back",
				req.FileID, len(req.Ops), res.Counts.Applied, res.Counts.Duplicate, res.Counts.Conflict,
				res.Counts.Superseded, res.Counts.Rejected, res.Counts.Pulled)))
	})
	if err != nil {
		return nil, err
	}
	if raced {
		// The same file, read at the same time elsewhere, was recorded
		// first: its ops came here as duplicates; its reply is the one.
		return s.again(res, prev, replyW)
	}
	now := s.now()
	for _, k := range []Touch{TouchPush, TouchPull} {
		if err := s.store.TouchDevice(ctx, dev.ID, k, now); err != nil {
			s.log.Warn("cannot record device activity", "device", dev.ID, "err", err)
		}
	}
	s.log.Info("sync file imported", "device", dev.ID, "file", req.FileID, "ops", len(req.Ops),
		"rejected", res.Counts.Rejected, "changes", res.Counts.Pulled, "reply_bytes", sealed.Len())
	res.ReplyID, res.Reply = reply.FileID, rec.Reply
	if replyW != nil {
		if _, err := replyW.Write(rec.Reply); err != nil {
			return res, err
		}
	}
	return res, nil
}

// again answers a request read before with what it did then.
func (s *Server) again(res *SyncImport, prev SyncFile, replyW io.Writer) (*SyncImport, error) {
	res.Again, res.Counts, res.ReplyID, res.Reply = true, prev.Counts(), prev.ReplyID, prev.Reply
	if replyW != nil {
		if _, err := replyW.Write(prev.Reply); err != nil {
			return res, err
		}
	}
	return res, nil
}

// refusedRows is HQ's current copy of each row the ops refer to that a
// pull from the start would give the device (a row of its scope), once
// each, in the ops' order, as pull changes.
func (s *Server) refusedRows(ctx context.Context, dev Device, ops []protocol.Op) ([]protocol.Change, error) {
	out := []protocol.Change{} // [], not null: the device tells it from a reply without it
	seen := map[RowKey]bool{}
	for _, op := range ops {
		k := RowKey{Table: op.Table, ID: op.RowID}
		if seen[k] || op.Table == ExitTable {
			continue
		}
		seen[k] = true
		r, found, err := s.store.Row(ctx, op.Table, op.RowID)
		if err != nil {
			return nil, err
		}
		if !found || (r.Table != safeer.TablePlace && !slices.Contains(dev.Governorates, r.Scope)) {
			continue
		}
		d, err := decodeData(r.Data)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", r.Table, r.ID, err)
		}
		out = append(out, protocol.Change{Seq: r.Seq, Table: r.Table, RowID: r.ID, Fields: d.fields()})
	}
	return out, nil
}

// pullAll is every pull page of the device's scope after cursor, as its
// pulls would fetch them; resync says the cursor was of another epoch and
// the pages start from the beginning.
func (s *Server) pullAll(ctx context.Context, dev Device, cursor string) (pages []protocol.PullResponse, resync bool, err error) {
	c, err := ParseCursor(cursor)
	if err != nil {
		c, resync = Cursor{}, true
	}
	for {
		if err := s.pulls.acquire(ctx); err != nil {
			return nil, false, err
		}
		page, err := s.pull(ctx, dev, c, protocol.MaxPullLimit)
		s.pulls.release()
		if errors.Is(err, errMustResync) && !resync {
			c, resync, pages = Cursor{}, true, nil
			continue
		}
		if err != nil {
			return nil, false, err
		}
		pages = append(pages, page)
		if !page.HasMore {
			return pages, resync, nil
		}
		next, err := ParseCursor(page.NextCursor)
		if err != nil || next == c {
			return nil, false, fmt.Errorf("pull pages do not move past %q", page.NextCursor)
		}
		c = next
	}
}

// SyncFiles lists the requests HQ read, the last first (see SyncFileStore).
func (s *Server) SyncFiles(ctx context.Context) ([]SyncFile, error) {
	return s.store.SyncFiles(ctx, MaxSyncFiles)
}

// CollectReply returns the sealed reply to a request, and records that it
// was collected (by an administrator, to carry it to the device).
func (s *Server) CollectReply(ctx context.Context, deviceID, fileID string, by Actor) (SyncFile, error) {
	var out SyncFile
	err := s.store.Write(ctx, func(tx Tx) error {
		f, found, err := tx.SyncFile(ctx, deviceID, fileID)
		if err != nil {
			return err
		}
		if !found {
			return ErrNoSyncFile
		}
		out = f
		if !f.CollectedAt.IsZero() {
			return nil
		}
		f.CollectedAt = s.now().UTC()
		out = f
		if err := tx.PutSyncFile(ctx, f); err != nil {
			return err
		}
		return tx.AddAudit(ctx, by.entry(s.now(), "syncfile.collect", deviceID, "reply "+f.ReplyID+" to file "+fileID))
	})
	return out, err
}

// ErrNoSyncFile is a request HQ never read.
var ErrNoSyncFile = errors.New("HQ has read no such sync file")

// handleSyncFile is the relay: an enrolled device uploads a sync file it
// carries (its own or another device's, which it cannot read) and gets the
// sealed reply back to carry home. The file is signed by its author, so
// any enrolled device may bring it.
func (s *Server) handleSyncFile(w http.ResponseWriter, r *http.Request, carrier Device) {
	body := http.MaxBytesReader(w, r.Body, syncfile.MaxFileBytes)
	var reply bytes.Buffer
	res, err := s.ImportSyncFile(r.Context(), body, &reply, Actor{Admin: "relay:" + carrier.ID, Remote: r.RemoteAddr})
	var fe *syncfile.Error
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		writeError(w, r, http.StatusRequestEntityTooLarge, protocol.ErrTooLarge, err.Error())
		return
	case errors.As(err, &fe):
		writeJSON(w, r, http.StatusUnprocessableEntity, RelayRefusal{Error: string(fe.Code()), Message: fe.Msg.English(), Args: latinArgs(fe.Msg)})
		return
	case err != nil:
		s.storeFailed(w, r, err)
		return
	}
	s.touch(r, carrier, TouchSeen)
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Cache-Control", "no-store")
	h.Set(syncfile.HeaderAuthor, res.Device.ID)
	h.Set(syncfile.HeaderFileID, res.FileID)
	if res.Again {
		h.Set(syncfile.HeaderAgain, "1")
	}
	w.WriteHeader(http.StatusOK)
	w.Write(reply.Bytes())
}

// RelayRefusal is the relay's answer for a file HQ refused: the code and
// the Latin arguments of its message (a device id, version numbers), so the
// relaying device words it in its own language.
type RelayRefusal struct {
	Error   string            `json:"error"`
	Message string            `json:"message"`
	Args    map[string]string `json:"args,omitempty"`
}

func latinArgs(m message.Message) map[string]string {
	out := map[string]string{}
	for _, a := range m.Args {
		if a.Value != "" {
			out[a.Name] = a.Value
		}
	}
	return out
}
