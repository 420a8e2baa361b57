package hq

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/sync/protocol"
)

// MaxPushBody bounds a push body, compressed and decompressed alike: the
// batch limit of protocol.MaxBatchBytes plus room for the envelope and for a
// client that counts only its ops. Anything bigger is refused whole (413),
// so a gzip bomb costs HQ at most this much memory.
const MaxPushBody = protocol.MaxBatchBytes + protocol.MaxBatchBytes/4

// maxIDLen bounds op and row ids (UUIDs are 36 characters).
const maxIDLen = 128

// errTooLarge is a request body over its limit (413 too_large).
var errTooLarge = errors.New("the request is too large")

// DecodePush reads a push request body sent with the given Content-Encoding
// ("gzip", or "" / "identity" for plain JSON). It never reads more than
// MaxPushBody bytes of JSON nor accepts more than protocol.MaxBatchOps ops.
// Oversized input returns an error wrapping errTooLarge.
func DecodePush(body io.Reader, contentEncoding string) (protocol.PushRequest, error) {
	var req protocol.PushRequest
	raw, err := readBody(body, contentEncoding, MaxPushBody)
	if err != nil {
		return req, err
	}
	if err := json.Unmarshal(raw, &req); err != nil {
		return protocol.PushRequest{}, fmt.Errorf("the push is not valid JSON: %w", err)
	}
	if len(req.Ops) > protocol.MaxBatchOps {
		return protocol.PushRequest{}, fmt.Errorf("%w: %d ops in one push (at most %d)", errTooLarge, len(req.Ops), protocol.MaxBatchOps)
	}
	return req, nil
}

// readBody reads at most limit bytes of (decompressed) body.
func readBody(body io.Reader, contentEncoding string, limit int64) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(contentEncoding)) {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, tooLargeOr(err, "the body is not gzip")
		}
		defer zr.Close()
		body = zr
	default:
		return nil, fmt.Errorf("unsupported Content-Encoding %q (use gzip)", contentEncoding)
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, tooLargeOr(err, "cannot read the body")
	}
	if n > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", errTooLarge, limit)
	}
	return buf.Bytes(), nil
}

// tooLargeOr keeps http.MaxBytesReader's verdict (413) visible through the
// gzip reader, and words any other read error.
func tooLargeOr(err error, words string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return fmt.Errorf("%w: more than %d bytes", errTooLarge, mbe.Limit)
	}
	return fmt.Errorf("%s: %w", words, err)
}

func rejected(id, code, msg string) protocol.OpResult {
	return protocol.OpResult{ID: id, Status: protocol.Rejected, Code: code, Message: msg}
}

// opHash identifies an op's content. json.Marshal writes map keys sorted,
// so the same op always hashes the same.
func opHash(op protocol.Op) []byte {
	b, _ := json.Marshal(op)
	h := sha256.Sum256(b)
	return h[:]
}

