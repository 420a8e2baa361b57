package web

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oman-sca/safeer/credential"
)

// HQ's public side of Open Badges 3.0 credentials (issue 16): the DID
// document of its did:web, which holds the key every credential is
// checked with, and the signed revocation list (Bitstring Status List)
// that every credential names. Both are public, so any verifier, a
// browser's included, may fetch them from anywhere. HQ issues the
// credentials themselves (hq/credentials.go, Config.Issued), and /verify
// hands them out.

// The programme's names, the issuer of every credential.
const (
	ProgrammeAr = "سفراء المدن الذكية"
	ProgrammeEn = "Smart City Ambassadors"
)

// NewIssuer is HQ's credential issuer at its public address (safeer-hq
// serve --public-url), signing with HQ's key. HQ serves its pages at the
// root of its address, so the address may not have a path: the DID
// document is then at /.well-known/did.json.
func NewIssuer(publicURL string, key ed25519.PrivateKey) (*credential.Issuer, error) {
	u, err := url.Parse(strings.TrimSpace(publicURL))
	if err == nil && strings.Trim(u.Path, "/") != "" {
		return nil, errors.New("--public-url: HQ is served at the root of its address; give it without a path")
	}
	is, err := credential.NewIssuer(publicURL, ProgrammeAr, ProgrammeEn, key)
	if err != nil {
		return nil, errors.New("--public-url: " + err.Error())
	}
	return is, nil
}

// statusListFor is how long a status list credential is valid; its
// validFrom is rounded down to statusListStep, so that within a step the
// same list gives the same bytes (Ed25519 signatures are deterministic)
// and a cache's ETag holds.
const (
	statusListFor  = time.Hour
	statusListStep = 10 * time.Minute
)

// publicDocument marks a response as a public document: cached for a
// while, readable by scripts of any origin (CORS) and loadable across
// origins.
func publicDocument(w http.ResponseWriter, contentType string, maxAge time.Duration) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(maxAge/time.Second)))
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
}

// handleDIDDocument serves HQ's DID document (did:web: /.well-known/did.json).
func (s *Site) handleDIDDocument(w http.ResponseWriter, r *http.Request) {
	is := s.cfg.Credentials
	if is == nil {
		s.notFound(w, r)
		return
	}
	b, err := json.MarshalIndent(is.DIDDocument(), "", "  ")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	publicDocument(w, "application/did+json", time.Hour)
	w.Write(append(b, '\n'))
}

// handleStatusList serves the revocation list credential, a compact JWS
// (application/vc+jwt), with an ETag so a verifier's cache can ask
// whether it changed.
func (s *Site) handleStatusList(w http.ResponseWriter, r *http.Request) {
	is := s.cfg.Credentials
	if is == nil {
		s.notFound(w, r)
		return
	}
	token, err := s.statusListCredential(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sum := sha256.Sum256([]byte(token))
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	publicDocument(w, "application/vc+jwt", 5*time.Minute)
	w.Header().Set("ETag", etag)
	if slices.Contains(strings.Split(strings.ReplaceAll(r.Header.Get("If-None-Match"), " ", ""), ","), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write([]byte(token))
}

// statusListCredential signs the list of revoked credentials as it is now.
func (s *Site) statusListCredential(ctx context.Context) (string, error) {
	var revoked []int
	var err error
	switch {
	case s.cfg.RevokedStatuses != nil:
		revoked, err = s.cfg.RevokedStatuses(ctx)
	case s.cfg.Issued != nil:
		revoked, err = s.cfg.Issued.RevokedStatuses(ctx)
	}
	if err != nil {
		return "", err
	}
	n := 0
	if s.cfg.Issued != nil {
		if n, err = s.cfg.Issued.StatusListLength(ctx); err != nil {
			return "", err
		}
	}
	for _, i := range revoked {
		n = max(n, i+1)
	}
	list := credential.NewStatusList(n)
	for _, i := range revoked {
		if err := list.Set(i, true); err != nil {
			return "", err
		}
	}
	now := s.srv.Now().UTC().Truncate(statusListStep)
	return s.cfg.Credentials.StatusListCredential(list, now, statusListFor)
}
