// Package hq is Safeer's HQ server: the sync API that devices push their
// outboxes to and pull HQ's changes from, device enrolment and auth, and the
// admin operations behind safeer-hq's commands. The database is behind the
// Store interface, with a SQLite (hq/sqlite) and a PostgreSQL (hq/postgres)
// backend; the sync rules (scope, per-field merge, conflict log) are here,
// once, for both.
//
// Rows are stored generically: table, id, scope, parent, seq and the fields
// as JSON, each with the stamp that set it and the sequence number of that
// write. A push batch is applied in one transaction, op by op, each op with
// its own result and applied_ops record (a retry is a duplicate, a reused
// op id with other content is refused). Scope is a governorate: a person's or workshop's
// own, an attendance's workshop's, a certificate's attendance's, a
// conflict's row's; places are for everyone. A field is concurrent with an
// op when another device set it at a revision above the op's base; when the
// values differ, the losing one becomes a "conflict" row in the same scope,
// so the devices that see the row see its conflict too.
//
// Every database has a random epoch, part of every pull cursor. A database
// restored from a backup has forgotten changes the devices already pulled:
// run `safeer-hq reset-epoch` on it, and every device answers the next
// 409 must_resync by pushing its outbox and pulling everything again.
package hq

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oman-sca/safeer/sync/protocol"
	"github.com/oman-sca/safeer/sync/syncfile"
)

// maxEnrolBody bounds an enrolment request.
const maxEnrolBody = 8 << 10

// Server serves the sync API. It is safe for concurrent use.
type Server struct {
	store Store
	key   ed25519.PrivateKey
	clock *protocol.Clock
	log   *slog.Logger
	now   func() time.Time

	// touched is when this process last recorded each device's activity,
	// by kind (see touch).
	touchMu sync.Mutex
	touched map[touchKey]time.Time
	// pulls admits pull pages a few at a time, in the order they came (see
	// pullPage).
	pulls *fifo
	// pushes is the queue of push batches waiting for the writer (see
	// applyBatch).
	pushes *pushQueue
	// pages are the pull pages built lately (see pageCache).
	pages *pageCache
	// recovery is HQ's recovery recipient given at enrolment (enrol.go).
	recovery string
	// epochs is the start of the epoch, once read (see epochStart).
	epochs epochStartCache
}

// otherEpoch reports whether a device's cursor is of another epoch than
// HQ's: HQ was restored or reset since the device last pulled, so the base
// revisions of its ops mean nothing here and it must pull everything
// again before its ops are applied (a push answers must_resync; a sync
// file's ops wait on the device). No cursor (a device that never pulled)
// is of no epoch.
func (s *Server) otherEpoch(ctx context.Context, cursor string) (bool, error) {
	c, err := ParseCursor(cursor)
	if err != nil || c.Epoch == "" {
		return false, nil
	}
	meta, err := s.store.Meta(ctx)
	if err != nil {
		return false, err
	}
	return c.Epoch != meta.Epoch, nil
}

type touchKey struct {
	device string
	kind   Touch
}

// touchEvery is how often a device's activity of one kind is written:
// the pages of one pull, say, are one visit for last_pull. A write per
// request would be one more writer in the queue behind every push.
const touchEvery = 10 * time.Second

// Options configure NewServer; the zero value is fine.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time // the wall clock (tests of clock skew)
	// RecoveryRecipient is HQ's recovery key's public half (age1…), given
	// to devices at enrolment (hq/enrol.go); "" for none.
	RecoveryRecipient string
}

// NewServer makes a server over store that endorses device keys with key.
// HQ's clock continues from the one saved in the store.
func NewServer(ctx context.Context, store Store, key ed25519.PrivateKey, opt Options) (*Server, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, errors.New("HQ's signing key is missing or not Ed25519")
	}
	s := &Server{store: store, key: key, log: opt.Logger, now: opt.Now,
		touched: map[touchKey]time.Time{}}
	if err := s.setRecoveryRecipient(opt.RecoveryRecipient); err != nil {
		return nil, err
	}
	s.pushes = newPushQueue(s)
	s.pulls = newFIFO(s.pullLimit)
	s.pages = newPageCache(pageCacheBytes)
	if s.log == nil {
		s.log = slog.Default()
	}
	fakeTime := s.now != nil
	if s.now == nil {
		s.now = time.Now
	}
	meta, err := store.Meta(ctx)
	if err != nil {
		return nil, err
	}
	last, err := protocol.ParseHLC(meta.Clock)
	if err != nil {
		return nil, fmt.Errorf("HQ's saved clock: %w", err)
	}
	s.clock = protocol.NewClock("hq", last, s.now)
	if fakeTime {
		// HQ's time is given (tests): its clock's floor must not age by
		// the real monotonic clock past that time.
		s.clock.SetMonotonic(func() time.Duration { return 0 })
	}
	return s, nil
}

