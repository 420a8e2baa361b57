package web

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/credential"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/message"
)

// Where people get the credentials HQ issued (issue 16): /verify offers a
// valid certificate's credential as the signed token (JWT), as readable
// JSON and baked into the programme's badge image (PNG and SVG, Open
// Badges 3.0 baking); /verify.json checks a credential anyone hands it.

// CredentialLinks are the downloads of a certificate's credential.
type CredentialLinks struct {
	JWT  string `json:"jwt"`  // the credential, a compact JWS (what wallets import)
	JSON string `json:"json"` // the same credential as readable JSON
	PNG  string `json:"png"`  // the badge image with the credential baked in
	SVG  string `json:"svg"`  // the same as a vector image
}

// credentialsPrefix is where the downloads are, by verification code:
// /credentials/XXXXX-XXXXX.jwt, .json and .png (the revocation list is
// at /credentials/status/revocation, a path of two segments).
const credentialsPrefix = "/credentials/"

// offerCredential adds the downloads to the answer for a valid
// certificate HQ holds and issued a credential for. A failure to read it
// leaves the answer without them (and is logged).
func (s *Site) offerCredential(ctx context.Context, a *Answer) {
	if s.cfg.Issued == nil || a.Status != StatusValid || !a.RecordedAtHQ || a.certificateID == "" {
		return
	}
	code, err := certificate.NormalizeCode(a.Code)
	if err != nil {
		return
	}
	// The certificate is valid (its row says not revoked): one look-up of
	// its credential by the row's id.
	c, ok, err := s.cfg.Issued.Of(ctx, a.certificateID)
	if err != nil {
		s.log.Error("reading a certificate's credential", "err", err)
		return
	}
	if !ok || c.Revoked() {
		return
	}
	base := credentialsPrefix + certificate.FormatCode(code)
	a.Credential = &CredentialLinks{JWT: base + ".jwt", JSON: base + ".json", PNG: base + ".png", SVG: base + ".svg"}
}

// credentialByCode is the credential of the certificate with a
// (canonical) code: the first created, as /verify shows it. It counts as
// revoked as soon as the certificate is, whether or not the issuer has
// caught up yet.
func (s *Site) credentialByCode(ctx context.Context, code string) (hq.StoredCredential, bool, error) {
	rows, err := s.st.CertificatesByCode(ctx, code)
	if err != nil || len(rows) == 0 {
		return hq.StoredCredential{}, false, err
	}
	c, ok, err := s.cfg.Issued.Of(ctx, rows[0].ID)
	if err != nil || !ok {
		return c, ok, err
	}
	v, err := hq.RowValues(rows[0])
	if err != nil {
		return c, ok, err
	}
	if rv := revocationOf(v); rv.revoked && !c.Revoked() {
		c.RevokedAt = rv.at
		if c.RevokedAt.IsZero() {
			c.RevokedAt = s.srv.Now().UTC()
		}
	}
	return c, ok, nil
}

