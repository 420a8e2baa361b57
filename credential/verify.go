package credential

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oman-sca/safeer/message"
)

// Outcome is what Verify concludes of a credential.
type Outcome string

const (
	// Valid: issued by the issuer Verify trusts, signature, claims and
	// dates right, and not revoked (or its status not asked for).
	Valid Outcome = "valid"
	// Revoked: issued by that issuer, and its bit is set in the issuer's
	// signed revocation list.
	Revoked Outcome = "revoked"
	// NotOurs: a credential of another issuer. Its signature was not
	// checked: that is the business of the issuer's own verifier.
	NotOurs Outcome = "not_ours"
	// Invalid: not a credential, or one that fails a check: an altered or
	// forged signature, a claim that contradicts the credential, dates,
	// or a status that cannot be read.
	Invalid Outcome = "invalid"
)

// Result is Verify's verdict, with its reasons (messages of the
// catalogue, in English and Arabic) and the credential when it could be
// read.
type Result struct {
	Outcome    Outcome
	Reasons    []message.Message
	Credential *Credential
}

// VerifyOptions are what Verify trusts and how it reaches the world.
type VerifyOptions struct {
	// Issuer is the DID whose credentials are "ours"; a credential of any
	// other is NotOurs. Empty: any issuer whose key Resolve finds.
	Issuer string
	// Resolve gives the public key of a verification method (a DID URL,
	// "did:web:…#key-1"): HQ answers from its own key, anyone else with
	// ResolveDIDWeb.
	Resolve func(kid string) (ed25519.PublicKey, error)
	// Status gives the status list credential (a compact JWS) at a URL.
	// Nil: the status is not checked, and Result says so.
	Status func(url string) (string, error)
	// Now is the time the dates are checked at (zero: time.Now).
	Now time.Time
}

func (r *Result) fail(o Outcome, m message.Message) Result {
	r.Outcome = o
	r.Reasons = append(r.Reasons, m)
	return *r
}

// Verify checks a compact-JWS OpenBadgeCredential as Open Badges 3.0
// ("Verify a Credential") and the Bitstring Status List's validate
// algorithm say: header, signature with the key of the "kid"'s
// verification method (which must belong to the issuer), iss/jti/sub/nbf/
// exp against issuer.id/id/credentialSubject.id/validFrom/validUntil, the
// dates, then the credential's bit in its issuer's signed status list.
func Verify(token string, opt VerifyOptions) Result {
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	var r Result
	c, err := parseCompact(token)
	if err != nil {
		return r.fail(Invalid, message.New("credential.malformed"))
	}
	var p payload
	if err := json.Unmarshal(c.payload, &p); err != nil {
		return r.fail(Invalid, message.New("credential.malformed"))
	}
	cr := p.Credential
	r.Credential = &cr
	if !slices.Contains(cr.Type, "VerifiableCredential") ||
		!(slices.Contains(cr.Type, "OpenBadgeCredential") || slices.Contains(cr.Type, "AchievementCredential")) {
		r.Credential = nil
		return r.fail(Invalid, message.New("credential.not_openbadge"))
	}
	if p.Iss == "" || p.Iss != cr.Issuer.ID {
		return r.fail(Invalid, message.New("credential.claim_mismatch", message.Latin("claim", "iss")))
	}
	if opt.Issuer != "" && cr.Issuer.ID != opt.Issuer {
		return r.fail(NotOurs, message.New("credential.other_issuer", message.Latin("issuer", cr.Issuer.ID)))
	}
	if c.header.Alg != algEdDSA {
		return r.fail(Invalid, message.New("credential.algorithm", message.Latin("alg", c.header.Alg)))
	}
	if !strings.HasPrefix(c.header.Kid, cr.Issuer.ID+"#") {
		return r.fail(Invalid, message.New("credential.foreign_key", message.Latin("kid", c.header.Kid)))
	}
	if opt.Resolve == nil {
		return r.fail(Invalid, message.New("credential.unknown_key", message.Latin("kid", c.header.Kid)))
	}
	pub, err := opt.Resolve(c.header.Kid)
	if err != nil {
		return r.fail(Invalid, message.New("credential.unknown_key", message.Latin("kid", c.header.Kid)))
	}
	if !c.verify(pub) {
		return r.fail(Invalid, message.New("credential.bad_signature"))
	}
	if p.Jti != cr.ID {
		return r.fail(Invalid, message.New("credential.claim_mismatch", message.Latin("claim", "jti")))
	}
	if p.Sub != cr.CredentialSubject.ID {
		return r.fail(Invalid, message.New("credential.claim_mismatch", message.Latin("claim", "sub")))
	}
	if cr.CredentialSubject.ID == "" && len(cr.CredentialSubject.Identifier) == 0 {
		return r.fail(Invalid, message.New("credential.no_subject"))
	}
	from, err := time.Parse(time.RFC3339, cr.ValidFrom)
	if err != nil || p.Nbf != from.Unix() {
		return r.fail(Invalid, message.New("credential.claim_mismatch", message.Latin("claim", "nbf")))
	}
	if now.Before(from) {
		return r.fail(Invalid, message.New("credential.not_yet_valid", message.Latin("date", cr.ValidFrom)))
	}
	if cr.ValidUntil != "" || p.Exp != 0 {
		until, err := time.Parse(time.RFC3339, cr.ValidUntil)
		if err != nil || p.Exp != until.Unix() {
			return r.fail(Invalid, message.New("credential.claim_mismatch", message.Latin("claim", "exp")))
		}
		if now.After(until) {
			return r.fail(Invalid, message.New("credential.expired", message.Latin("date", cr.ValidUntil)))
		}
	}
	st := cr.CredentialStatus
	if st == nil {
		r.Outcome = Valid
		r.Reasons = append(r.Reasons, message.New("credential.valid"), message.New("credential.no_status"))
		return r
	}
	if opt.Status == nil {
		r.Outcome = Valid
		r.Reasons = append(r.Reasons, message.New("credential.valid"), message.New("credential.status_unchecked"))
		return r
	}
	revoked, err := checkStatus(*st, cr.Issuer.ID, opt, now)
	if err != nil {
		return r.fail(Invalid, message.New("credential.status_invalid", message.Latin("detail", err.Error())))
	}
	if revoked {
		return r.fail(Revoked, message.New("credential.revoked"))
	}
	r.Outcome = Valid
	r.Reasons = append(r.Reasons, message.New("credential.valid"))
	return r
}