// Clock is HQ's clock (tests look at it).
func (s *Server) Clock() *protocol.Clock { return s.clock }

// Handler is the HTTP API. Every error reply is a protocol.ErrorResponse.
func (s *Server) Handler() http.Handler { return s.HandlerWith(nil) }

// HandlerWith is the HTTP API with site (HQ's web pages, package hq/web)
// serving every path outside /v1/. A nil site answers them 404 like Handler.
func (s *Server) HandlerWith(site http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(protocol.PathPing, s.method(http.MethodGet, s.handlePing))
	mux.HandleFunc(protocol.PathEnrol, s.method(http.MethodPost, s.handleEnrol))
	mux.HandleFunc(protocol.PathEnrolChallenge, s.method(http.MethodPost, s.handleEnrolChallenge))
	mux.HandleFunc(protocol.PathPush, s.method(http.MethodPost, s.auth(s.handlePush)))
	mux.HandleFunc(protocol.PathPull, s.method(http.MethodGet, s.auth(s.handlePull)))
	mux.HandleFunc(protocol.PathStatus, s.method(http.MethodGet, s.auth(s.handleStatus)))
	mux.HandleFunc(syncfile.RelayPath, s.method(http.MethodPost, s.auth(s.handleSyncFile)))
	notFound := func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, http.StatusNotFound, "not_found", "no such endpoint")
	}
	mux.HandleFunc("/v1/", notFound)
	if site != nil {
		mux.Handle("/", site)
	} else {
		mux.HandleFunc("/", notFound)
	}
	return s.recoverAndLog(mux)
}

// method answers other methods with a JSON 405 (ServeMux's own is text).
func (s *Server) method(m string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != m && !(m == http.MethodGet && r.Method == http.MethodHead) {
			w.Header().Set("Allow", m)
			writeError(w, r, http.StatusMethodNotAllowed, "method_not_allowed", "use "+m)
			return
		}
		h(w, r)
	}
}

type ctxKey int

const deviceKey ctxKey = 0

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
	device string
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// recoverAndLog logs every request and turns a panic into a 500 reply
// (and a log line with the stack) instead of a dropped connection.
func (s *Server) recoverAndLog(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic serving request", "path", logPath(r.URL.Path), "panic", p, "stack", string(debug.Stack()))
				if sw.status == 0 {
					writeError(sw, r, http.StatusInternalServerError, "internal", "HQ failed; try again later")
				}
			}
			s.log.Info("request", "method", r.Method, "path", logPath(r.URL.Path), "status", sw.status,
				"device", sw.device, "ms", time.Since(start).Milliseconds(), "remote", r.RemoteAddr)
		}()
		h.ServeHTTP(sw, r)
	})
}

// logPath is a request path fit for the log: a certificate's QR link
// (/v/RECORD) carries the person's name and workshop, which logs must not
// keep, so a long /v/ segment is cut to its start. Codes are short and stay.
func logPath(path string) string {
	for _, prefix := range []string{"/v/", "/V/"} {
		if rest, ok := strings.CutPrefix(path, prefix); ok && len(rest) > 16 {
			return prefix + rest[:8] + "…(record)"
		}
	}
	return path
}

// auth finds the device by its bearer token and refuses unknown and revoked
// ones.
func (s *Server) auth(h func(http.ResponseWriter, *http.Request, Device)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > 256 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="safeer"`)
			writeError(w, r, http.StatusUnauthorized, protocol.ErrUnauthorized, "this device is not enrolled (no token)")
			return
		}
		hash := HashToken(token)
		dev, found, err := s.store.DeviceByToken(r.Context(), hash)
		if err != nil {
			s.storeFailed(w, r, err)
			return
		}
		// The lookup is by hash; comparing the hashes in constant time as
		// well leaves no timing to learn from however the index behaves.
		if !found || subtle.ConstantTimeCompare(dev.TokenHash, hash) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="safeer"`)
			writeError(w, r, http.StatusUnauthorized, protocol.ErrUnauthorized, "this device's token is not known to HQ: enrol it again")
			return
		}
		if sw, ok := w.(*statusWriter); ok {
			sw.device = dev.ID
		}
		if dev.Revoked() {
			writeError(w, r, http.StatusUnauthorized, protocol.ErrDeviceRevoked,
				"HQ has revoked this device: it no longer syncs; its data and unsent changes stay on it")
			return
		}
		h(w, r, dev)
	}
}

func (s *Server) storeFailed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the client went away
	}
	s.log.Error("store failed", "path", r.URL.Path, "err", err)
	writeError(w, r, http.StatusServiceUnavailable, "unavailable", "HQ cannot reach its database; try again later")
}