// checkOp validates what can be checked without the database, from who is
// pushing (dev) and HQ's wall clock, never from what the op says of itself.
// It returns a rejection code and words, or "" when the op may proceed.
func (s *Server) checkOp(dev Device, op protocol.Op) (code, msg string) {
	switch {
	case !cleanID(op.ID):
		return protocol.CodeBadValue, "the op has no id (or an overlong or garbled one)"
	case !cleanID(op.RowID):
		return protocol.CodeBadValue, "the op names no row (or an overlong or garbled id)"
	}
	if _, ok := protocol.Tables[op.Table]; !ok {
		return protocol.CodeUnknownTable, fmt.Sprintf("HQ does not sync a table %q", op.Table)
	}
	if len(op.Fields) == 0 {
		return protocol.CodeBadValue, "the op changes no field"
	}
	names := make([]string, 0, len(op.Fields))
	for name := range op.Fields {
		names = append(names, name)
	}
	sort.Strings(names)
	limit := s.now().Add(protocol.MaxAhead).UnixMilli()
	for _, name := range names {
		f := op.Fields[name]
		if !protocol.KnownField(op.Table, name) {
			return protocol.CodeUnknownField, fmt.Sprintf("%s has no field %q", op.Table, name)
		}
		switch v := f.Value.(type) {
		case string:
			// PostgreSQL text cannot hold NUL: refuse it here, per op,
			// rather than fail the whole batch in the database forever.
			if strings.ContainsRune(v, 0) {
				return protocol.CodeBadValue, fmt.Sprintf("field %s: the text contains a NUL character", name)
			}
		case nil, float64, bool:
		default:
			return protocol.CodeBadValue, fmt.Sprintf("field %s: a value must be text, a number, true/false or null", name)
		}
		h, err := protocol.ParseHLC(f.HLC)
		if err != nil || f.HLC == "" {
			return protocol.CodeBadValue, fmt.Sprintf("field %s: bad clock stamp %.80q", name, f.HLC)
		}
		// A new edit is this device's: a stamp naming another device (or
		// HQ) would take that author's place in the merge and in the
		// conflict log. Only values re-asserted after HQ's restore keep the
		// stamps they were made with.
		if !op.Reasserted && h.Device != dev.ID {
			return protocol.CodeNotAuthor, fmt.Sprintf("field %s is stamped by %q, not by this device (%s)", name, h.Device, dev.ID)
		}
		// A stamp ahead of HQ's clock would pin the field: every honest
		// later edit would lose to it. Devices correct their stamps with
		// the clock offset they measure from HQ's Date header before they
		// push, so only a wrong clock (or a forger) gets here.
		if h.Wall > limit {
			return protocol.CodeClockSkew, fmt.Sprintf("field %s was stamped %s, more than %s ahead of HQ's clock: check the device's date and time",
				name, h.Time().Format("2006-01-02 15:04 MST"), protocol.MaxAhead)
		}
	}
	if op.Table == safeer.TableConflict {
		// Conflicts are HQ's: a device only marks one resolved (or, after
		// HQ's restore, re-asserts one HQ logged, in HQ's name).
		for _, name := range names {
			hqs := op.Reasserted && stampDevice(op.Fields[name].HLC) == protocol.HQDevice
			if name != safeer.FieldResolved && name != safeer.FieldResolvedAt && !hqs {
				return protocol.CodeOutOfScope, fmt.Sprintf("a device may only mark a conflict resolved, not set its %s", name)
			}
		}
	}
	return "", ""
}

// applyBatch applies a push's ops, in order, each with its applied_ops
// record, or refused with a code and words. What needs no database (the
// op's own checks, its hash) is done first, outside the writer; then the
// batch joins the queue of pushes waiting for the writer (see pushQueue),
// which applies the waiting batches in the order they came, several
// devices' in one transaction. A refused op writes nothing (every refusal
// comes before mergeOp's first write), so the others are unaffected. An
// error means the store failed: nothing of the batch is applied, and the
// device's retry applies it all.
func (s *Server) applyBatch(ctx context.Context, dev Device, ops []protocol.Op) ([]protocol.OpResult, error) {
	return s.applyBatchTouching(ctx, dev, ops, nil)
}

// applyBatchTouching is applyBatch that also records the device's
// request (touch, if not nil) in the same transaction.
func (s *Server) applyBatchTouching(ctx context.Context, dev Device, ops []protocol.Op, touch *deviceTouch) ([]protocol.OpResult, error) {
	j := &pushJob{ctx: ctx, dev: dev, ops: ops, checked: make([]checkedOp, len(ops)), touch: touch, done: make(chan struct{})}
	for i, op := range ops {
		c := &j.checked[i]
		if c.code, c.msg = s.checkOp(dev, op); c.code == "" {
			c.hash = opHash(op)
		}
	}
	return s.pushes.do(j)
}

// checkedOp is what applyBatch learnt of an op before the writer: a
// refusal (code and words), or the op's hash.
type checkedOp struct {
	code, msg string
	hash      []byte
}

// pushJob is one push batch in the writer's queue, or a device's request
// to record (touch) without ops.
type pushJob struct {
	ctx     context.Context
	dev     Device
	ops     []protocol.Op
	checked []checkedOp
	touch   *deviceTouch
	ticket  uint64 // its place in the queue (see pushQueue.waitAhead)
	results []protocol.OpResult
	err     error
	done    chan struct{}
}

