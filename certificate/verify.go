package certificate

import (
	"crypto/ed25519"
	"encoding/base32"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// DefaultVerifyURL is where a phone that scans a certificate is sent: HQ's
// verification page, with the record as the last path segment. Its path is
// upper case on purpose (see QRText); HQ should route /v/ and /V/ alike.
const DefaultVerifyURL = "https://safeer.sca.om/V/"

// payloadEncoding is RFC 4648 base32 without padding. It is not base45
// (RFC 9285), although base45 packs ~7% more into QR alphanumeric mode:
// base45's alphabet has space and '%', which break a URL that a phone camera
// should open. Base32's A-Z2-7 sits inside the QR alphanumeric set (5.5 bits
// a character), so the whole URL still encodes in that mode, 18% smaller
// than base64url, which needs byte mode. Every platform's stdlib decodes it.
var payloadEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// QRText is the text of a certificate's QR code: baseURL (DefaultVerifyURL
// when empty) followed by the base32 payload. Scheme and host are put in
// upper case, which URLs allow, so that with an upper-case path the whole
// text is in the QR alphanumeric set and the code stays small; a lower-case
// path still works, in a larger code.
func QRText(baseURL string, payload []byte) string {
	if baseURL == "" {
		baseURL = DefaultVerifyURL
	}
	if i := strings.Index(baseURL, "://"); i >= 0 {
		hostEnd := len(baseURL)
		if j := strings.IndexByte(baseURL[i+3:], '/'); j >= 0 {
			hostEnd = i + 3 + j
		}
		baseURL = strings.ToUpper(baseURL[:hostEnd]) + baseURL[hostEnd:]
	}
	if !strings.HasSuffix(baseURL, "/") {
		baseURL += "/"
	}
	return baseURL + payloadEncoding.EncodeToString(payload)
}

// QRText is the text of this certificate's QR code; see QRText.
func (s SignedCertificate) QRText(baseURL string) string { return QRText(baseURL, s.Payload) }

// PayloadFromQR extracts the record bytes from a QR code's text: a full URL
// (the last path segment; query and fragment ignored) or the bare base32.
func PayloadFromQR(text string) ([]byte, error) {
	text = strings.TrimSpace(text)
	if len(text) > 2*MaxRecordLen {
		return nil, fmt.Errorf("%w: text of %d characters is too long", ErrMalformed, len(text))
	}
	if i := strings.IndexAny(text, "?#"); i >= 0 {
		text = text[:i]
	}
	text = strings.TrimRight(text, "/")
	if i := strings.LastIndexByte(text, '/'); i >= 0 {
		text = text[i+1:]
	}
	if unescaped, err := url.PathUnescape(text); err == nil {
		text = unescaped
	}
	b, err := payloadEncoding.DecodeString(strings.ToUpper(text))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return b, nil
}

// Status is the outcome of verifying a certificate.
type Status string

// The outcomes, from best to worst news.
const (
	StatusValid         Status = "valid"          // signed by an HQ-endorsed device, not revoked
	StatusRevoked       Status = "revoked"        // authentic, but HQ revoked it
	StatusNotEndorsed   Status = "not_endorsed"   // intact, but the device was not yet enrolled with HQ
	StatusUnknownSigner Status = "unknown_signer" // intact, but the device was endorsed by another key than HQ's
	StatusTampered      Status = "tampered"       // the device signature does not match the content
	StatusMalformed     Status = "malformed"      // not a certificate record at all
)

// RevocationFunc tells whether HQ revoked the certificate with this code,
// when and why. Verify takes nil when no revocation list is at hand.
type RevocationFunc func(code string) (revoked bool, at time.Time, reason string)

// Result is what Verify found. Record holds the decoded fields (what was
// certified) for every status but malformed; show them to the person
// checking, next to the status, never instead of it.
type Result struct {
	Status        Status
	Record        Record
	RevokedAt     time.Time
	RevokedReason string
	Err           error // the reason, in English, when Status is not valid
}

// Verify checks the text of a certificate's QR code offline: the device's
// signature over the record, HQ's endorsement of the device key under hqPub,
// and, when revoked is not nil, HQ's revocation list.
func Verify(qrText string, hqPub ed25519.PublicKey, revoked RevocationFunc) Result {
	payload, err := PayloadFromQR(qrText)
	if err != nil {
		return Result{Status: StatusMalformed, Err: err}
	}
	return VerifyPayload(payload, hqPub, revoked)
}

// VerifyPayload is Verify for the record bytes themselves.
func VerifyPayload(payload []byte, hqPub ed25519.PublicKey, revoked RevocationFunc) Result {
	r, bodyLen, err := parseRecord(payload)
	if err != nil {
		return Result{Status: StatusMalformed, Err: err}
	}
	res := Result{Record: r}
	switch {
	case !ed25519.Verify(r.DevicePub, signedMessage(payload[:bodyLen]), r.Signature):
		res.Status, res.Err = StatusTampered, errors.New("the signature does not match the certificate's content")
	case len(r.Endorsement) == 0:
		res.Status, res.Err = StatusNotEndorsed, errors.New("the issuing device was not enrolled with HQ when it signed")
	case len(hqPub) != ed25519.PublicKeySize:
		res.Status, res.Err = StatusUnknownSigner, errors.New("no HQ public key to check the device against")
	case !VerifyEndorsement(hqPub, r.DeviceID, r.DevicePub, r.Endorsement):
		res.Status, res.Err = StatusUnknownSigner, errors.New("the issuing device was not endorsed by this HQ")
	default:
		res.Status = StatusValid
		if revoked != nil {
			if ok, at, reason := revoked(r.Code); ok {
				res.Status, res.RevokedAt, res.RevokedReason = StatusRevoked, at, reason
				res.Err = fmt.Errorf("revoked by HQ: %s", reason)
			}
		}
	}
	return res
}
