package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/hq/web"
)

// Behind a TLS proxy on the same machine (how safeer-hq serve is meant to
// run without TLS of its own), the rate limit counts the client the proxy
// names, and cookies are Secure when the proxy says the client used HTTPS.
// A peer that is not on this machine cannot claim another address.
func TestBehindLocalProxy(t *testing.T) {
	e := newEnv(t, sqliteStore(t), web.Config{VerifyRate: 1.0 / 3600, VerifyBurst: 2})
	h := e.site.Handler()
	do := func(peer, xff, proto, path string) *httptest.ResponseRecorder {
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
