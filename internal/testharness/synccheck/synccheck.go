// Package synccheck holds what the sync checks share: an in-process HQ
// (hq.Server over a real store, behind an HTTP server on loopback) that can
// be restarted on the same database, enrolled device stores with their sync
// clients, an HTTP transport that breaks exchanges on demand, and canonical
// dumps of what a device and HQ hold, to compare them field by field.
//
// It is for tests and benchmarks only (hq, sync/client, e2e).
package synccheck

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"time"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/sync/client"
)

// Quiet is a logger that drops everything.
var Quiet = slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.Level(100)}))

// HQ is an in-process HQ on loopback.
type HQ struct {
	Key  ed25519.PrivateKey
	open func(ctx context.Context) (hq.Store, error)
	log  *slog.Logger

	mu     sync.Mutex
	store  hq.Store
	server *hq.Server
	http   *httptest.Server
	addr   string
}

// StartHQ opens a store with open and serves it on a free loopback port.
// Restart calls open again, so open must reach the same database each time.
func StartHQ(ctx context.Context, open func(ctx context.Context) (hq.Store, error), log *slog.Logger) (*HQ, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = Quiet
	}
	h := &HQ{Key: key, open: open, log: log}
	if err := h.start(ctx, "127.0.0.1:0"); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *HQ) start(ctx context.Context, addr string) error {
	st, err := h.open(ctx)
	if err != nil {
		return err
	}
	srv, err := hq.NewServer(ctx, st, h.Key, hq.Options{Logger: h.log})
	if err != nil {
		st.Close()
		return err
	}
	var ln net.Listener
	// The address of a server just closed may linger for a moment.
	for try := 0; ; try++ {
		ln, err = net.Listen("tcp", addr)
		if err == nil || try == 50 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		st.Close()
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	h.mu.Lock()
	h.store, h.server, h.http, h.addr = st, srv, hs, ln.Addr().String()
	h.mu.Unlock()
	return nil
}

// URL is http://ADDR of the server; it stays the same across restarts.
func (h *HQ) URL() string { return "http://" + h.Addr() }

// Addr is the server's host:port.
func (h *HQ) Addr() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.addr
}

// Twin starts a second HQ process on the same database (open is called
// again: for PostgreSQL, a second pool on the same server) with the same
// key, on a port of its own: what two safeer-hq processes behind two ports
// are. Close it as any HQ.
func (h *HQ) Twin(ctx context.Context) (*HQ, error) {
	t := &HQ{Key: h.Key, open: h.open, log: h.log}
	if err := t.start(ctx, "127.0.0.1:0"); err != nil {
		return nil, err
	}
	return t, nil
}

// Store is the store being served now (a new one after Restart).
func (h *HQ) Store() hq.Store {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.store
}

// Code makes a one-time enrolment code for a device of govs.
func (h *HQ) Code(ctx context.Context, govs ...string) (string, error) {
	code, _, err := hq.CreateEnrolment(ctx, h.Store(), govs, "test device", hq.CLI, time.Now())
	return code, err
}

// Stop cuts every connection, stops serving and closes the store: HQ's
// process is gone. Requests in flight fail (their transactions roll back).
func (h *HQ) Stop() {
	h.mu.Lock()
	hs, st := h.http, h.store
	h.http, h.store, h.server = nil, nil, nil
	h.mu.Unlock()
	if hs != nil {
		hs.CloseClientConnections()
		hs.Close()
	}
	if st != nil {
		st.Close()
	}
}

// Restart stops HQ and starts it again on the same database and address.
func (h *HQ) Restart(ctx context.Context) error {
	addr := h.Addr()
	h.Stop()
	return h.start(ctx, addr)
}

// Close stops HQ.
func (h *HQ) Close() { h.Stop() }

// Device is an enrolled device: its store and its sync client.
type Device struct {
	Name   string
	Govs   []string
	Store  *data.Store
	Client *client.Client
}