// deviceTouch is a request of the device to record (see Server.touch).
type deviceTouch struct {
	kind Touch
	at   time.Time
}

// recordTouch records the device's request dev in the writer's queue,
// with whatever group of pushes the writer applies next: one transaction
// for them all, where a write of its own for each request had the
// devices' touches take SQLite's one writer from the pushes in a storm.
func (q *pushQueue) recordTouch(ctx context.Context, dev Device, t deviceTouch) error {
	_, err := q.do(&pushJob{ctx: ctx, dev: dev, touch: &t, done: make(chan struct{})})
	return err
}

// Group commit: how much the writer applies in one transaction. Bigger
// groups save commits; smaller ones let the pulls read sooner what was
// pushed and keep a failed transaction (whose batches are applied again
// one by one) cheap.
const (
	maxGroupJobs = 64
	maxGroupOps  = 1000
	// maxGroupTouches bounds the devices' touches (one small update
	// each) a group carries besides its batches.
	maxGroupTouches = 1000
	// maxGroupTime bounds a group's transaction (a database that stopped
	// answering): it is rolled back and its batches fail.
	maxGroupTime = 2 * time.Minute
)

// pushQueue is the pushes waiting for HQ's one writer. Before it, every
// push took the store's write lock itself: a storm of devices queued on
// that lock, each batch its own transaction. Now the batches wait here in
// the order they came, and one goroutine, started when a batch finds the
// queue idle and done when it is empty again, applies what is waiting, a
// group at a time (up to maxGroupJobs batches or maxGroupOps ops), each
// group in one transaction. The rules are the same for every op as when
// it was alone: ops are applied one after another, each seeing the ones
// before it, with its own device's scope and authorship checks and its
// own result.
type pushQueue struct {
	s       *Server
	mu      sync.Mutex
	waiting []*pushJob
	// touches are the jobs without ops (a pull's touch): they go with the
	// next group, ahead of the batches waiting, so a pull's reply waits
	// for one group at most, not for every push queued before it.
	touches []*pushJob
	running bool
	// queued numbers the batches as they come (pushJob.ticket); applied
	// is the number of the last one applied (or failed), and progress is
	// closed, and replaced, whenever it grows.
	queued, applied uint64
	progress        chan struct{}
}

func newPushQueue(s *Server) *pushQueue {
	q := &pushQueue{s: s, progress: make(chan struct{})}
	return q
}

// busy reports whether pushes are waiting or being applied.
func (q *pushQueue) busy() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.running
}

// waitAhead waits until the push batches queued before it are applied
// (or failed), for at most d (or until ctx ends): what arrived first is
// done first, and a pull does not take the cores from the pushes that came
// before it.
func (q *pushQueue) waitAhead(ctx context.Context, d time.Duration) {
	q.mu.Lock()
	ticket := q.queued
	q.mu.Unlock()
	var deadline <-chan time.Time
	for {
		q.mu.Lock()
		done, progress := q.applied >= ticket, q.progress
		q.mu.Unlock()
		if done {
			return
		}
		if deadline == nil {
			t := time.NewTimer(d)
			defer t.Stop()
			deadline = t.C
		}
		select {
		case <-progress:
		case <-deadline:
			return
		case <-ctx.Done():
			return
		}
	}
}

// do queues j and waits for its results. A device that goes away before
// its batch is applied leaves it in the queue: it is applied all the same
// (the retry finds it done), unless the writer had not reached it yet.
func (q *pushQueue) do(j *pushJob) ([]protocol.OpResult, error) {
	q.mu.Lock()
	if len(j.ops) == 0 && j.touch != nil {
		q.touches = append(q.touches, j)
	} else {
		q.queued++
		j.ticket = q.queued
		q.waiting = append(q.waiting, j)
	}
	if !q.running {
		q.running = true
		go q.run()
	}
	q.mu.Unlock()
	select {
	case <-j.done:
		return j.results, j.err
	case <-j.ctx.Done():
		return nil, j.ctx.Err()
	}
}

