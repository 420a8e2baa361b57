package client

import (
	"compress/gzip"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/sync/protocol"
)

// fakeHQ is a small in-memory HQ that speaks the protocol of package sync,
// for the client's unit tests. It is not the real HQ (package hq): the
// end-to-end test against safeer-hq is separate.
type fakeHQ struct {
	t   testing.TB
	srv *httptest.Server
	key ed25519.PrivateKey

	mu      sync.Mutex
	clock   *protocol.Clock
	epoch   string
	seq     int64
	rows    map[string]*hqRow // table/id
	applied map[string]string // op id → payload hash
	codes   map[string][]string
	devices map[string]*hqDevice // token → device
	nonces  map[string]bool      // enrolment challenges handed out, unused

	enrolled []protocol.EnrolRequest // every enrolment accepted

	// Fault injection and observation.
	failPush  []int          // statuses for the next pushes
	failPull  []int          // statuses for the next pulls
	slowAbove int            // pushes with more ops than this sleep slowFor
	slowFor   time.Duration  //
	pushSizes []int          // ops in each push received
	pushed    []protocol.Op  // every op received, in order
	cursors   []string       // cursors of pulls received
	requests  map[string]int // path → count
}

type hqDevice struct {
	id      string
	govs    []string
	revoked bool
}

type hqRow struct {
	table, id string
	fields    map[string]protocol.Field
	setAt     map[string]int64
	setBy     map[string]string
	seq       int64
}

func newFakeHQ(t testing.TB) *fakeHQ {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	h := &fakeHQ{
		t: t, key: key, clock: protocol.NewClock("hq", protocol.HLC{}, nil), epoch: "e1",
		rows: map[string]*hqRow{}, applied: map[string]string{}, codes: map[string][]string{},
		devices: map[string]*hqDevice{}, requests: map[string]int{}, nonces: map[string]bool{},
	}
	h.srv = httptest.NewServer(h)
	t.Cleanup(h.srv.Close)
	return h
}

func (h *fakeHQ) URL() string { return h.srv.URL }

// code makes a one-time enrolment code for governorates.
func (h *fakeHQ) code(govs ...string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := fmt.Sprintf("CODE-%d", len(h.codes)+1)
	h.codes[c] = govs
	return c
}

func (h *fakeHQ) revoke(deviceID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, d := range h.devices {
		if d.id == deviceID {
			d.revoked = true
		}
	}
}

// restore simulates HQ restored from an older backup: a new epoch, and the
// rows changed after seq keep is lost.
func (h *fakeHQ) restore(keep int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.epoch = "e" + strconv.Itoa(len(h.epoch)+int(h.seq)+1)
	for k, r := range h.rows {
		if r.seq > keep {
			delete(h.rows, k)
		}
	}
	for id := range h.applied {
		delete(h.applied, id)
	}
}

func (h *fakeHQ) row(table, id string) map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.rows[table+"/"+id]
	if r == nil {
		return nil
	}
	out := map[string]any{}
	for k, f := range r.fields {
		out[k] = f.Value
	}
	return out
}

func (h *fakeHQ) count(table string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.rows {
		if r.table == table {
			n++
		}
	}
	return n
}

func (h *fakeHQ) reqs(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.requests[path]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, protocol.ErrorResponse{Error: code, Message: msg})
}

func (h *fakeHQ) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.requests[r.URL.Path]++
	h.mu.Unlock()
	switch r.URL.Path {
	case protocol.PathPing:
		w.Write([]byte(`{"ok":true}`))
		return
	case protocol.PathEnrol:
		h.enrol(w, r)
		return
	case protocol.PathEnrolChallenge:
		h.challenge(w, r)
		return
	}
	h.mu.Lock()
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	dev := h.devices[tok]
	h.mu.Unlock()
	switch {
	case dev == nil:
		writeErr(w, 401, protocol.ErrUnauthorized, "unknown token")
		return
	case dev.revoked:
		writeErr(w, 401, protocol.ErrDeviceRevoked, "this device was revoked")
		return
	}
	switch r.URL.Path {
	case protocol.PathPush:
		h.push(w, r, dev)
	case protocol.PathPull:
		h.pull(w, r, dev)
	default:
		writeErr(w, 404, "not_found", r.URL.Path)
	}
}

