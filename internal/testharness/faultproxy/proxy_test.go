package faultproxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestProxyFaults(t *testing.T) {
	var handled atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		handled.Add(1)
		w.Write([]byte(strings.Repeat("x", 10000)))
	}))
	defer srv.Close()
	p, err := Start(strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	get := func() (int, error) {
		resp, err := http.Post(p.URL(), "text/plain", strings.NewReader(strings.Repeat("y", 5000)))
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return len(b), err
	}
	if n, err := get(); err != nil || n != 10000 {
		t.Fatalf("clean link: %d %v", n, err)
	}
	// Cut mid-request: the server never handles it.
	before := handled.Load()
	p.Next(CutRequest(100))
	if _, err := get(); err == nil {
		t.Fatal("cut request succeeded")
	}
	if handled.Load() != before {
		t.Fatal("the server handled a cut request")
	}
	// The reply lost after the server handled the request (on a kept-alive
	// connection or a new one alike).
	p.Next(CutReply(0))
	if _, err := get(); err == nil {
		t.Fatal("lost reply succeeded")
	}
	if handled.Load() != before+1 {
		t.Fatal("the server did not handle the request whose reply was lost")
	}
	// Cut mid-reply.
	p.Next(CutReply(3000))
	if n, err := get(); err == nil {
		t.Fatalf("cut reply read %d bytes without error", n)
	}
	// Cut mid-body: the headers arrive whole, the body does not.
	p.Next(CutReplyBody(10))
	// (The body is chunked: its first bytes are the chunk's size.)
	if n, err := get(); err == nil || n == 0 || n >= 10 {
		t.Fatalf("reply cut 10 bytes into its body: read %d bytes, %v", n, err)
	}
	// Slow link: 15 KB each way at 50 KB/s takes about 0.3 s.
	p.Next(Slow(50<<10, 0))
	start := time.Now()
	if n, err := get(); err != nil || n != 10000 {
		t.Fatalf("slow link: %d %v", n, err)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Fatalf("slow link took only %v", d)
	}
	// Down: refused; up again: fine.
	p.SetDown(true)
	if _, err := get(); err == nil {
		t.Fatal("down proxy answered")
	}
	p.SetDown(false)
	if n, err := get(); err != nil || n != 10000 {
		t.Fatalf("back up: %d %v", n, err)
	}
	if p.Cuts() != 4 {
		t.Fatalf("%d cuts", p.Cuts())
	}
}

// A reply's last bytes may reach the client, and the client send its next
// request on the kept-alive connection, before the proxy has counted them:
// they must not count against the next exchange, or a reply cut after n
// bytes loses all of them (and a GET whose reply is lost whole on a reused
// connection is silently retried by Go's transport, so the cut vanishes).
func TestLateCountDoesNotLeakIntoNextExchange(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 300)))
	}))
	defer srv.Close()
	p, err := Start(strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	// Hold the first reply's count until the client has begun the next
	// exchange: the interleaving a loaded machine produces now and then.
	var armed atomic.Bool
	armed.Store(true)
	p.afterWrite = func(up bool) {
		if up || !armed.CompareAndSwap(true, false) {
			return
		}
		for deadline := time.Now().Add(5 * time.Second); p.Exchanges() < 2 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
	p.Next(Pass, CutReply(100))
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(resp.Body); err != nil || len(b) != 300 {
		t.Fatalf("first reply: %d bytes, %v", len(b), err)
	}
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(br)
	if len(b) != 100 {
		t.Fatalf("second reply cut after %d bytes, want 100", len(b))
	}
	if p.Exchanges() != 2 || p.Cuts() != 1 {
		t.Fatalf("%d exchanges, %d cuts", p.Exchanges(), p.Cuts())
	}
}

func TestOnPath(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat(r.URL.Path, 100)))
	}))
	defer srv.Close()
	p, err := Start(strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	client := &http.Client{Transport: &http.Transport{}}
	get := func(path string) error {
		resp, err := client.Get(p.URL() + path)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.ReadAll(resp.Body)
		return err
	}
	// The second request for /b is cut 50 bytes into its reply, whatever
	// comes between; the first exchange takes the queued Pass.
	p.OnPath("/b", 2, CutReply(50))
	p.Next(Pass)
	for i, step := range []struct {
		path string
		cut  bool
	}{{"/a", false}, {"/b?x=1", false}, {"/a", false}, {"/b?x=2", true}, {"/b", false}} {
		if err := get(step.path); (err != nil) != step.cut {
			t.Fatalf("request %d (%s): %v", i+1, step.path, err)
		}
	}
	if p.Cuts() != 1 || p.Exchanges() != 5 {
		t.Fatalf("%d cuts in %d exchanges", p.Cuts(), p.Exchanges())
	}
}