// touch records the device's request, unless this process recorded one
// of the same kind less than touchEvery ago (last_seen, last_push and
// last_pull are for people to read; a few seconds late is fine). It goes
// through the writer's queue (see pushQueue.recordTouch).
func (s *Server) touch(r *http.Request, dev Device, kind Touch) {
	t, due := s.touchDue(dev, kind)
	if !due {
		return
	}
	if err := s.pushes.recordTouch(r.Context(), dev, t); err != nil {
		s.touchFailed(dev, kind, err)
	}
}

// touchDue says whether the device's request of kind is to be recorded
// (see touch), and marks it recorded now if so.
func (s *Server) touchDue(dev Device, kind Touch) (deviceTouch, bool) {
	now := s.now()
	k := touchKey{dev.ID, kind}
	s.touchMu.Lock()
	defer s.touchMu.Unlock()
	last, ok := s.touched[k]
	if ok && now.Sub(last) >= 0 && now.Sub(last) < touchEvery {
		return deviceTouch{}, false
	}
	s.touched[k] = now
	return deviceTouch{kind: kind, at: now}, true
}

// touchFailed forgets that the request was recorded, so the next one is.
func (s *Server) touchFailed(dev Device, kind Touch, err error) {
	s.touchMu.Lock()
	delete(s.touched, touchKey{dev.ID, kind})
	s.touchMu.Unlock()
	if err != nil && !errors.Is(err, context.Canceled) {
		s.log.Warn("cannot record device activity", "device", dev.ID, "err", err)
	}
}

func (s *Server) handlePing(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, r, http.StatusOK, map[string]any{"ok": true})
}

func (s *Server) handleEnrol(w http.ResponseWriter, r *http.Request) {
	raw, ok := readEnrolBody(w, r)
	if !ok {
		return
	}
	req, err := DecodeEnrol(raw)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, protocol.ErrBadRequest, err.Error())
		return
	}
	resp, err := s.enrol(r.Context(), req)
	if s.enrolRefused(w, r, err) {
		return
	}
	s.log.Info("device enrolled", "device", resp.DeviceID, "governorates", resp.Governorates)
	writeJSON(w, r, http.StatusOK, resp)
}

func (s *Server) handleEnrolChallenge(w http.ResponseWriter, r *http.Request) {
	raw, ok := readEnrolBody(w, r)
	if !ok {
		return
	}
	req, err := DecodeEnrolChallenge(raw)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, protocol.ErrBadRequest, err.Error())
		return
	}
	resp, err := s.enrolChallenge(r.Context(), req)
	if s.enrolRefused(w, r, err) {
		return
	}
	writeJSON(w, r, http.StatusOK, resp)
}

// readEnrolBody reads an enrolment step's body (at most maxEnrolBody),
// answering the request itself when it cannot.
func readEnrolBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	raw, err := readBody(http.MaxBytesReader(w, r.Body, maxEnrolBody), r.Header.Get("Content-Encoding"), maxEnrolBody)
	if err != nil {
		badBody(w, r, err)
		return nil, false
	}
	return raw, true
}

// enrolRefused answers an enrolment step that failed, with its refusal in
// words or as a store failure, and reports whether it did.
func (s *Server) enrolRefused(w http.ResponseWriter, r *http.Request, err error) bool {
	var ee *enrolError
	switch {
	case err == nil:
		return false
	case errors.As(err, &ee):
		writeError(w, r, ee.status, ee.code, ee.msg)
	default:
		s.storeFailed(w, r, err)
	}
	return true
}

func (s *Server) handlePush(w http.ResponseWriter, r *http.Request, dev Device) {
	req, err := DecodePush(http.MaxBytesReader(w, r.Body, MaxPushBody), r.Header.Get("Content-Encoding"))
	if err != nil {
		badBody(w, r, err)
		return
	}
	if other, err := s.otherEpoch(r.Context(), req.Cursor); err != nil {
		s.storeFailed(w, r, err)
		return
	} else if other {
		writeError(w, r, http.StatusConflict, protocol.ErrMustResync, "HQ's database was restored or reset since this device last pulled: pull everything again, then push")
		return
	}
	// The push is recorded (last_push) in the transaction that applies it.
	var touch *deviceTouch
	if t, due := s.touchDue(dev, TouchPush); due {
		touch = &t
	}
	results, err := s.applyBatchTouching(r.Context(), dev, req.Ops, touch)
	if err != nil {
		if touch != nil {
			s.touchFailed(dev, TouchPush, nil)
		}
		s.storeFailed(w, r, err)
		return
	}
	resp := protocol.PushResponse{Results: results}
	resp.Clock = s.clock.Now().String()
	writeJSON(w, r, http.StatusOK, resp)
}

