// Package client is the device side of Safeer's sync: enrolment with HQ,
// a sync run (reachability check, push of the outbox, pull of HQ's changes),
// retries with backoff, a status the UI can show at any moment, and the
// scheduler that runs it all every few minutes and as soon as HQ is back.
//
// The protocol is in package sync/protocol (wire types, clock, merge); the
// device's database is package data, seen through the Store interface the
// client declares (store.go). Nothing here ever drops the outbox: ops leave
// it only when HQ has answered for them (applied, duplicate, conflict) or
// moved to the list of refused changes (rejected).
package client

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/sync/protocol"
)

// maxReply bounds what is read of one HQ reply.
const maxReply = 64 << 20

// Backoff is the retry policy for transport errors and 5xx replies: up to
// Attempts tries, waiting a random time between 0 and min(Max, Base·2^n)
// before try n+1 ("full jitter", so devices that lost HQ together do not
// come back in step).
type Backoff struct {
	Base     time.Duration
	Max      time.Duration
	Attempts int
}

// DefaultBackoff is used unless WithBackoff says otherwise.
var DefaultBackoff = Backoff{Base: 500 * time.Millisecond, Max: 30 * time.Second, Attempts: 6}

// Cap is the longest wait before try n+1 (n from 0).
func (b Backoff) Cap(n int) time.Duration {
	d := b.Base
	for i := 0; i < n && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// Delay is the wait before try n+1 for a random r in [0, 1).
func (b Backoff) Delay(n int, r float64) time.Duration {
	return time.Duration(r * float64(b.Cap(n)))
}

// Timeouts bound each request (one attempt).
type Timeouts struct {
	Ping  time.Duration
	Enrol time.Duration
	Push  time.Duration // one batch; after a timeout the batch is halved
	Pull  time.Duration // one page
}

// DefaultTimeouts are used unless WithTimeouts says otherwise.
var DefaultTimeouts = Timeouts{Ping: 10 * time.Second, Enrol: 30 * time.Second, Push: 60 * time.Second, Pull: 60 * time.Second}

// Client syncs one device's store with HQ. It is safe for concurrent use;
// runs are serialised.
type Client struct {
	store      Store
	http       *http.Client
	backoff    Backoff
	timeouts   Timeouts
	pullLimit  int
	insecure   bool
	deviceName string
	log        *slog.Logger
	rand       func() float64
	sleep      func(ctx context.Context, d time.Duration) error

	runMu sync.Mutex // one run at a time

	mu      sync.Mutex
	status  Status
	subs    map[int]chan Status
	nextSub int
}

// Option configures New.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (its Timeout should be 0: requests are
// bounded by Timeouts).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithBackoff sets the retry policy.
func WithBackoff(b Backoff) Option { return func(c *Client) { c.backoff = b } }

// WithTimeouts sets the per-request timeouts.
func WithTimeouts(t Timeouts) Option { return func(c *Client) { c.timeouts = t } }

// WithPullLimit sets how many changes a pull page asks for.
func WithPullLimit(n int) Option { return func(c *Client) { c.pullLimit = n } }

// WithInsecureHTTP allows plain http to hosts other than this computer.
func WithInsecureHTTP() Option { return func(c *Client) { c.insecure = true } }

// WithDeviceName sets the name sent at enrolment (default: the host name).
func WithDeviceName(name string) Option { return func(c *Client) { c.deviceName = name } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.log = l } }

// withRand and withSleep make retries deterministic in tests.
func withRand(r func() float64) Option { return func(c *Client) { c.rand = r } }
func withSleep(s func(context.Context, time.Duration) error) Option {
	return func(c *Client) { c.sleep = s }
}