// run applies the waiting batches, a group at a time, until none is left.
func (q *pushQueue) run() {
	for {
		q.mu.Lock()
		// A group: the touches waiting (up to maxGroupTouches), then up
		// to maxGroupJobs batches and maxGroupOps ops.
		t := min(len(q.touches), maxGroupTouches)
		group := slices.Clone(q.touches[:t])
		q.touches = slices.Delete(q.touches, 0, t)
		n, ops := 0, 0
		for n < len(q.waiting) && n < maxGroupJobs {
			w := len(q.waiting[n].ops)
			if n > 0 && ops+w > maxGroupOps {
				break
			}
			ops, n = ops+w, n+1
		}
		group = append(group, q.waiting[:n]...)
		q.waiting = slices.Delete(q.waiting, 0, n)
		if len(group) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		q.apply(group)
		q.mu.Lock()
		for _, j := range group {
			q.applied = max(q.applied, j.ticket)
		}
		close(q.progress)
		q.progress = make(chan struct{})
		q.mu.Unlock()
	}
}

// apply applies a group in one transaction. If that fails, each batch is
// tried again in a transaction of its own, so a store error in one batch
// (or a device gone away) fails that batch only.
func (q *pushQueue) apply(group []*pushJob) {
	live := group[:0]
	for _, j := range group {
		if err := j.ctx.Err(); err != nil {
			j.err = err
			close(j.done)
			continue
		}
		live = append(live, j)
	}
	if len(live) == 0 {
		return
	}
	if len(live) > 1 {
		err := q.s.writeJobs(live)
		if err == nil || errors.Is(err, context.DeadlineExceeded) {
			// Done; or the database stopped answering, and trying each
			// batch alone would only wait as long again for each.
			for _, j := range live {
				if err != nil {
					j.results, j.err = nil, err
				}
				close(j.done)
			}
			return
		}
	}
	for _, j := range live {
		j.err = q.s.writeJobs([]*pushJob{j})
		if j.err != nil {
			j.results = nil
		}
		close(j.done)
	}
}

// writeJobs applies the batches in one transaction, filling their
// results. It runs on the queue's own time (maxGroupTime), not a device's:
// a device going away does not cut a transaction that carries other
// devices' batches.
func (s *Server) writeJobs(jobs []*pushJob) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(jobs[0].ctx), maxGroupTime)
	defer cancel()
	return s.store.Write(ctx, func(tx Tx) error {
		// Another HQ process on the same database may have moved the
		// clock; stay ahead of what it saved.
		if saved, err := protocol.ParseHLC(tx.Clock()); err == nil {
			s.clock.Observe(saved)
		}
		tx, err := prefetch(ctx, tx, jobs)
		if err != nil {
			return err
		}
		wrote := false
		for _, j := range jobs {
			j.results = make([]protocol.OpResult, len(j.ops))
			for i, op := range j.ops {
				res, err := s.applyOp(ctx, tx, j.dev, op, j.checked[i])
				if err != nil {
					return fmt.Errorf("apply op %s: %w", op.ID, err)
				}
				j.results[i] = res
				wrote = wrote || res.Status == protocol.Applied || res.Status == protocol.Conflicted
			}
			if j.touch != nil {
				if err := tx.TouchDevice(ctx, j.dev.ID, j.touch.kind, j.touch.at); err != nil {
					return err
				}
			}
		}
		if !wrote {
			return nil
		}
		return tx.SaveClock(ctx, s.clock.Peek().String())
	})
}