func (s *Server) handlePull(w http.ResponseWriter, r *http.Request, dev Device) {
	c, limit, err := ParsePull(r.URL.RawQuery)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, protocol.ErrBadRequest, err.Error())
		return
	}
	body, err := s.pullPage(r, dev, c, limit)
	if errors.Is(err, errMustResync) {
		writeError(w, r, http.StatusConflict, protocol.ErrMustResync, err.Error())
		return
	}
	if err != nil {
		if r.Context().Err() != nil {
			return // the client went away
		}
		s.storeFailed(w, r, err)
		return
	}
	s.touch(r, dev, TouchPull)
	body.write(w)
}

// maxPullDefer is the longest a pull page waits for the pushes queued
// before it (see pullPage).
const maxPullDefer = 30 * time.Second

// pullLimit is how many pull pages HQ builds at once: as many as it has
// cores, or half as many while pushes are waiting for the writer, so that
// pages, the heavier work, leave the other half to the pushes.
func (s *Server) pullLimit() int {
	n := runtime.GOMAXPROCS(0)
	if s.pushes.busy() {
		return max(1, n/2)
	}
	return max(1, n)
}

// fifo is a semaphore that lets its waiters in in the order they came; how
// many it lets in at once may change (limit).
type fifo struct {
	mu      sync.Mutex
	limit   func() int
	inUse   int
	waiters []chan struct{}
}

func newFIFO(limit func() int) *fifo { return &fifo{limit: limit} }

// acquire waits for a place, or for ctx to end (then it holds none).
func (f *fifo) acquire(ctx context.Context) error {
	f.mu.Lock()
	if f.inUse < f.limit() && len(f.waiters) == 0 {
		f.inUse++
		f.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	f.waiters = append(f.waiters, ch)
	f.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		f.mu.Lock()
		if i := slices.Index(f.waiters, ch); i >= 0 {
			f.waiters = slices.Delete(f.waiters, i, i+1)
			f.mu.Unlock()
			return ctx.Err()
		}
		f.mu.Unlock()
		f.release() // handed a place as ctx ended: pass it on
		return ctx.Err()
	}
}

// release gives a place back, and lets in the first waiters while there
// is room.
func (f *fifo) release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inUse--
	for len(f.waiters) > 0 && f.inUse < f.limit() {
		close(f.waiters[0])
		f.waiters = f.waiters[1:]
		f.inUse++
	}
}

// handleStatus answers what HQ knows of the device. It is not a sync: it
// records no activity.
func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request, dev Device) {
	meta, err := s.store.Meta(r.Context())
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	pending, err := s.store.PendingConflicts(r.Context(), dev.Governorates)
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	writeJSON(w, r, http.StatusOK, protocol.StatusResponse{
		DeviceID: dev.ID, Name: dev.Name, Governorates: dev.Governorates, EnrolledAt: dev.EnrolledAt.UTC(),
		LastPush: timePtr(dev.LastPush), LastPull: timePtr(dev.LastPull), PendingConflicts: pending,
		Cursor: Cursor{Epoch: meta.Epoch, Seq: meta.Seq}.String(), Clock: s.clock.Now().String(),
	})
}

func badBody(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errTooLarge) {
		writeError(w, r, http.StatusRequestEntityTooLarge, protocol.ErrTooLarge, err.Error())
		return
	}
	writeError(w, r, http.StatusBadRequest, protocol.ErrBadRequest, err.Error())
}

func writeError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	writeJSON(w, r, status, protocol.ErrorResponse{Error: code, Message: msg})
}

// gzipMin is the reply size from which gzip pays for itself.
const gzipMin = 1 << 10

// writeJSON writes v, gzipped when the client accepts it and it is big
// enough to gain (pull pages are; a ping is not).
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	encodeJSON(r, status, v).write(w)
}

// gzipWriters are reused: a new one allocates some 800 KiB, per pull page.
var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}

// encoded is a reply encoded (and gzipped) but not yet sent.
type encoded struct {
	status int
	gzip   bool
	body   []byte
}

// encodeJSON encodes v as writeJSON sends it.
func encodeJSON(r *http.Request, status int, v any) encoded {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(protocol.ErrorResponse{Error: "internal", Message: "HQ could not encode its reply"})
	}
	if len(b) >= gzipMin && acceptsGzip(r) {
		var buf bytes.Buffer
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(&buf)
		zw.Write(b)
		zw.Close()
		gzipWriters.Put(zw)
		return encoded{status: status, gzip: true, body: buf.Bytes()}
	}
	return encoded{status: status, body: b}
}

func (e encoded) write(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept-Encoding")
	if e.gzip {
		h.Set("Content-Encoding", "gzip")
	}
	w.WriteHeader(e.status)
	w.Write(e.body)
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q, hasQ := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		if !hasQ {
			return true
		}
		f, err := strconv.ParseFloat(q, 64)
		return err == nil && f > 0
	}
	return false
}