// challenge hands out a single-use nonce, as HQ does.
func (h *fakeHQ) challenge(w http.ResponseWriter, r *http.Request) {
	var req protocol.EnrolChallengeRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeErr(w, 400, protocol.ErrBadRequest, err.Error())
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.codes[req.Code]; !ok {
		writeErr(w, 403, protocol.ErrBadCode, "unknown or used code")
		return
	}
	n := uuid.NewString()
	h.nonces[n] = true
	writeJSON(w, 200, protocol.EnrolChallenge{Nonce: n, ExpiresAt: time.Now().Add(protocol.EnrolChallengeTTL)})
}

func (h *fakeHQ) enrol(w http.ResponseWriter, r *http.Request) {
	var req protocol.EnrolRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeErr(w, 400, protocol.ErrBadRequest, err.Error())
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	// The client must sign a nonce of ours, once, with its key.
	if !h.nonces[req.Nonce] {
		writeErr(w, 403, protocol.ErrBadNonce, "unknown or used nonce")
		return
	}
	delete(h.nonces, req.Nonce)
	if !protocol.VerifyEnrol(req) {
		writeErr(w, 403, protocol.ErrBadSignature, "not signed with the device's key")
		return
	}
	h.enrolled = append(h.enrolled, req)
	govs, ok := h.codes[req.Code]
	if !ok {
		writeErr(w, 403, protocol.ErrBadCode, "unknown or used code")
		return
	}
	delete(h.codes, req.Code)
	tok := uuid.NewString()
	h.devices[tok] = &hqDevice{id: req.DeviceID, govs: govs}
	writeJSON(w, 200, protocol.EnrolResponse{Token: tok, DeviceID: req.DeviceID, Governorates: govs,
		Endorsement: certificate.Endorse(h.key, req.DeviceID, ed25519.PublicKey(req.PublicKey)),
		HQPublicKey: h.key.Public().(ed25519.PublicKey), Clock: h.clock.Now().String()})
}

func (d *hqDevice) inScope(gov any) bool {
	g, _ := gov.(string)
	if g == "" {
		return true
	}
	for _, x := range d.govs {
		if x == g {
			return true
		}
	}
	return false
}

func (h *fakeHQ) push(w http.ResponseWriter, r *http.Request, dev *hqDevice) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") != "gzip" {
		writeErr(w, 400, protocol.ErrBadRequest, "push must be gzip")
		return
	}
	zr, err := gzip.NewReader(body)
	if err != nil {
		writeErr(w, 400, protocol.ErrBadRequest, err.Error())
		return
	}
	var req protocol.PushRequest
	if err := json.NewDecoder(zr).Decode(&req); err != nil {
		writeErr(w, 400, protocol.ErrBadRequest, err.Error())
		return
	}
	h.mu.Lock()
	h.pushSizes = append(h.pushSizes, len(req.Ops))
	h.pushed = append(h.pushed, req.Ops...)
	if len(h.failPush) > 0 {
		st := h.failPush[0]
		h.failPush = h.failPush[1:]
		h.mu.Unlock()
		writeErr(w, st, "", "injected")
		return
	}
	slow := h.slowAbove > 0 && len(req.Ops) > h.slowAbove
	h.mu.Unlock()
	if slow {
		select {
		case <-time.After(h.slowFor):
		case <-r.Context().Done():
			return // the client gave up: nothing applied
		}
	}
	h.mu.Lock()
	resp := protocol.PushResponse{}
	for _, op := range req.Ops {
		resp.Results = append(resp.Results, h.applyOp(dev, op))
	}
	resp.Clock = h.clock.Now().String()
	h.mu.Unlock()
	writeJSON(w, 200, resp)
}