// prefetch reads in two or three queries what the group's ops will ask
// for one by one: the rows they change or merge into and their devices'
// applied_ops records. The returned Tx answers those from memory, and
// keeps them true as the group writes (every write of a push goes through
// it); anything else it asks the database.
func prefetch(ctx context.Context, tx Tx, jobs []*pushJob) (Tx, error) {
	c := &cachedTx{Tx: tx, rows: map[RowKey]cachedRow{}, ops: map[opKey]cachedOp{}}
	var keys []RowKey
	want := func(k RowKey) {
		if _, ok := c.rows[k]; !ok {
			c.rows[k] = cachedRow{}
			keys = append(keys, k)
		}
	}
	opIDs := map[string][]string{}
	for _, j := range jobs {
		for i, op := range j.ops {
			if j.checked[i].code != "" {
				continue
			}
			want(RowKey{op.Table, op.RowID})
			if target, _ := op.Fields[safeer.FieldMergedInto].Value.(string); op.Table == safeer.TablePerson && target != "" {
				want(RowKey{safeer.TablePerson, target})
			}
			k := opKey{j.dev.ID, op.ID}
			if _, ok := c.ops[k]; !ok {
				c.ops[k] = cachedOp{}
				opIDs[j.dev.ID] = append(opIDs[j.dev.ID], op.ID)
			}
		}
	}
	rows, err := tx.Rows(ctx, keys)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		c.rows[RowKey{r.Table, r.ID}] = cachedRow{row: r, found: true}
	}
	for dev, ids := range opIDs {
		done, err := tx.AppliedOps(ctx, dev, ids)
		if err != nil {
			return nil, err
		}
		for _, a := range done {
			c.ops[opKey{dev, a.OpID}] = cachedOp{op: a, found: true}
		}
	}
	return c, nil
}

// cachedTx is a Tx that knows some rows and applied_ops records (found or
// known to be absent) without asking the database; see prefetch.
type cachedTx struct {
	Tx
	rows map[RowKey]cachedRow
	ops  map[opKey]cachedOp
}

type opKey struct{ device, op string }

type cachedRow struct {
	row   Row
	found bool
}

type cachedOp struct {
	op    AppliedOp
	found bool
}

func (c *cachedTx) Row(ctx context.Context, table, id string) (Row, bool, error) {
	if r, ok := c.rows[RowKey{table, id}]; ok {
		return r.row, r.found, nil
	}
	r, found, err := c.Tx.Row(ctx, table, id)
	if err == nil {
		c.rows[RowKey{table, id}] = cachedRow{row: r, found: found}
	}
	return r, found, err
}

func (c *cachedTx) PutRow(ctx context.Context, r Row) error {
	if err := c.Tx.PutRow(ctx, r); err != nil {
		return err
	}
	r.Data = slices.Clone(r.Data)
	c.rows[RowKey{r.Table, r.ID}] = cachedRow{row: r, found: true}
	return nil
}

func (c *cachedTx) AppliedOp(ctx context.Context, deviceID, opID string) (AppliedOp, bool, error) {
	if a, ok := c.ops[opKey{deviceID, opID}]; ok {
		return a.op, a.found, nil
	}
	return c.Tx.AppliedOp(ctx, deviceID, opID)
}

func (c *cachedTx) RecordOp(ctx context.Context, a AppliedOp) error {
	if err := c.Tx.RecordOp(ctx, a); err != nil {
		return err
	}
	c.ops[opKey{a.DeviceID, a.OpID}] = cachedOp{op: a, found: true}
	return nil
}

// applyOp applies one op in tx together with its applied_ops record, and
// returns its result; c is what applyBatch checked of it beforehand.
func (s *Server) applyOp(ctx context.Context, tx Tx, dev Device, op protocol.Op, c checkedOp) (protocol.OpResult, error) {
	if c.code != "" {
		return rejected(op.ID, c.code, c.msg), nil
	}
	if op.Reasserted {
		if code, msg, err := checkAuthors(ctx, tx, dev, op); err != nil || code != "" {
			return rejected(op.ID, code, msg), err
		}
	}
	hash := c.hash
	prev, found, err := tx.AppliedOp(ctx, dev.ID, op.ID)
	if err != nil {
		return protocol.OpResult{}, err
	}
	if found {
		if bytes.Equal(prev.PayloadHash, hash) {
			return protocol.OpResult{ID: op.ID, Status: protocol.Duplicate}, nil
		}
		return rejected(op.ID, protocol.CodeOpIDReused, "this op id was already used for another change"), nil
	}
	res, err := s.mergeOp(ctx, tx, dev, op)
	if err != nil || res.Status == protocol.Rejected {
		return res, err
	}
	return res, tx.RecordOp(ctx, AppliedOp{OpID: op.ID, PayloadHash: hash, DeviceID: dev.ID, AppliedAt: s.now()})
}

