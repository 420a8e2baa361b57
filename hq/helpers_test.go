package hq_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/postgres"
	"github.com/oman-sca/safeer/hq/sqlite"
	"github.com/oman-sca/safeer/internal/testharness/pgtest"
	"github.com/oman-sca/safeer/sync/protocol"
)

var ctx = context.Background()

// backends runs fn against SQLite and against PostgreSQL (pgtest: the
// PostgreSQL part fails when $SAFEER_TEST_POSTGRES names no server).
func backends(t *testing.T, fn func(t *testing.T, open func(t *testing.T) hq.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, func(t *testing.T) hq.Store {
			st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hq.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		})
	})
	t.Run("postgres", func(t *testing.T) {
		pgtest.Base(t)
		fn(t, func(t *testing.T) hq.Store {
			st, err := postgres.Open(ctx, pgtest.DSN(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		})
	})
}

// env is an HQ behind httptest with a settable wall clock.
type env struct {
	t     *testing.T
	store hq.Store
	srv   *hq.Server
	http  *httptest.Server
	key   ed25519.PrivateKey
	mu    sync.Mutex
	now   time.Time
}

func newEnv(t *testing.T, st hq.Store) *env {
	t.Helper()
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	e := &env{t: t, store: st, key: key, now: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := hq.NewServer(ctx, st, key, hq.Options{Logger: log, Now: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	e.http = httptest.NewServer(srv.Handler())
	t.Cleanup(e.http.Close)
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// device is an enrolled device as a test drives it.
type device struct {
	e      *env
	id     string
	token  string
	pub    ed25519.PublicKey
	clock  *protocol.Clock
	cursor string
	revs   map[string]int64 // row → seq last pulled (base revision)
}

func (e *env) code(govs ...string) string {
	e.t.Helper()
	code, _, err := hq.CreateEnrolment(ctx, e.store, govs, "test device", hq.CLI, e.clock())
	if err != nil {
		e.t.Fatal(err)
	}
	return code
}

// enrol enrols a new device for govs.
func (e *env) enrol(govs ...string) *device {
	e.t.Helper()
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	id := uuid.NewString()
	var resp protocol.EnrolResponse
	status := e.signedEnrol(protocol.EnrolRequest{Code: e.code(govs...), DeviceID: id}, key, &resp)
	if status != 200 {
		e.t.Fatalf("enrol: status %d", status)
	}
	return &device{e: e, id: id, token: resp.Token, pub: pub, revs: map[string]int64{},
		clock: protocol.NewClock(id, protocol.HLC{}, e.clock)}
}

// challenge asks HQ for an enrolment nonce for code. It returns the
// nonce, or the status and error of a refusal.
func (e *env) challenge(code string) (string, int, protocol.ErrorResponse) {
	e.t.Helper()
	b, _ := json.Marshal(protocol.EnrolChallengeRequest{Code: code})
	resp, err := http.Post(e.http.URL+protocol.PathEnrolChallenge, "application/json", bytes.NewReader(b))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var er protocol.ErrorResponse
	if resp.StatusCode != 200 {
		if err := json.Unmarshal(body, &er); err != nil || er.Error == "" || er.Message == "" {
			e.t.Errorf("challenge: status %d with a body that is not an ErrorResponse in words: %s", resp.StatusCode, body)
		}
		return "", resp.StatusCode, er
	}
	var ch protocol.EnrolChallenge
	if err := json.Unmarshal(body, &ch); err != nil || ch.Nonce == "" {
		e.t.Fatalf("challenge: %v: %s", err, body)
	}
	if !ch.ExpiresAt.Equal(e.clock().Add(protocol.EnrolChallengeTTL)) {
		e.t.Errorf("challenge expires at %v, want %v", ch.ExpiresAt, e.clock().Add(protocol.EnrolChallengeTTL))
	}
	return ch.Nonce, 200, er
}

// signedEnrol enrols as a device does: a challenge for req.Code, then req
// signed with key (which sets req's public key). The reply goes to out as
// with do; a refused challenge is returned as is.
func (e *env) signedEnrol(req protocol.EnrolRequest, key ed25519.PrivateKey, out any) int {
	e.t.Helper()
	nonce, st, er := e.challenge(req.Code)
	if st != 200 {
		if p, ok := out.(*protocol.ErrorResponse); ok {
			*p = er
		}
		return st
	}
	protocol.SignEnrol(&req, key, nonce)
	return e.do(http.MethodPost, protocol.PathEnrol, "", req, out)
}

// do sends a JSON request (a push body gzipped) and decodes the reply
// into out (an ErrorResponse for errors when out is not one).
func (e *env) do(method, path, token string, body any, out any) int {
	e.t.Helper()
	var rd io.Reader
	gz := false
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		if path == protocol.PathPush {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(b)
			zw.Close()
			b, gz = buf.Bytes(), true
		}
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.http.URL+path, rd)
	if gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.send(req, out)
}

func (e *env) send(req *http.Request, out any) int {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		e.t.Errorf("%s %s: Content-Type %q", req.Method, req.URL.Path, ct)
	}
	if resp.StatusCode != 200 {
		var er protocol.ErrorResponse
		if err := json.Unmarshal(b, &er); err != nil || er.Error == "" {
			e.t.Errorf("%s %s: status %d with a body that is not an ErrorResponse: %s", req.Method, req.URL.Path, resp.StatusCode, b)
		}
		if p, ok := out.(*protocol.ErrorResponse); ok {
			*p = er
		}
		return resp.StatusCode
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: %v: %s", req.Method, req.URL.Path, err, b)
		}
	}
	return resp.StatusCode
}

// op makes an op of this device setting fields, stamped now, based on the
// revision of the row it last pulled.
func (d *device) op(table, row string, kv ...any) protocol.Op {
	fields := map[string]protocol.Field{}
	stamp := d.clock.Now().String()
	for i := 0; i < len(kv); i += 2 {
		fields[kv[i].(string)] = protocol.Field{Value: kv[i+1], HLC: stamp}
	}
	return protocol.Op{ID: uuid.NewString(), Table: table, RowID: row, BaseRev: d.revs[row], Fields: fields}
}

// push sends ops and returns the results (failing the test on non-200).
func (d *device) push(ops ...protocol.Op) []protocol.OpResult {
	d.e.t.Helper()
	var resp protocol.PushResponse
	if st := d.e.do(http.MethodPost, protocol.PathPush, d.token, protocol.PushRequest{Clock: d.clock.Now().String(), Ops: ops}, &resp); st != 200 {
		d.e.t.Fatalf("push: status %d", st)
	}
	if len(resp.Results) != len(ops) {
		d.e.t.Fatalf("push: %d results for %d ops", len(resp.Results), len(ops))
	}
	if h, err := protocol.ParseHLC(resp.Clock); err != nil || h.Device != "hq" {
		d.e.t.Fatalf("push reply clock %q: %v", resp.Clock, err)
	}
	return resp.Results
}

// pullAll pulls until has_more is false and returns the changes; it
// records revisions like a device does.
func (d *device) pullAll(limit int) []protocol.Change {
	d.e.t.Helper()
	var all []protocol.Change
	for range 10000 {
		var resp protocol.PullResponse
		path := fmt.Sprintf("%s?cursor=%s&limit=%d", protocol.PathPull, d.cursor, limit)
		if st := d.e.do(http.MethodGet, path, d.token, nil, &resp); st != 200 {
			d.e.t.Fatalf("pull: status %d", st)
		}
		if len(resp.Changes) > limit {
			d.e.t.Fatalf("pull: %d changes for limit %d", len(resp.Changes), limit)
		}
		for _, c := range resp.Changes {
			d.revs[c.RowID] = c.Seq
		}
		all = append(all, resp.Changes...)
		d.cursor = resp.NextCursor
		if h, err := protocol.ParseHLC(resp.Clock); err == nil {
			d.clock.Observe(h)
		}
		if !resp.HasMore {
			return all
		}
	}
	d.e.t.Fatal("pull never ended")
	return nil
}

func rowIDs(changes []protocol.Change) []string {
	var out []string
	for _, c := range changes {
		out = append(out, c.Table+"/"+c.RowID)
	}
	return out
}

// openSQLite and openPostgres open a store as an hq.Store (nil on failure).
func openSQLite(ctx context.Context, path string) (hq.Store, error) {
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	return st, nil
}

func openPostgres(ctx context.Context, dsn string) (hq.Store, error) {
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return st, nil
}

func sqliteStore(t *testing.T) hq.Store {
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hq.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
