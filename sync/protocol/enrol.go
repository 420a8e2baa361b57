package protocol

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
)

// enrolDomain starts every enrolment proof, so a signature by a device key
// over anything else (a certificate: "safeer/certificate/v1\n") is never
// one, and the other way round.
const enrolDomain = "safeer/enrol/v1\n"

// EnrolMessage is what a device signs to enrol: the domain, the nonce, the
// device id, the SHA-256 of the code as sent and the public key, the last
// two in hex, one per line. None of the parts can hold a newline (HQ
// refuses such device ids, nonces are base64url), so the lines cannot be
// shifted into one another.
func EnrolMessage(nonce, deviceID, code string, pub ed25519.PublicKey) []byte {
	h := sha256.Sum256([]byte(code))
	m := make([]byte, 0, len(enrolDomain)+len(nonce)+len(deviceID)+2*len(h)+2*len(pub)+3)
	m = append(m, enrolDomain...)
	m = append(m, nonce...)
	m = append(m, '\n')
	m = append(m, deviceID...)
	m = append(m, '\n')
	m = hex.AppendEncode(m, h[:])
	m = append(m, '\n')
	return hex.AppendEncode(m, pub)
}

// SignEnrol completes req for the nonce of an EnrolChallenge: the public
// key of key, the nonce, and key's signature over EnrolMessage. Code and
// DeviceID must be set first.
func SignEnrol(req *EnrolRequest, key ed25519.PrivateKey, nonce string) {
	pub := key.Public().(ed25519.PublicKey)
	req.PublicKey = pub
	req.Nonce = nonce
	req.Signature = ed25519.Sign(key, EnrolMessage(nonce, req.DeviceID, req.Code, pub))
}

// VerifyEnrol reports whether req carries a valid signature by the public
// key it sends (whether the nonce is HQ's and unspent is HQ's to check).
func VerifyEnrol(req EnrolRequest) bool {
	if len(req.PublicKey) != ed25519.PublicKeySize || len(req.Signature) != ed25519.SignatureSize {
		return false
	}
	pub := ed25519.PublicKey(req.PublicKey)
	return ed25519.Verify(pub, EnrolMessage(req.Nonce, req.DeviceID, req.Code, pub), req.Signature)
}