// mergeOp checks the op's scope, merges it into the stored row and logs the
// conflicts, all in tx. Scope is decided from what HQ has stored and from
// the device asking, never from the op's own values: a device must be
// enrolled for the governorate a row is in now, and for the one it is in
// after the merge, so moving a row between governorates takes a device
// enrolled for both (or an administrator, through Server.Edit).
func (s *Server) mergeOp(ctx context.Context, tx Tx, dev Device, op protocol.Op) (protocol.OpResult, error) {
	if op.Table == safeer.TablePlace || op.Table == CredentialTable {
		return rejected(op.ID, protocol.CodeOutOfScope, "reference data (places) and credentials are kept by HQ"), nil
	}
	if res, refused, err := checkCertificateCode(ctx, tx, op); refused || err != nil {
		return res, err
	}
	stored, exists, err := tx.Row(ctx, op.Table, op.RowID)
	if err != nil {
		return protocol.OpResult{}, err
	}
	if exists && !inScope(dev.Governorates, stored.Scope) {
		return rejected(op.ID, protocol.CodeOutOfScope,
			fmt.Sprintf("%s %s belongs to %s, which this device is not enrolled for", op.Table, op.RowID, stored.Scope)), nil
	}
	if !exists && op.Table == safeer.TableConflict && !op.Reasserted {
		return rejected(op.ID, protocol.CodeOutOfScope, "conflict rows are made by HQ"), nil
	}
	if target, _ := op.Fields[safeer.FieldMergedInto].Value.(string); op.Table == safeer.TablePerson && target != "" {
		// A merge credits the person's attendance to the target: only
		// into someone this device may see.
		t, found, err := tx.Row(ctx, safeer.TablePerson, target)
		if err != nil {
			return protocol.OpResult{}, err
		}
		// (A target HQ does not hold yet credits nobody elsewhere; the
		// device's own new person, say, whose creation was refused.)
		if found && !inScope(dev.Governorates, t.Scope) {
			return rejected(op.ID, protocol.CodeOutOfScope,
				fmt.Sprintf("person %s is merged into %s, who is in %s, a governorate this device is not enrolled for", op.RowID, target, t.Scope)), nil
		}
	}
	cur, err := decodeData(stored.Data)
	if err != nil {
		return protocol.OpResult{}, fmt.Errorf("%s %s: %w", op.Table, op.RowID, err)
	}

	// A stored field is concurrent with the op when another device set it
	// after the revision the op was based on: the op's author never saw it.
	// The author is the device part of the op's stamp: the pushing device
	// for a new edit (checkOp made sure), the original author for a value
	// re-asserted after HQ's restore.
	concurrent := func(field string) bool {
		f := cur[field]
		return f.R > op.BaseRev && stampDevice(f.H) != stampDevice(op.Fields[field].HLC)
	}
	if op.Reasserted && op.Table != safeer.TableConflict {
		// Values coming back after HQ's restore: see hq/restore.go.
		start, err := s.epochStart(ctx)
		if err != nil {
			return protocol.OpResult{}, err
		}
		met, err := reassertedConcurrent(ctx, tx, op, cur, start)
		if err != nil {
			return protocol.OpResult{}, err
		}
		concurrent = func(field string) bool { return met[field] }
	}
	if op.Table == safeer.TableConflict {
		concurrent = nil // the conflict log itself is never in conflict
	}
	changed, conflicts := protocol.Merge(cur.fields(), op.Fields, concurrent)
	superseded := supersededFields(cur, op, changed, conflicts)

	finalScope, parent := stored.Scope, stored.Parent
	if len(changed) > 0 {
		merged := make(rowData, len(cur)+len(changed))
		for k, f := range cur {
			merged[k] = f
		}
		for k, f := range changed {
			merged[k] = storedField{V: f.Value, H: f.HLC}
		}
		if op.Table != safeer.TableConflict || !exists { // a conflict stays where HQ logged it
			var ok bool
			var reason string
			finalScope, parent, ok, reason, err = rowScope(ctx, tx, op.Table, merged)
			if err != nil {
				return protocol.OpResult{}, err
			}
			if !ok {
				return rejected(op.ID, protocol.CodeOutOfScope, reason), nil
			}
		}
		if !inScope(dev.Governorates, finalScope) {
			if exists {
				return rejected(op.ID, protocol.CodeOutOfScope, fmt.Sprintf("%s %s would move from %s to %s; only a device enrolled for both, or an administrator, may move it",
					op.Table, op.RowID, stored.Scope, finalScope)), nil
			}
			return rejected(op.ID, protocol.CodeOutOfScope,
				fmt.Sprintf("%s %s belongs to %s, which this device is not enrolled for", op.Table, op.RowID, finalScope)), nil
		}
		seq, err := tx.NextSeq(ctx)
		if err != nil {
			return protocol.OpResult{}, err
		}
		for k, f := range changed {
			cur[k] = storedField{V: f.Value, H: f.HLC, R: seq}
		}
		row := Row{Table: op.Table, ID: op.RowID, Scope: finalScope, Parent: parent, Seq: seq,
			Pending: op.Table == safeer.TableConflict && cur[safeer.FieldResolved].V != true, Data: cur.encode()}
		if err := tx.PutRow(ctx, row); err != nil {
			return protocol.OpResult{}, err
		}
		if exists && stored.Scope != finalScope {
			if err := moved(ctx, tx, op.Table, op.RowID, stored.Scope, finalScope); err != nil {
				return protocol.OpResult{}, err
			}
		}
		_, mergeSet := changed[safeer.FieldMergedInto]
		_, deleteSet := changed[safeer.FieldDeleted]
		if mergeSet && op.Table == safeer.TablePerson {
			if err := s.breakMergeCycle(ctx, tx, op.RowID); err != nil {
				return protocol.OpResult{}, err
			}
		}
		if (mergeSet || deleteSet) && op.Table == safeer.TablePerson {
			if err := s.undoMergesIntoDeleted(ctx, tx, op.RowID); err != nil {
				return protocol.OpResult{}, err
			}
		}
	}
	// Accepted: HQ's clock moves past the op's stamps (checkOp refused
	// stamps beyond MaxAhead, so no device can drag it into the future).
	for _, f := range op.Fields {
		if h, err := protocol.ParseHLC(f.HLC); err == nil {
			s.clock.Observe(h)
		}
	}
	if len(conflicts) > 0 {
		if err := s.logConflicts(ctx, tx, op, finalScope, conflicts); err != nil {
			return protocol.OpResult{}, err
		}
		fields := make([]string, len(conflicts))
		for i, c := range conflicts {
			fields[i] = c.Field
		}
		return protocol.OpResult{ID: op.ID, Status: protocol.Conflicted,
			Message: "changed at the same time elsewhere: " + strings.Join(fields, ", ")}, nil
	}
	if len(superseded) > 0 {
		return protocol.OpResult{ID: op.ID, Status: protocol.Superseded,
			Message: "HQ keeps a newer value of " + strings.Join(superseded, ", ")}, nil
	}
	return protocol.OpResult{ID: op.ID, Status: protocol.Applied}, nil
}