// New returns a client for store.
func New(store Store, opts ...Option) *Client {
	c := &Client{
		store:     store,
		backoff:   DefaultBackoff,
		timeouts:  DefaultTimeouts,
		pullLimit: protocol.MaxPullLimit,
		log:       slog.Default(),
		rand:      rand.Float64,
		sleep:     sleepCtx,
		subs:      map[int]chan Status{},
	}
	for _, o := range opts {
		o(c)
	}
	if c.http == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = 0 // bounded per request by context
		c.http = &http.Client{Transport: t}
	}
	if c.deviceName == "" {
		c.deviceName, _ = os.Hostname()
	}
	return c
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Store is the device store the client syncs.
func (c *Client) Store() Store { return c.store }

// request is one HTTP exchange with HQ.
type request struct {
	op      string
	method  string
	base    string // HQ's URL
	path    string
	query   url.Values
	body    []byte // JSON
	gzip    bool   // send body gzip-compressed
	token   string
	timeout time.Duration
	date    *time.Time // when set, receives the Date header of HQ's reply
}

// do sends one request (one attempt) and decodes a 200 reply into out.
// Any HTTP reply marks HQ online, a transport failure offline.
func (c *Client) do(ctx context.Context, r request, out any) error {
	actx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	u := strings.TrimRight(r.base, "/") + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		b := r.body
		if r.gzip {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(b)
			zw.Close()
			b = buf.Bytes()
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(actx, r.method, u, body)
	if err != nil {
		return &ProtocolError{Op: r.op, Err: err}
	}
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
		if r.gzip {
			req.Header.Set("Content-Encoding", "gzip")
		}
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	req.Header.Set("User-Agent", "safeer-device")
	resp, err := c.http.Do(req)
	if err != nil {
		return c.transportErr(ctx, actx, r.op, err)
	}
	defer resp.Body.Close()
	if r.date != nil {
		if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
			*r.date = t
		}
	}
	reply, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		// The reply was cut: HQ may have done the work; the retry is safe
		// (ops are idempotent by id).
		return c.transportErr(ctx, actx, r.op, err)
	}
	c.setOnline(true)
	if resp.StatusCode != http.StatusOK {
		he := &HTTPError{Status: resp.StatusCode}
		var er protocol.ErrorResponse
		if json.Unmarshal(reply, &er) == nil {
			he.Code, he.Message = er.Error, er.Message
		} else {
			he.Message = strings.TrimSpace(string(reply[:min(len(reply), 200)]))
		}
		return he
	}
	if out != nil {
		if err := json.Unmarshal(reply, out); err != nil {
			return &ProtocolError{Op: r.op, Err: err}
		}
	}
	return nil
}

func (c *Client) transportErr(ctx, actx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err() // the run was cancelled: not a transport failure
	}
	c.setOnline(false)
	timeout := actx.Err() != nil
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		timeout = true
	}
	return &TransportError{Op: op, Err: err, Timeout: timeout}
}

// retry runs fn until it succeeds, fails with an error that is not
// Retryable, or the attempts are used up.
func (c *Client) retry(ctx context.Context, what string, fn func(ctx context.Context, attempt int) error) error {
	attempts := max(c.backoff.Attempts, 1)
	for n := 0; ; n++ {
		err := fn(ctx, n)
		if err == nil || !Retryable(err) || n+1 >= attempts {
			return err
		}
		d := c.backoff.Delay(n, c.rand())
		c.log.Info("sync: retrying", "what", what, "attempt", n+2, "after", d.Round(time.Millisecond), "err", err)
		if err := c.sleep(ctx, d); err != nil {
			return err
		}
	}
}

// checkURL refuses plain http to another computer: the token would travel
// in clear.
func (c *Client) checkURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("%q is not an HQ address (expected https://host[:port])", raw)
	}
	if u.Scheme == "http" && !c.insecure {
		host := u.Hostname()
		ip := net.ParseIP(host)
		if !(host == "localhost" || (ip != nil && ip.IsLoopback())) {
			return "", fmt.Errorf("%s: %w", raw, ErrInsecureURL)
		}
	}
	u.RawQuery, u.Fragment = "", ""
	return strings.TrimRight(u.String(), "/"), nil
}

