package credential

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oman-sca/safeer/internal/testharness/nodecheck"
)

// issuerServer is an HTTPS server on loopback that plays HQ's public
// side: the DID document at /.well-known/did.json and the signed status
// list. Its certificate is for example.com (httptest's), so the issuer is
// did:web:example.com%3APORT, reached with example.com mapped to loopback.
type issuerServer struct {
	srv  *httptest.Server
	is   *Issuer
	mu   sync.Mutex
	list *StatusList
	host string // example.com:PORT
}

func newIssuerServer(t *testing.T) *issuerServer {
	t.Helper()
	s := &issuerServer{list: NewStatusList(0)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/did.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/did+json")
		json.NewEncoder(w).Encode(s.is.DIDDocument())
	})
	mux.HandleFunc("GET "+StatusListPath, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		token, err := s.is.StatusListCredential(s.list, time.Now().Add(-time.Minute), 10*time.Minute)
		s.mu.Unlock()
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/vc+jwt")
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Write([]byte(token))
	})
	s.srv = httptest.NewTLSServer(mux)
	t.Cleanup(s.srv.Close)
	_, port, _ := net.SplitHostPort(s.srv.Listener.Addr().String())
	s.host = "example.com:" + port
	is, err := NewIssuer("https://"+s.host, "سفراء المدن الذكية", "Smart City Ambassadors", testKey(7))
	if err != nil {
		t.Fatal(err)
	}
	s.is = is
	return s
}

// client reaches the server by its name.
func (s *issuerServer) client() *http.Client { return nodecheck.Client(s.srv, s.host) }

func (s *issuerServer) revoke(i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list.Set(i, true)
}

// nodeReport is what check.mjs prints when every check passed.
type nodeReport struct {
	Signature   string `json:"signature"`
	DIDDocument string `json:"didDocument"`
	Schema      string `json:"schema"`
	Revoked     bool   `json:"revoked"`
	Header      map[string]any
	Status      struct {
		Index   int   `json:"index"`
		Entries int   `json:"entries"`
		Bit     int   `json:"bit"`
		Set     []int `json:"set"`
	} `json:"status"`
	StatusCacheControl string `json:"statusCacheControl"`
}

// runNode runs check.mjs on token (nodecheck.Run) and reads its report
// when every check passed.
func runNode(t *testing.T, s *issuerServer, token string) (nodeReport, string, error) {
	t.Helper()
	out, stderr, err := nodecheck.Run(t, s.srv.Certificate(), token)
	var rep nodeReport
	if err == nil {
		if jerr := json.Unmarshal(out, &rep); jerr != nil {
			t.Fatalf("check.mjs printed %q: %v", out, jerr)
		}
	}
	return rep, stderr, err
}

// An independent implementation (Node.js: jose, ajv, zlib) verifies what
// this package issues: the signature with the key it finds in the DID
// document it fetches, the claims against the Open Badges 3.0 JSON
// Schema, and the certificate's bit in the status list before and after
// the certificate is revoked.
func TestNodeChecksIssuedCredential(t *testing.T) {
	s := newIssuerServer(t)
	c := testCertificate()
	c.StatusIndex = 77
	token, err := s.is.Issue(c)
	if err != nil {
		t.Fatal(err)
	}
	rep, stderr, err := runNode(t, s, token)
	if err != nil {
		t.Fatalf("check.mjs refused a fresh credential: %v\n%s", err, stderr)
	}
	if rep.Signature != "verified" || rep.DIDDocument != s.is.DID || rep.Schema != OBSchemaURL || rep.Revoked ||
		rep.Status.Index != 77 || rep.Status.Entries != MinStatusEntries || len(rep.Status.Set) != 0 {
		t.Fatalf("fresh credential: %+v", rep)
	}
	if rep.Header["typ"] != "JWT" || rep.Header["alg"] != "EdDSA" {
		t.Fatalf("header %v", rep.Header)
	}
	if !strings.Contains(rep.StatusCacheControl, "max-age") {
		t.Errorf("status list served with Cache-Control %q", rep.StatusCacheControl)
	}

	// Revoked: its bit, and only its bit, is set as Node reads the list.
	s.revoke(77)
	rep, stderr, err = runNode(t, s, token)
	if err != nil {
		t.Fatalf("check.mjs after revocation: %v\n%s", err, stderr)
	}
	if !rep.Revoked || rep.Status.Bit != 1 || !slices.Equal(rep.Status.Set, []int{77}) {
		t.Fatalf("after revocation: %+v", rep)
	}
	// And Go's own verifier, through the same server, agrees.
	client := s.client()
	opts := VerifyOptions{
		Issuer: s.is.DID,
		Resolve: func(kid string) (ed25519.PublicKey, error) {
			return ResolveDIDWeb(context.Background(), client, kid)
		},
		Status: func(url string) (string, error) {
			resp, err := client.Get(url)
			if err != nil {
				return "", err
			}
			defer resp.Body.Close()
			var b strings.Builder
			_, err = io.Copy(&b, resp.Body)
			return b.String(), err
		},
	}
	if r := Verify(token, opts); r.Outcome != Revoked {
		t.Fatalf("Go's verifier over HTTPS: %s %v", r.Outcome, codes(r))
	}

	// The checker is not a rubber stamp: an altered credential fails it.
	parts := strings.Split(token, ".")
	altered := parts[0] + "." + b64.EncodeToString([]byte(strings.Replace(string(mustB64(parts[1])), "Fatma", "Fatmo", 1))) + "." + parts[2]
	if _, stderr, err := runNode(t, s, altered); err == nil || !strings.Contains(stderr, "signature") {
		t.Fatalf("check.mjs accepted an altered credential (%v): %s", err, stderr)
	}
	// Nor is the schema check: a credential without its achievement's
	// required criteria, properly signed, fails on the schema alone.
	cr, _ := s.is.Credential(c)
	cr.CredentialSubject.Achievement.Criteria = Criteria{}
	bad, err := s.is.Sign(cr)
	if err != nil {
		t.Fatal(err)
	}
	// Remove "criteria" altogether (an empty object is allowed).
	p := strings.Replace(string(mustB64(strings.Split(bad, ".")[1])), `"criteria":{"narrative":""},`, ``, 1)
	in := strings.Split(bad, ".")[0] + "." + b64.EncodeToString([]byte(p))
	bad = in + "." + b64.EncodeToString(ed25519.Sign(s.is.Key, []byte(in)))
	if _, stderr, err := runNode(t, s, bad); err == nil || !strings.Contains(stderr, "schema") || !strings.Contains(stderr, "criteria") {
		t.Fatalf("check.mjs accepted a credential without criteria (%v): %s", err, stderr)
	}
}