// supersededFields lists, sorted, the op's fields whose values lost the
// merge without a conflict: HQ holds a later stamp that the op's author had
// seen (or that is its own). The value differs, so "applied" would be false.
func supersededFields(cur rowData, op protocol.Op, changed map[string]protocol.Field, conflicts []protocol.FieldConflict) []string {
	inConflict := make(map[string]bool, len(conflicts))
	for _, c := range conflicts {
		inConflict[c.Field] = true
	}
	var out []string
	for name, f := range op.Fields {
		stored, ok := cur[name]
		if _, won := changed[name]; won || inConflict[name] || !ok || stored.H == f.HLC || protocol.SameValue(stored.V, f.Value) {
			continue
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// checkAuthors accepts the stamps of a re-asserted op (values HQ lost in a
// restore, sent again with their original stamps) when each names the
// pushing device, HQ, or a device HQ has enrolled: a device cannot put
// words in the name of one that does not exist.
func checkAuthors(ctx context.Context, tx Tx, dev Device, op protocol.Op) (code, msg string, err error) {
	seen := map[string]bool{dev.ID: true, protocol.HQDevice: true}
	for name, f := range op.Fields {
		d := stampDevice(f.HLC)
		if seen[d] {
			continue
		}
		if _, found, err := tx.Device(ctx, d); err != nil {
			return "", "", err
		} else if !found {
			return protocol.CodeNotAuthor, fmt.Sprintf("field %s is re-asserted in the name of %q, a device HQ does not know", name, d), nil
		}
		seen[d] = true
	}
	return "", "", nil
}

// logConflicts writes a conflict row for each lost edit, in the row's
// scope, so the devices that see the row see its conflicts too.
func (s *Server) logConflicts(ctx context.Context, tx Tx, op protocol.Op, scope string, conflicts []protocol.FieldConflict) error {
	sort.Slice(conflicts, func(i, j int) bool { return conflicts[i].Field < conflicts[j].Field })
	stamp := s.clock.Now().String()
	created := s.now().UTC().Format("2006-01-02T15:04:05Z")
	for _, c := range conflicts {
		id := ConflictID(op.Table, op.RowID, c.Field, c.Winner.HLC, c.Loser.HLC)
		if _, found, err := tx.Row(ctx, safeer.TableConflict, id); err != nil || found {
			if err != nil {
				return err
			}
			continue
		}
		seq, err := tx.NextSeq(ctx)
		if err != nil {
			return err
		}
		values := map[string]any{
			safeer.FieldTbl: op.Table, safeer.FieldRowID: op.RowID, safeer.FieldField: c.Field,
			safeer.FieldWinner: c.Winner.Value, safeer.FieldWinnerHLC: c.Winner.HLC,
			safeer.FieldLoser: c.Loser.Value, safeer.FieldLoserHLC: c.Loser.HLC,
			safeer.FieldGovernorate: scope, safeer.FieldCreatedAt: created, safeer.FieldResolved: false, safeer.FieldResolvedAt: "",
		}
		data := make(rowData, len(values))
		for k, v := range values {
			data[k] = storedField{V: v, H: stamp, R: seq}
		}
		if err := tx.PutRow(ctx, Row{Table: safeer.TableConflict, ID: id, Scope: scope, Parent: op.RowID,
			Seq: seq, Pending: true, Data: data.encode()}); err != nil {
			return err
		}
	}
	if err := tx.SaveClock(ctx, stamp); err != nil {
		return err
	}
	return nil
}

// moved records that the row (table, id) and the rows that inherit their
// scope from it left governorate from for to: the children follow (each
// with a new sequence number, so the devices of the new governorate pull
// them) and the devices of the old one are told to drop their copies.
func moved(ctx context.Context, tx Tx, table, id, from, to string) error {
	if err := putExit(ctx, tx, table, id, from); err != nil {
		return err
	}
	return rescope(ctx, tx, id, to, map[string]bool{table + "/" + id: true})
}

// rescope moves the rows that inherit their scope from row id (a
// workshop's attendance, their certificates, conflicts about any of them)
// into governorate to. seen guards against cycles a device could build.
func rescope(ctx context.Context, tx Tx, id, to string, seen map[string]bool) error {
	kids, err := tx.Children(ctx, id)
	if err != nil {
		return err
	}
	for _, k := range kids {
		key := k.Table + "/" + k.ID
		if seen[key] {
			continue
		}
		seen[key] = true
		if k.Scope != to {
			old := k.Scope
			seq, err := tx.NextSeq(ctx)
			if err != nil {
				return err
			}
			k.Scope, k.Seq = to, seq
			if err := tx.PutRow(ctx, k); err != nil {
				return err
			}
			if err := putExit(ctx, tx, k.Table, k.ID, old); err != nil {
				return err
			}
		}
		if err := rescope(ctx, tx, k.ID, to, seen); err != nil {
			return err
		}
	}
	return nil
}

// cleanID accepts ids of 1 to maxIDLen characters without control
// characters (UUIDs in practice).
func cleanID(id string) bool {
	if id == "" || len(id) > maxIDLen {
		return false
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return false
		}
	}
	return true
}

func inScope(govs []string, scope string) bool {
	for _, g := range govs {
		if g == scope {
			return true
		}
	}
	return false
}
