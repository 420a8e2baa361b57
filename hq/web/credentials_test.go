package web_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oman-sca/safeer/internal/testharness/nodecheck"

	"github.com/oman-sca/safeer/credential"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/web"
)

// credHQ is HQ's whole handler over HTTPS with a public URL, as a
// verifier out there reaches it: by the name example.com (the test
// certificate's), mapped to loopback.
type credHQ struct {
	http    *httptest.Server
	issuer  *credential.Issuer
	host    string
	mu      sync.Mutex
	revoked []int
}

func newCredHQ(t *testing.T, withIssuer bool) *credHQ {
	t.Helper()
	c := &credHQ{}
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	// HQ's clock stands still, so the status list's bytes (validFrom is
	// rounded to 10 minutes) cannot change between two requests.
	start := time.Now()
	srv, err := hq.NewServer(ctx, sqliteStore(t), key, hq.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return start }})
	if err != nil {
		t.Fatal(err)
	}
	// The port is known only once the listener is up, and the issuer's
	// DID carries it: listen first, build the site, then serve.
	c.http = httptest.NewUnstartedServer(nil)
	_, port, _ := net.SplitHostPort(c.http.Listener.Addr().String())
	c.host = "example.com:" + port
	cfg := web.Config{Server: srv, RevokedStatuses: func(context.Context) ([]int, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		return slices.Clone(c.revoked), nil
	}}
	if withIssuer {
		if c.issuer, err = web.NewIssuer("https://"+c.host, key); err != nil {
			t.Fatal(err)
		}
		cfg.Credentials = c.issuer
	}
	site, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.http.Config.Handler = site.Handler()
	c.http.StartTLS()
	t.Cleanup(c.http.Close)
	return c
}

func (c *credHQ) client() *http.Client { return nodecheck.Client(c.http, c.host) }

func (c *credHQ) revoke(i int) {
	c.mu.Lock()
	c.revoked = append(c.revoked, i)
	c.mu.Unlock()
}

func TestCredentialDocumentsNeedPublicURL(t *testing.T) {
	c := newCredHQ(t, false)
	for _, p := range []string{"/.well-known/did.json", credential.StatusListPath} {
		resp, err := c.client().Get("https://" + c.host + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s without --public-url: %d", p, resp.StatusCode)
		}
	}
}

func TestDIDDocumentAndStatusList(t *testing.T) {
	c := newCredHQ(t, true)
	cl := c.client()
	base := "https://" + c.host

	resp, err := cl.Get(base + "/.well-known/did.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc credential.DIDDocument
	err = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("DID document: %d %v", resp.StatusCode, err)
	}
	if doc.ID != "did:web:example.com%3A"+strings.TrimPrefix(c.host, "example.com:") || doc.ID != c.issuer.DID {
		t.Fatalf("DID document of %q", doc.ID)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age") ||
		resp.Header.Get("Cross-Origin-Resource-Policy") != "cross-origin" {
		t.Errorf("DID document headers %v", resp.Header)
	}
	// The key in it is HQ's, found as any verifier finds it.
	pub, err := credential.ResolveDIDWeb(ctx, cl, c.issuer.KeyID())
	if err != nil || !pub.Equal(c.issuer.Key.Public()) {
		t.Fatalf("resolving %s: %v", c.issuer.KeyID(), err)
	}

	get := func(etag string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodGet, c.issuer.StatusListURL(), nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	opts := credential.VerifyOptions{Resolve: func(kid string) (ed25519.PublicKey, error) {
		return credential.ResolveDIDWeb(ctx, cl, kid)
	}}
	resp, token := get("")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vc+jwt" || resp.Header.Get("ETag") == "" {
		t.Fatalf("status list: %d %v", resp.StatusCode, resp.Header)
	}
	list, err := credential.VerifyStatusList(token, c.issuer.DID, opts)
	if err != nil || list.Len() != credential.MinStatusEntries {
		t.Fatalf("status list: %v", err)
	}
	// Unchanged, a cache's copy stands (304); changed, it does not.
	etag := resp.Header.Get("ETag")
	if resp, _ := get(etag); resp.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match of the current list: %d", resp.StatusCode)
	}
	c.revoke(5)
	c.revoke(200000) // beyond the minimum: the list grows
	resp, token = get(etag)
	if resp.StatusCode != 200 {
		t.Fatalf("after a revocation: %d", resp.StatusCode)
	}
	if list, err = credential.VerifyStatusList(token, c.issuer.DID, opts); err != nil {
		t.Fatal(err)
	}
	for i, want := range map[int]bool{4: false, 5: true, 6: false, 200000: true} {
		if got, err := list.Get(i); err != nil || got != want {
			t.Errorf("bit %d: %v %v, want %v", i, got, err, want)
		}
	}
}

// The independent check (credential/testdata/node: jose, ajv, zlib)
// against HQ's own handler: it reads HQ's DID document and revocation
// list from this server, and sees a credential's bit set once it is
// revoked.
func TestNodeChecksAgainstHQ(t *testing.T) {
	c := newCredHQ(t, true)
	token, err := c.issuer.Issue(credential.Certificate{
		ID: "0193a2b4-5c6d-7e8f-9a0b-000000000016", PersonID: "0193a2b4-0000-7000-8000-000000000016",
		NameAr: "سالم بن علي الهنائي", NameEn: "Salim Ali Al Hinai",
		WorkshopID: "0193a2b4-1111-7111-8111-000000000016", TitleAr: "مقدمة في المدن الذكية", TitleEn: "Introduction to smart cities",
		Date: "2026-11-02", Hours: 3, WilayatAr: "صلالة", WilayatEn: "Salalah", IssuedAt: time.Now(), StatusIndex: 16,
	})
	if err != nil {
		t.Fatal(err)
	}
	check := func() (bool, []int) { return nodeCheck(t, c, token) }
	if revoked, set := check(); revoked || len(set) != 0 {
		t.Fatalf("before revocation: revoked %v, bits %v", revoked, set)
	}
	c.revoke(16)
	if revoked, set := check(); !revoked || !slices.Equal(set, []int{16}) {
		t.Fatalf("after revocation: revoked %v, bits %v", revoked, set)
	}
}

// nodeCheck runs the independent check (credential/testdata/node) on a
// credential against c, and returns whether it found the credential's bit
// set and every bit set in the list.
func nodeCheck(t *testing.T, c *credHQ, token string) (revoked bool, set []int) {
	t.Helper()
	out, stderr, err := nodecheck.Run(t, c.http.Certificate(), token)
	if err != nil {
		t.Fatalf("check.mjs: %v\n%s", err, stderr)
	}
	var rep struct {
		Signature   string `json:"signature"`
		DIDDocument string `json:"didDocument"`
		Revoked     bool   `json:"revoked"`
		Status      struct {
			Set []int `json:"set"`
		} `json:"status"`
	}
	if err := json.Unmarshal(out, &rep); err != nil || rep.Signature != "verified" || rep.DIDDocument != c.issuer.DID {
		t.Fatalf("check.mjs printed %s (%v)", out, err)
	}
	return rep.Revoked, rep.Status.Set
}