// EnrolResult is what enrolment gave the device.
type EnrolResult struct {
	data.Enrolment
	DeviceID string `json:"device_id"`
	// Warning is set when the device is enrolled but something is amiss
	// (HQ's endorsement does not verify).
	Warning *Problem `json:"warning,omitempty"`
}

// Enrol trades a one-time code from HQ for this device's token, sends the
// device's Ed25519 public key (made on first use, next to the database) for
// HQ to endorse, signing a nonce HQ gives it with the private key to prove
// it holds it, and keeps token, scope, endorsement and HQ's public key in
// the store. Enrolling again replaces the enrolment and keeps the outbox.
func (c *Client) Enrol(ctx context.Context, hqURL, code string) (EnrolResult, error) {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	base, err := c.checkURL(hqURL)
	if err != nil {
		return EnrolResult{}, wrap(err)
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return EnrolResult{}, wrap(&HTTPError{Status: 403, Code: protocol.ErrBadCode, Message: "no code given"})
	}
	// A cheap reachability check first: an unreachable HQ is said at once,
	// without the retries meant for a link that drops mid-request.
	if err := c.ping(ctx, base); err != nil {
		return EnrolResult{}, wrap(err)
	}
	key, err := c.store.SigningKey() // sealed under the data key on a protected database
	if err != nil {
		return EnrolResult{}, wrap(local(err))
	}
	pub := key.Public().(ed25519.PublicKey)
	challenge, _ := json.Marshal(protocol.EnrolChallengeRequest{Code: code})
	var resp protocol.EnrolResponse
	var sent time.Time
	var hqDate time.Time
	hadTransportError := false
	err = c.retry(ctx, "enrol", func(ctx context.Context, n int) error {
		// Every attempt signs a fresh nonce: HQ spends one per request,
		// including one whose reply was lost.
		var ch protocol.EnrolChallenge
		err := c.do(ctx, request{op: "enrol", method: http.MethodPost, base: base, path: protocol.PathEnrolChallenge,
			body: challenge, timeout: c.timeouts.Enrol}, &ch)
		if err == nil {
			req := protocol.EnrolRequest{Code: code, DeviceID: c.store.DeviceID(), Name: c.deviceName}
			protocol.SignEnrol(&req, key, ch.Nonce)
			body, _ := json.Marshal(req)
			sent = c.store.WallClock()
			err = c.do(ctx, request{op: "enrol", method: http.MethodPost, base: base, path: protocol.PathEnrol,
				body: body, timeout: c.timeouts.Enrol, date: &hqDate}, &resp)
		}
		var te *TransportError
		if errors.As(err, &te) {
			hadTransportError = true
		}
		return err
	})
	if err != nil {
		if st, _ := httpCode(err); st == 403 && hadTransportError {
			// The first try may have used the code before its reply was lost.
			err = fmt.Errorf("%w (an earlier try was cut off and may have used the code: ask HQ whether this computer is listed, or for a new code)", err)
		}
		return EnrolResult{}, wrap(err)
	}
	if resp.Token == "" {
		return EnrolResult{}, wrap(&ProtocolError{Op: "enrol", Err: errors.New("no token in HQ's reply")})
	}
	c.measureOffset(ctx, sent, hqDate)
	res := EnrolResult{DeviceID: c.store.DeviceID()}
	hqDevice := resp.DeviceID
	if hqDevice == "" {
		hqDevice = c.store.DeviceID()
	}
	if hqDevice != c.store.DeviceID() {
		c.log.Warn("sync: HQ knows this device under another id", "local", c.store.DeviceID(), "hq", hqDevice)
	}
	if len(resp.HQPublicKey) != ed25519.PublicKeySize ||
		!certificate.VerifyEndorsement(ed25519.PublicKey(resp.HQPublicKey), hqDevice, pub, resp.Endorsement) {
		w := Describe(ErrBadEndorsement)
		res.Warning = &w
	}
	res.Enrolment = data.Enrolment{HQURL: base, Token: resp.Token, HQDeviceID: resp.DeviceID, DeviceName: c.deviceName,
		Governorates: resp.Governorates, Endorsement: resp.Endorsement, HQPublicKey: resp.HQPublicKey}
	if err := c.store.SaveEnrolment(ctx, res.Enrolment); err != nil {
		return EnrolResult{}, wrap(local(err))
	}
	if err := c.store.ObserveClock(ctx, resp.Clock); err != nil {
		c.log.Warn("sync: HQ's clock at enrolment", "err", err)
	}
	if es, ok := c.store.(escrowStore); ok && resp.RecoveryRecipient != "" {
		// Kept, and the data key entrusted to it now on a protected
		// database (at Protect on a clear one): issue 14.
		if err := es.SetEscrowRecipient(ctx, resp.RecoveryRecipient); err != nil {
			c.log.Warn("sync: HQ's recovery key at enrolment", "err", err)
		}
	}
	c.Refresh(ctx)
	return res, nil
}

