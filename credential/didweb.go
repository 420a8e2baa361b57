package credential

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// did:web (W3C CCG, "did:web Method Specification"): a DID that names a
// web address. "did:web:example.com" is resolved at
// https://example.com/.well-known/did.json; a path follows as
// colon-separated segments ("did:web:example.com:user:alice" →
// https://example.com/user/alice/did.json); a port's colon is
// percent-encoded ("did:web:example.com%3A3000").

// KeyFragment names HQ's one verification method inside its DID document,
// so the key is DID + "#key-1".
const KeyFragment = "key-1"

// DIDFromURL is the did:web of a public HTTPS address (HQ's
// --public-url). The address may carry a port and a path but no query,
// fragment or user; did:web forbids IP addresses, so the host is a name.
func DIDFromURL(public string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(public))
	if err != nil {
		return "", fmt.Errorf("public URL %q: %w", public, err)
	}
	if u.Scheme != "https" {
		return "", fmt.Errorf("public URL %q: did:web needs an https:// address", public)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("public URL %q: only a host, a port and a path may be given", public)
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "", fmt.Errorf("public URL %q: no host", public)
	}
	if net.ParseIP(host) != nil {
		return "", fmt.Errorf("public URL %q: did:web needs a domain name, not an IP address", public)
	}
	if !validHost(host) {
		return "", fmt.Errorf("public URL %q: %q is not a domain name", public, host)
	}
	did := "did:web:" + host
	if p := u.Port(); p != "" {
		did += "%3A" + p
	}
	for _, seg := range strings.Split(strings.Trim(u.Path, "/"), "/") {
		if seg == "" {
			continue
		}
		if !validSegment(seg) {
			return "", fmt.Errorf("public URL %q: path segment %q has characters a did:web cannot carry", public, seg)
		}
		did += ":" + seg
	}
	return did, nil
}

// DocumentURL is where a did:web's DID document is read (the method's
// Read steps): colons become slashes, a percent-encoded port colon is
// decoded, https:// goes in front, and /.well-known is added when the DID
// has no path, then /did.json.
func DocumentURL(did string) (string, error) {
	did, _, _ = strings.Cut(did, "#")
	rest, ok := strings.CutPrefix(did, "did:web:")
	if !ok || rest == "" {
		return "", fmt.Errorf("%q is not a did:web", did)
	}
	parts := strings.Split(rest, ":")
	host, err := url.PathUnescape(parts[0])
	if err != nil {
		return "", fmt.Errorf("%q: %w", did, err)
	}
	h, port, hasPort := strings.Cut(host, ":")
	if !validHost(strings.ToLower(h)) || (hasPort && !allDigits(port)) {
		return "", fmt.Errorf("%q: bad host %q", did, host)
	}
	for _, seg := range parts[1:] {
		if !validSegment(seg) {
			return "", fmt.Errorf("%q: bad path segment %q", did, seg)
		}
	}
	if len(parts) == 1 {
		return "https://" + host + "/.well-known/did.json", nil
	}
	return "https://" + host + "/" + strings.Join(parts[1:], "/") + "/did.json", nil
}

func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// validSegment keeps path segments to the characters a DID's
// method-specific id allows without percent-encoding (DID Core's idchar,
// less the colon, which separates segments).
func validSegment(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// JWK is an Ed25519 public key as a JSON Web Key (RFC 8037 §2: key type
// OKP, curve Ed25519, x the 32 key bytes in base64url).
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
}

// PublicJWK is pub as a JWK. It never carries "d", the private part.
func PublicJWK(pub ed25519.PublicKey) JWK {
	return JWK{Kty: "OKP", Crv: "Ed25519", X: b64.EncodeToString(pub)}
}

// Ed25519 is the public key a JWK holds, if it is an Ed25519 one.
func (k JWK) Ed25519() (ed25519.PublicKey, error) {
	if k.Kty != "OKP" || k.Crv != "Ed25519" {
		return nil, fmt.Errorf("key is %s/%s, not OKP/Ed25519", k.Kty, k.Crv)
	}
	b, err := b64.DecodeString(k.X)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("key's x is not 32 bytes of base64url")
	}
	return ed25519.PublicKey(b), nil
}

// VerificationMethod is one key of a DID document. Safeer writes the
// JsonWebKey type, which VC-JOSE-COSE requires of the keys that verify
// JOSE-secured credentials and Open Badges 3.0 asks for ("kid" must
// dereference to a JWK).
type VerificationMethod struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	Controller   string `json:"controller"`
	PublicKeyJwk *JWK   `json:"publicKeyJwk,omitempty"`
}

// DIDDocument is the DID document HQ serves at its did:web's address.
type DIDDocument struct {
	Context            []string             `json:"@context"`
	ID                 string               `json:"id"`
	VerificationMethod []VerificationMethod `json:"verificationMethod"`
	AssertionMethod    []string             `json:"assertionMethod"`
}

// NewDIDDocument is did's document with pub as its one verification
// method (did#key-1), allowed to make assertions: to issue credentials.
// The contexts are DID Core's and the security vocabulary's JWK one, as
// in VC-JOSE-COSE's example of a JsonWebKey controller document.
func NewDIDDocument(did string, pub ed25519.PublicKey) DIDDocument {
	kid := did + "#" + KeyFragment
	jwk := PublicJWK(pub)
	return DIDDocument{
		Context: []string{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"},
		ID:      did,
		VerificationMethod: []VerificationMethod{{
			ID: kid, Type: "JsonWebKey", Controller: did, PublicKeyJwk: &jwk,
		}},
		AssertionMethod: []string{kid},
	}
}

// Key is the Ed25519 key of the verification method kid, which must be
// listed for assertions. Relative ids ("#key-1") are read against the
// document's id.
func (d DIDDocument) Key(kid string) (ed25519.PublicKey, error) {
	abs := func(id string) string {
		if strings.HasPrefix(id, "#") {
			return d.ID + id
		}
		return id
	}
	asserts := false
	for _, a := range d.AssertionMethod {
		if abs(a) == kid {
			asserts = true
		}
	}
	if !asserts {
		return nil, fmt.Errorf("%s is not an assertion method of %s", kid, d.ID)
	}
	for _, vm := range d.VerificationMethod {
		if abs(vm.ID) != kid {
			continue
		}
		if vm.PublicKeyJwk == nil {
			return nil, fmt.Errorf("%s has no publicKeyJwk", kid)
		}
		return vm.PublicKeyJwk.Ed25519()
	}
	return nil, fmt.Errorf("%s is not in %s's DID document", kid, d.ID)
}

// maxDIDDocument bounds what ResolveDIDWeb reads.
const maxDIDDocument = 1 << 20

// ResolveDIDWeb reads the DID document of kid's did:web over HTTPS with
// client and returns the key kid names. The document's id must be the
// DID.
func ResolveDIDWeb(ctx context.Context, client *http.Client, kid string) (ed25519.PublicKey, error) {
	did, _, _ := strings.Cut(kid, "#")
	u, err := DocumentURL(did)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/did+json, application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("read %s: %s", u, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDIDDocument+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", u, err)
	}
	if len(body) > maxDIDDocument {
		return nil, fmt.Errorf("read %s: larger than %d bytes", u, maxDIDDocument)
	}
	var doc DIDDocument
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("read %s: %w", u, err)
	}
	if doc.ID != did {
		return nil, fmt.Errorf("%s holds the document of %q, not of %q", u, doc.ID, did)
	}
	return doc.Key(kid)
}