// handleCredentialFile serves /credentials/CODE.jwt, .json, .png and .svg: the
// credential of a valid certificate. Like /verify it is rate-limited per
// client (a code is what it is asked by). A revoked certificate's
// credential is not handed out.
func (s *Site) handleCredentialFile(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	dot := strings.LastIndexByte(file, '.')
	if s.cfg.Issued == nil || dot < 0 {
		s.notFound(w, r)
		return
	}
	ext := file[dot+1:]
	code, err := certificate.NormalizeCode(file[:dot])
	if err != nil || (ext != "jwt" && ext != "json" && ext != "png" && ext != "svg") {
		s.notFound(w, r)
		return
	}
	if ok, wait := s.verifyRL.allow(s.clientKey(r)); !ok {
		secs := strconv.Itoa(int(wait.Seconds()))
		w.Header().Set("Retry-After", secs)
		s.message(w, r, http.StatusTooManyRequests, message.New("verify.rate_limited.title"),
			message.New("verify.rate_limited", message.Latin("seconds", secs)))
		return
	}
	c, ok, err := s.credentialByCode(r.Context(), code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok || c.Revoked() {
		s.notFound(w, r)
		return
	}
	var body []byte
	var typ string
	switch ext {
	case "jwt":
		// Open Badges 3.0, "Web Resource": a credential secured as a JWT
		// is served as its compact JWS, text/plain.
		body, typ = []byte(c.JWT), "text/plain; charset=utf-8"
	case "json":
		body, err = credentialJSON(c.JWT)
		typ = "application/json; charset=utf-8"
	case "png":
		body, err = credential.BakePNG(credential.BadgePNG, c.JWT)
		typ = "image/png"
	case "svg":
		body, err = credential.BakeSVG(credential.BadgeSVG, c.JWT)
		typ = "image/svg+xml"
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", typ)
	h.Set("Content-Disposition", `attachment; filename="safeer-`+certificate.FormatCode(code)+"."+ext+`"`)
	h.Set("Cache-Control", "no-store")
	w.Write(body)
}

// credentialJSON is the credential a token carries, as indented JSON,
// without the JWT's own claims (iss, jti, nbf, sub, exp): the readable
// copy. Only the token proves it.
func credentialJSON(token string) ([]byte, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("a stored credential is not a compact JWS")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	for _, claim := range []string{"iss", "jti", "nbf", "sub", "exp"} {
		delete(m, claim)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	return append(b, '\n'), err
}

// CredentialAnswer is /verify.json's verdict on a credential (a JWT).
type CredentialAnswer struct {
	// Status is valid, revoked, not_ours (another issuer's: its signature
	// is that issuer's business) or invalid.
	Status    string          `json:"status"`
	MessageEn string          `json:"message_en"`
	MessageAr string          `json:"message_ar"`
	Reasons   []CredentialWhy `json:"reasons"`
	// Credential is what an ours credential says (valid or revoked).
	Credential *CredentialSummary `json:"credential,omitempty"`
}

// CredentialWhy is one finding of the check.
type CredentialWhy struct {
	Code      string `json:"code"`
	MessageEn string `json:"message_en"`
	MessageAr string `json:"message_ar"`
}

// CredentialSummary is what a credential of ours states.
type CredentialSummary struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Issuer    string   `json:"issuer"`
	ValidFrom string   `json:"valid_from"`
	Names     []string `json:"names"`
}

// maxCredentialBody bounds a credential posted to /verify.json.
const maxCredentialBody = 64 << 10

// looksLikeJWT tells a credential from a code or a QR's text.
func looksLikeJWT(s string) bool {
	return strings.HasPrefix(s, "eyJ") && strings.Count(s, ".") == 2 && !strings.Contains(s, "/")
}

// handleVerifyCredentialPost is POST /verify.json with a credential (a
// JWT) as the body, for tokens too long for a link.
func (s *Site) handleVerifyCredentialPost(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCredentialBody))
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, messageJSON("bad_request", message.New("verify.bad_request")))
		return
	}
	s.answerCredential(w, r, string(b))
}

// answerCredential checks a credential as any verifier would, with HQ's
// own key and revocation list, and writes the verdict as JSON.
func (s *Site) answerCredential(w http.ResponseWriter, r *http.Request, token string) {
	if ok, wait := s.verifyRL.allow(s.clientKey(r)); !ok {
		secs := strconv.Itoa(int(wait.Seconds()))
		w.Header().Set("Retry-After", secs)
		writeJSON(w, http.StatusTooManyRequests, messageJSON("rate_limited", message.New("verify.rate_limited", message.Latin("seconds", secs))))
		return
	}
	is := s.cfg.Credentials
	if is == nil {
		writeJSON(w, http.StatusNotFound, messageJSON("no_credentials", message.New("credential.hq_issues_none")))
		return
	}
	ctx := r.Context()
	res := credential.Verify(strings.TrimSpace(token), credential.VerifyOptions{
		Issuer:  is.DID,
		Resolve: func(kid string) (ed25519.PublicKey, error) { return is.DIDDocument().Key(kid) },
		Status: func(url string) (string, error) {
			if url != is.StatusListURL() {
				return "", errors.New("not the programme's revocation list")
			}
			return s.statusListCredential(ctx)
		},
		Now: s.srv.Now(),
	})
	a := CredentialAnswer{Status: string(res.Outcome), Reasons: []CredentialWhy{}}
	for _, m := range res.Reasons {
		a.Reasons = append(a.Reasons, CredentialWhy{Code: string(m.Code), MessageEn: m.English(), MessageAr: m.Arabic()})
	}
	if len(res.Reasons) > 0 {
		a.MessageEn, a.MessageAr = res.Reasons[0].English(), res.Reasons[0].Arabic()
	}
	if cr := res.Credential; cr != nil && (res.Outcome == credential.Valid || res.Outcome == credential.Revoked) {
		sum := &CredentialSummary{ID: cr.ID, Name: cr.Name, Issuer: cr.Issuer.ID, ValidFrom: cr.ValidFrom, Names: []string{}}
		for _, id := range cr.CredentialSubject.Identifier {
			if id.IdentityType == "name" && !id.Hashed {
				sum.Names = append(sum.Names, id.IdentityHash)
			}
		}
		a.Credential = sum
	}
	writeJSON(w, http.StatusOK, a)
}
