package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/hq/web"
)

// proxyReq serves one request from peer with the forwarding headers given
// ("" for none).
func proxyReq(h http.Handler, peer, xff, proto, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = peer
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	if proto != "" {
		req.Header.Set("X-Forwarded-Proto", proto)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func trustedProxies(t *testing.T, list string) []netip.Prefix {
	t.Helper()
	p, err := web.ParseTrustedProxies(list)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Behind a TLS proxy on the same machine, named with --trusted-proxy, the
// rate limit counts the client the proxy names, and cookies are Secure
// when the proxy says the client used HTTPS. A peer that is not a trusted
// proxy cannot claim another address.
func TestBehindLocalProxy(t *testing.T) {
	e := newEnv(t, sqliteStore(t), web.Config{VerifyRate: 1.0 / 3600, VerifyBurst: 2,
		TrustedProxies: trustedProxies(t, "127.0.0.1, ::1")})
	h := e.site.Handler()
	do := func(peer, xff, proto, path string) *httptest.ResponseRecorder {
		return proxyReq(h, peer, xff, proto, path)
	}
	path := "/verify.json?code=" + certificate.NewCode()
	for i := range 2 {
		if rec := do("127.0.0.1:5000", "198.51.100.1, 203.0.113.9", "https", path); rec.Code != 200 {
			t.Fatalf("client 203.0.113.9, request %d: %d", i, rec.Code)
		}
	}
	if rec := do("127.0.0.1:5000", "203.0.113.9", "https", path); rec.Code != http.StatusTooManyRequests {
		t.Errorf("client 203.0.113.9 over its limit: %d", rec.Code)
	}
	// Another client behind the same proxy has its own bucket, whatever
	// it wrote in front of the proxy's entry.
	if rec := do("127.0.0.1:5000", "203.0.113.9, 203.0.113.10", "https", path); rec.Code != 200 {
		t.Errorf("client 203.0.113.10: %d", rec.Code)
	}
	// IPv6 clients count by /64.
	do("[::1]:5000", "2001:db8:1:2::1", "", path)
	do("[::1]:5000", "2001:db8:1:2::2", "", path)
	if rec := do("[::1]:5000", "2001:db8:1:2::ffff", "", path); rec.Code != http.StatusTooManyRequests {
		t.Errorf("a third address of the same /64: %d", rec.Code)
	}
	// A remote peer's X-Forwarded-For is its own invention.
	do("198.51.100.7:1234", "192.0.2.1", "", path)
	do("198.51.100.7:1234", "192.0.2.2", "", path)
	if rec := do("198.51.100.7:1234", "192.0.2.3", "", path); rec.Code != http.StatusTooManyRequests {
		t.Errorf("a remote peer escaped its limit with X-Forwarded-For: %d", rec.Code)
	}
	// HTTPS at the proxy: HSTS and Secure cookies; plain HTTP: neither.
	rec := do("127.0.0.1:5000", "203.0.113.20", "https", "/admin/login")
	if rec.Header().Get("Strict-Transport-Security") == "" || !strings.Contains(rec.Header().Get("Set-Cookie"), "__Host-safeer_login") ||
		!strings.Contains(rec.Header().Get("Set-Cookie"), "Secure") {
		t.Errorf("via an HTTPS proxy: HSTS %q, cookie %q", rec.Header().Get("Strict-Transport-Security"), rec.Header().Get("Set-Cookie"))
	}
	rec = do("198.51.100.7:1234", "203.0.113.20", "https", "/admin/login")
	if rec.Header().Get("Strict-Transport-Security") != "" || strings.Contains(rec.Header().Get("Set-Cookie"), "Secure") {
		t.Errorf("a remote peer claimed HTTPS: HSTS %q, cookie %q", rec.Header().Get("Strict-Transport-Security"), rec.Header().Get("Set-Cookie"))
	}
	if got := do("127.0.0.1:5000", "203.0.113.30", "", path).Header().Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("JSON answer: Access-Control-Allow-Origin %q", got)
	}
}

// Without --trusted-proxy nobody's X-Forwarded-For or X-Forwarded-Proto is
// believed, not even a loopback peer's: every request from 127.0.0.1 is
// 127.0.0.1, whatever address it writes.
func TestLoopbackPeerNotTrustedByDefault(t *testing.T) {
	e := newEnv(t, sqliteStore(t), web.Config{VerifyRate: 1.0 / 3600, VerifyBurst: 2})
	h := e.site.Handler()
	path := "/verify.json?code=" + certificate.NewCode()
	for i, xff := range []string{"192.0.2.1", "192.0.2.2"} {
		if rec := proxyReq(h, "127.0.0.1:5000", xff, "", path); rec.Code != 200 {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
	}
	if rec := proxyReq(h, "127.0.0.1:5000", "192.0.2.3", "", path); rec.Code != http.StatusTooManyRequests {
		t.Errorf("a loopback peer escaped its limit with X-Forwarded-For: %d", rec.Code)
	}
	if rec := proxyReq(h, "[::1]:5000", "2001:db8::1", "", path); rec.Code != 200 {
		t.Errorf("::1 is another client than 127.0.0.1: %d", rec.Code)
	}
	rec := proxyReq(h, "127.0.0.1:5000", "192.0.2.9", "https", "/admin/login")
	if rec.Header().Get("Strict-Transport-Security") != "" || strings.Contains(rec.Header().Get("Set-Cookie"), "Secure") {
		t.Errorf("an untrusted loopback peer claimed HTTPS: HSTS %q, cookie %q",
			rec.Header().Get("Strict-Transport-Security"), rec.Header().Get("Set-Cookie"))
	}
}

// With a chain of proxies, the client is the right-most address that is
// not a trusted proxy; a prefix trusts a whole network; anything left of
// the first untrusted hop is ignored.
func TestTrustedProxyChain(t *testing.T) {
	e := newEnv(t, sqliteStore(t), web.Config{VerifyRate: 1.0 / 3600, VerifyBurst: 1,
		TrustedProxies: trustedProxies(t, "10.0.0.0/8,192.0.2.7")})
	h := e.site.Handler()
	path := "/verify.json?code=" + certificate.NewCode()
	// 198.51.100.5 reached the edge proxy 10.1.1.1, which handed it to
	// 192.0.2.7, HQ's peer. Spent: 198.51.100.5's one token.
	if rec := proxyReq(h, "192.0.2.7:443", "203.0.113.66, 198.51.100.5, 10.1.1.1", "", path); rec.Code != 200 {
		t.Fatalf("first request: %d", rec.Code)
	}
	for _, tc := range []struct{ peer, xff, why string }{
		{"192.0.2.7:443", "198.51.100.5, 10.1.1.1", "the same client without its invented prefix"},
		{"10.9.9.9:443", "198.51.100.5", "the same client through another trusted proxy"},
		{"192.0.2.7:443", "203.0.113.1, 198.51.100.5", "a forged entry left of the client"},
		{"192.0.2.7:443", "198.51.100.5:61000", "the client's address with a port"},
	} {
		if rec := proxyReq(h, tc.peer, tc.xff, "", path); rec.Code != http.StatusTooManyRequests {
			t.Errorf("%s (%s via %s): %d, want 429", tc.why, tc.xff, tc.peer, rec.Code)
		}
	}
	// Another client, and an untrusted peer whose header names the spent
	// client: each counts as itself.
	if rec := proxyReq(h, "192.0.2.7:443", "198.51.100.6, 10.1.1.1", "", path); rec.Code != 200 {
		t.Errorf("another client behind the proxies: %d", rec.Code)
	}
	if rec := proxyReq(h, "192.0.2.8:443", "198.51.100.99", "", path); rec.Code != 200 {
		t.Errorf("an untrusted peer: %d", rec.Code)
	}
	if rec := proxyReq(h, "192.0.2.8:443", "198.51.100.100", "", path); rec.Code != http.StatusTooManyRequests {
		t.Errorf("an untrusted peer escaped its limit with X-Forwarded-For: %d", rec.Code)
	}
	// "unknown" from a trusted proxy: the client is that proxy's peer, the
	// last trusted hop.
	if rec := proxyReq(h, "192.0.2.7:443", "unknown, 10.2.2.2", "", path); rec.Code != 200 {
		t.Errorf("first request counted as 10.2.2.2: %d", rec.Code)
	}
	if rec := proxyReq(h, "192.0.2.7:443", "10.2.2.2", "", path); rec.Code != http.StatusTooManyRequests {
		t.Errorf("all hops trusted: counted as another than the left-most, 10.2.2.2: %d", rec.Code)
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := web.ParseTrustedProxies(" 127.0.0.1, ::1,10.1.2.3/8 ,::ffff:192.0.2.1, fd00::/8,")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"127.0.0.1/32", "::1/128", "10.0.0.0/8", "192.0.2.1/32", "fd00::/8"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("entry %d = %s, want %s", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"localhost", "10.0.0.0/33", "1.2.3", "fe80::1%eth0", "::ffff:0:0/64"} {
		if _, err := web.ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