// measureOffset sets the store's clock correction from HQ's Date header:
// a laptop days slow must still stamp its edits after what it pulled. The
// Date is also a time known to have passed: the device's clock floor rises
// to it (data.Store.SeeTime), so edits made after this exchange stamp after
// it even if this computer's clock then falls back.
func (c *Client) measureOffset(ctx context.Context, sent, hqDate time.Time) {
	if hqDate.IsZero() {
		return
	}
	// After the correction: the floor ages from the corrected clock.
	defer func() {
		if err := c.store.SeeTime(ctx, hqDate); err != nil {
			c.log.Warn("sync: save HQ's time as the clock floor", "err", err)
		}
	}()
	if sent.IsZero() {
		return
	}
	got := c.store.WallClock()
	rtt := got.Sub(sent)
	if rtt < 0 || rtt > 10*time.Second {
		return // too imprecise
	}
	// Date is whole seconds: HQ's time was on average half a second later.
	offset := hqDate.Add(500 * time.Millisecond).Sub(sent.Add(rtt / 2))
	if err := c.store.SetClockOffset(ctx, offset); err != nil {
		c.log.Warn("sync: save clock correction", "err", err)
	}
}

// Ping checks that HQ answers (no token needed), and measures the clock
// offset from its reply. It updates the status's Online.
func (c *Client) Ping(ctx context.Context) error {
	st, err := c.store.SyncState(ctx)
	if err != nil {
		return wrap(local(err))
	}
	if !st.Enrolled {
		return wrap(notEnrolled(st))
	}
	return c.ping(ctx, st.HQURL)
}

// HQStatus asks HQ what it knows of this device (its last push and pull,
// conflicts waiting, HQ's newest change). It moves no data and is tried
// once.
func (c *Client) HQStatus(ctx context.Context) (protocol.StatusResponse, error) {
	var out protocol.StatusResponse
	st, err := c.store.SyncState(ctx)
	if err != nil {
		return out, wrap(local(err))
	}
	if !st.Enrolled {
		return out, wrap(notEnrolled(st))
	}
	err = c.do(ctx, request{op: "status", method: http.MethodGet, base: st.HQURL, path: protocol.PathStatus,
		token: st.Token, timeout: c.timeouts.Ping}, &out)
	if err != nil {
		return protocol.StatusResponse{}, wrap(err)
	}
	return out, nil
}

// notEnrolled says why a device that is not enrolled cannot sync: never
// enrolled, or restored from a backup, which holds no token.
func notEnrolled(st data.SyncState) error {
	if st.TokenMissing() {
		return ErrTokenMissing
	}
	return ErrNotEnrolled
}

func (c *Client) ping(ctx context.Context, base string) error {
	var date time.Time
	sent := c.store.WallClock()
	err := c.do(ctx, request{op: "ping", method: http.MethodGet, base: base, path: protocol.PathPing, timeout: c.timeouts.Ping, date: &date}, nil)
	c.mu.Lock()
	c.status.Checked = time.Now()
	c.mu.Unlock()
	if err != nil {
		c.notify()
		return err
	}
	c.measureOffset(ctx, sent, date)
	c.notify()
	return nil
}