// checkStatus is the Bitstring Status List's validate algorithm for one
// BitstringStatusListEntry of purpose revocation: the list credential is
// fetched, must be signed by the credential's issuer and current, and its
// bit at statusListIndex says revoked or not.
func checkStatus(st StatusEntry, issuer string, opt VerifyOptions, now time.Time) (bool, error) {
	if st.Type != "BitstringStatusListEntry" || st.StatusPurpose != "revocation" {
		return false, errors.New("credentialStatus is not a BitstringStatusListEntry for revocation")
	}
	index, err := strconv.Atoi(st.StatusListIndex)
	if err != nil || index < 0 {
		return false, errors.New("statusListIndex is not a number")
	}
	token, err := opt.Status(st.StatusListCredential)
	if err != nil {
		return false, err
	}
	list, err := verifyStatusList(token, issuer, st.StatusListCredential, opt, now)
	if err != nil {
		return false, err
	}
	return list.Get(index)
}

// VerifyStatusList checks a status list credential (signature by
// issuer's key, type, purpose, dates) and returns its list.
func VerifyStatusList(token, issuer string, opt VerifyOptions) (*StatusList, error) {
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	return verifyStatusList(token, issuer, "", opt, now)
}

func verifyStatusList(token, issuer, url string, opt VerifyOptions, now time.Time) (*StatusList, error) {
	c, err := parseCompact(token)
	if err != nil {
		return nil, errors.New("the status list is not a compact JWS")
	}
	if !strings.HasPrefix(c.header.Kid, issuer+"#") {
		return nil, errors.New("the status list is not signed with a key of the credential's issuer")
	}
	if opt.Resolve == nil {
		return nil, errors.New("no way to find the status list's key")
	}
	pub, err := opt.Resolve(c.header.Kid)
	if err != nil {
		return nil, err
	}
	if !c.verify(pub) {
		return nil, errors.New("the status list's signature does not verify")
	}
	var sl StatusListCredential
	if err := json.Unmarshal(c.payload, &sl); err != nil {
		return nil, errors.New("the status list is not a credential")
	}
	if !slices.Contains(sl.Type, "BitstringStatusListCredential") || sl.CredentialSubject.Type != "BitstringStatusList" {
		return nil, errors.New("the status list is not a BitstringStatusListCredential")
	}
	if sl.Issuer != issuer {
		return nil, errors.New("the status list has another issuer")
	}
	if url != "" && sl.ID != url {
		return nil, errors.New("the status list is not the one the credential names")
	}
	if sl.CredentialSubject.StatusPurpose != "revocation" {
		return nil, errors.New("the status list is not for revocation")
	}
	if from, err := time.Parse(time.RFC3339, sl.ValidFrom); err != nil || now.Before(from) {
		return nil, errors.New("the status list is not valid yet")
	}
	if sl.ValidUntil != "" {
		if until, err := time.Parse(time.RFC3339, sl.ValidUntil); err != nil || now.After(until) {
			return nil, errors.New("the status list has expired")
		}
	}
	return DecodeStatusList(sl.CredentialSubject.EncodedList)
}
