package protocol

import (
	"crypto/ed25519"
	"crypto/rand"
	"testing"
)

// A signed enrolment verifies, and changing any part of it (nonce, device
// id, code, key) or signing with another key does not.
func TestEnrolSignature(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	signed := func() EnrolRequest {
		req := EnrolRequest{Code: "ABCDE-FGHJK", DeviceID: "dev-1", Name: "laptop"}
		SignEnrol(&req, key, "nonce-1")
		return req
	}
	req := signed()
	if !VerifyEnrol(req) || req.Nonce != "nonce-1" || !key.Public().(ed25519.PublicKey).Equal(ed25519.PublicKey(req.PublicKey)) {
		t.Fatalf("a signed enrolment does not verify: %+v", req)
	}
	req.Name = "renamed" // the name is the device's word, not signed
	if !VerifyEnrol(req) {
		t.Fatal("the name is part of the signature")
	}
	for name, change := range map[string]func(*EnrolRequest){
		"nonce":        func(r *EnrolRequest) { r.Nonce = "nonce-2" },
		"device id":    func(r *EnrolRequest) { r.DeviceID = "dev-2" },
		"code":         func(r *EnrolRequest) { r.Code = "ABCDEFGHJK" },
		"key":          func(r *EnrolRequest) { r.PublicKey = other.Public().(ed25519.PublicKey) },
		"other signer": func(r *EnrolRequest) { SignEnrol(r, other, r.Nonce); r.PublicKey = key.Public().(ed25519.PublicKey) },
		"no signature": func(r *EnrolRequest) { r.Signature = nil },
		"short key":    func(r *EnrolRequest) { r.PublicKey = r.PublicKey[:31] },
		"signature of the bare message": func(r *EnrolRequest) {
			r.Signature = ed25519.Sign(key, []byte(r.Nonce+"\n"+r.DeviceID))
		},
	} {
		r := signed()
		change(&r)
		if VerifyEnrol(r) {
			t.Errorf("%s changed: still verifies", name)
		}
	}
}
