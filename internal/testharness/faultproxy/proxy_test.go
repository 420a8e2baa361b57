package faultproxy

import (
	"io"
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
