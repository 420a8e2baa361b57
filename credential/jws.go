package credential

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The compact JWS (RFC 7515 §7.1) is written here by hand with
// crypto/ed25519 rather than with a JOSE library: Safeer signs with one
// algorithm (EdDSA, RFC 8037) and accepts only that one, so the whole
// format is base64url, a dot and ed25519.Sign, and no library code stands
// between a token and the one check that matters. Verifying refuses any
// other "alg" (no "none", no HMAC with the public key as secret) and any
// "crit" header, the two classic JOSE traps.

// b64 is base64url without padding, the only encoding JWS allows; Strict
// refuses stray bits in the last character, so one token has one form.
var b64 = base64.RawURLEncoding.Strict()

// algEdDSA is the JOSE name of Ed25519 signatures (RFC 8037 §3.1).
const algEdDSA = "EdDSA"

// header is the protected JOSE header Safeer writes: the algorithm, the
// verification method (a DID URL) and the type.
type header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid,omitempty"`
	Typ string `json:"typ,omitempty"`
	Cty string `json:"cty,omitempty"`
}

// marshal is json.Marshal without HTML escaping: "<", ">" and "&" stay
// themselves in titles, which makes no difference to a JSON reader but
// keeps the payload readable.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// signCompact returns the compact serialisation of payload signed with
// key under h: BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(sig).
func signCompact(h header, payload any, key ed25519.PrivateKey) (string, error) {
	if len(key) != ed25519.PrivateKeySize {
		return "", errors.New("credential: no Ed25519 signing key")
	}
	h.Alg = algEdDSA
	hb, err := marshal(h)
	if err != nil {
		return "", fmt.Errorf("credential: encode JOSE header: %w", err)
	}
	pb, err := marshal(payload)
	if err != nil {
		return "", fmt.Errorf("credential: encode JWT payload: %w", err)
	}
	input := b64.EncodeToString(hb) + "." + b64.EncodeToString(pb)
	return input + "." + b64.EncodeToString(ed25519.Sign(key, []byte(input))), nil
}

// compact is a compact JWS taken apart, its signature not yet checked.
type compact struct {
	header  header
	extra   []string // header parameters other than alg, kid, typ, cty
	payload []byte
	input   string // header "." payload, as signed
	sig     []byte
}

// errNotJWS says a text is not a compact JWS at all.
var errNotJWS = errors.New("not a compact JWS")

// parseCompact splits a compact JWS and decodes its header and payload.
// It checks the form only; verify checks the signature.
func parseCompact(token string) (*compact, error) {
	token = strings.TrimSpace(token)
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errNotJWS
	}
	hb, err := b64.DecodeString(parts[0])
	if err != nil {
		return nil, errNotJWS
	}
	pb, err := b64.DecodeString(parts[1])
	if err != nil {
		return nil, errNotJWS
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return nil, errNotJWS
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(hb, &fields); err != nil {
		return nil, errNotJWS
	}
	c := &compact{payload: pb, input: parts[0] + "." + parts[1], sig: sig}
	if err := json.Unmarshal(hb, &c.header); err != nil {
		return nil, errNotJWS
	}
	for k := range fields {
		switch k {
		case "alg", "kid", "typ", "cty":
		default:
			c.extra = append(c.extra, k)
		}
	}
	return c, nil
}

// verify checks the signature with pub. Only EdDSA is accepted, and a
// "crit" header (extensions that must be understood) never is.
func (c *compact) verify(pub ed25519.PublicKey) bool {
	if c.header.Alg != algEdDSA || len(pub) != ed25519.PublicKeySize || len(c.sig) != ed25519.SignatureSize {
		return false
	}
	for _, k := range c.extra {
		if k == "crit" {
			return false
		}
	}
	return ed25519.Verify(pub, []byte(c.input), c.sig)
}