func opHash(op protocol.Op) string {
	b, _ := json.Marshal(op)
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// applyOp is HQ's merge of one op (h.mu held).
func (h *fakeHQ) applyOp(dev *hqDevice, op protocol.Op) protocol.OpResult {
	res := protocol.OpResult{ID: op.ID}
	hash := opHash(op)
	if prev, ok := h.applied[op.ID]; ok {
		if prev == hash {
			res.Status = protocol.Duplicate
		} else {
			res.Status, res.Code = protocol.Rejected, protocol.CodeOpIDReused
		}
		return res
	}
	if _, ok := protocol.Tables[op.Table]; !ok {
		res.Status, res.Code = protocol.Rejected, protocol.CodeUnknownTable
		return res
	}
	limit := time.Now().Add(protocol.MaxAhead).UnixMilli()
	for name, f := range op.Fields {
		if !protocol.KnownField(op.Table, name) {
			res.Status, res.Code = protocol.Rejected, protocol.CodeUnknownField
			return res
		}
		st, err := protocol.ParseHLC(f.HLC)
		if err != nil {
			res.Status, res.Code = protocol.Rejected, protocol.CodeBadValue
			return res
		}
		if st.Wall > limit {
			res.Status, res.Code, res.Message = protocol.Rejected, protocol.CodeClockSkew, "stamped too far ahead of HQ"
			return res
		}
	}
	key := op.Table + "/" + op.RowID
	row := h.rows[key]
	if g, ok := op.Fields["governorate"]; ok && !dev.inScope(g.Value) {
		res.Status, res.Code = protocol.Rejected, protocol.CodeOutOfScope
		return res
	}
	if row != nil && !dev.inScope(row.fields["governorate"].Value) {
		res.Status, res.Code = protocol.Rejected, protocol.CodeOutOfScope
		return res
	}
	if row == nil {
		row = &hqRow{table: op.Table, id: op.RowID, fields: map[string]protocol.Field{}, setAt: map[string]int64{}, setBy: map[string]string{}}
		h.rows[key] = row
	}
	changed, conflicts := protocol.Merge(row.fields, op.Fields, func(f string) bool {
		return row.setAt[f] > op.BaseRev && row.setBy[f] != dev.id
	})
	h.applied[op.ID] = hash
	for _, f := range op.Fields {
		if st, err := protocol.ParseHLC(f.HLC); err == nil {
			h.clock.Observe(st)
		}
	}
	if len(changed) > 0 {
		h.seq++
		for k, f := range changed {
			row.fields[k] = f
			row.setAt[k] = h.seq
			row.setBy[k] = dev.id
		}
		row.seq = h.seq
	}
	res.Status = protocol.Applied
	for _, c := range conflicts {
		res.Status = protocol.Conflicted
		h.seq++
		now := h.clock.Now().String()
		cf := func(v any) protocol.Field { return protocol.Field{Value: v, HLC: now} }
		id := uuid.Must(uuid.NewV7()).String()
		h.rows["conflict/"+id] = &hqRow{table: "conflict", id: id, seq: h.seq, setAt: map[string]int64{}, setBy: map[string]string{},
			fields: map[string]protocol.Field{
				"tbl": cf(op.Table), "row_id": cf(op.RowID), "field": cf(c.Field),
				"winner": cf(c.Winner.Value), "winner_hlc": cf(c.Winner.HLC),
				"loser": cf(c.Loser.Value), "loser_hlc": cf(c.Loser.HLC),
				"governorate": cf(row.fields["governorate"].Value), "created_at": cf(time.Now().UTC().Format(time.RFC3339)),
				"resolved": cf(false),
			}}
	}
	return res
}

func (h *fakeHQ) pull(w http.ResponseWriter, r *http.Request, dev *hqDevice) {
	cursor := r.URL.Query().Get("cursor")
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > protocol.MaxPullLimit {
		limit = protocol.MaxPullLimit
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cursors = append(h.cursors, cursor)
	if len(h.failPull) > 0 {
		st := h.failPull[0]
		h.failPull = h.failPull[1:]
		writeErr(w, st, "", "injected")
		return
	}
	var after int64
	if cursor != "" {
		ep, s, ok := strings.Cut(cursor, ".")
		n, err := strconv.ParseInt(s, 10, 64)
		if !ok || err != nil {
			writeErr(w, 400, protocol.ErrBadRequest, "bad cursor")
			return
		}
		if ep != h.epoch {
			writeErr(w, 409, protocol.ErrMustResync, "HQ was restored")
			return
		}
		after = n
	}
	var rows []*hqRow
	for _, row := range h.rows {
		if row.seq > after {
			rows = append(rows, row)
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].seq < rows[j].seq })
	resp := protocol.PullResponse{Clock: h.clock.Now().String()}
	last := after
	for _, row := range rows {
		if len(resp.Changes) == limit {
			resp.HasMore = true
			break
		}
		last = row.seq
		if !dev.inScope(row.fields["governorate"].Value) {
			continue
		}
		fields := map[string]protocol.Field{}
		for k, f := range row.fields {
			fields[k] = f
		}
		resp.Changes = append(resp.Changes, protocol.Change{Seq: row.seq, Table: row.table, RowID: row.id, Fields: fields})
	}
	resp.NextCursor = fmt.Sprintf("%s.%d", h.epoch, last)
	writeJSON(w, 200, resp)
}