// NewDevice opens a device store in dir and enrols it with HQ at url for
// govs (getting a code from h). Client options come after the defaults
// (quiet logger, the device name).
func NewDevice(ctx context.Context, h *HQ, url, dir, name string, govs []string, storeOpts []data.Option, opts ...client.Option) (*Device, error) {
	st, err := data.Open(ctx, filepath.Join(dir, name+".db"), storeOpts...)
	if err != nil {
		return nil, err
	}
	c := client.New(st, append([]client.Option{client.WithLogger(Quiet), client.WithDeviceName(name)}, opts...)...)
	code, err := h.Code(ctx, govs...)
	if err != nil {
		st.Close()
		return nil, err
	}
	if url == "" {
		url = h.URL()
	}
	if _, err := c.Enrol(ctx, url, code); err != nil {
		st.Close()
		return nil, fmt.Errorf("enrol %s: %w", name, err)
	}
	return &Device{Name: name, Govs: govs, Store: st, Client: c}, nil
}

// Close closes the device's store.
func (d *Device) Close() error { return d.Store.Close() }

// ErrCut is the error of an exchange a Flaky transport broke.
var ErrCut = errors.New("synccheck: link cut")

// Fault is what a Flaky transport does to one exchange.
type Fault int

const (
	Pass       Fault = iota // the exchange goes through
	DropBefore              // the request never reaches HQ
	LoseReply               // HQ handles the request; its whole reply is lost
	CutReply                // HQ handles the request; its reply stops half-way
)

func (f Fault) String() string {
	return [...]string{"pass", "drop-before", "lose-reply", "cut-reply"}[f]
}

// Flaky is an http.RoundTripper that breaks exchanges as planned: each
// request takes the next fault of the plan (Pass once it is used up).
type Flaky struct {
	Base http.RoundTripper

	mu    sync.Mutex
	hosts []string // when set, requests go to these in turn
	next  int
	plan  []Fault
	cuts  int
	total int
}

// NewFlaky wraps a transport of its own (keep-alives on, loopback).
func NewFlaky() *Flaky {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 4
	return &Flaky{Base: t}
}

// Plan sets the faults of the next exchanges, replacing any left.
func (f *Flaky) Plan(faults ...Fault) {
	f.mu.Lock()
	f.plan = append([]Fault(nil), faults...)
	f.mu.Unlock()
}

// Alternate sends each request to the next of hosts (host:port) in turn,
// whatever host it names: a device spread over several HQ processes.
func (f *Flaky) Alternate(hosts ...string) {
	f.mu.Lock()
	f.hosts = append([]string(nil), hosts...)
	f.mu.Unlock()
}

// Cuts is how many exchanges were broken so far.
func (f *Flaky) Cuts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cuts
}

// RoundTrip implements http.RoundTripper.
func (f *Flaky) RoundTrip(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	fault := Pass
	if len(f.plan) > 0 {
		fault, f.plan = f.plan[0], f.plan[1:]
	}
	f.total++
	if fault != Pass {
		f.cuts++
	}
	if len(f.hosts) > 0 {
		req = req.Clone(req.Context())
		req.URL.Host = f.hosts[f.next%len(f.hosts)]
		req.Host = req.URL.Host
		f.next++
	}
	f.mu.Unlock()
	switch fault {
	case DropBefore:
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("%s: %w", req.URL.Path, ErrCut)
	case LoseReply:
		resp, err := f.Base.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, fmt.Errorf("%s: reply lost: %w", req.URL.Path, ErrCut)
	case CutReply:
		resp, err := f.Base.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = &cutBody{b: b[:len(b)/2]}
		resp.ContentLength = -1
		return resp, nil
	}
	return f.Base.RoundTrip(req)
}

// cutBody yields its bytes, then a broken-connection error.
type cutBody struct{ b []byte }

func (c *cutBody) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, fmt.Errorf("reply cut: %w", io.ErrUnexpectedEOF)
	}
	n := copy(p, c.b)
	c.b = c.b[n:]
	return n, nil
}

func (c *cutBody) Close() error { return nil }
