package credential

import (
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oman-sca/safeer/message"
)

// The example encodedList of Bitstring Status List v1.0 (the example
// BitstringStatusListCredential of its data model): 131,072 entries, none set.
const specEncodedList = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"

func TestStatusListSpecExample(t *testing.T) {
	l, err := DecodeStatusList(specEncodedList)
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 131072 {
		t.Fatalf("the specification's list has %d entries, want 131072 (16 KB)", l.Len())
	}
	for i, b := range l.bits {
		if b != 0 {
			t.Fatalf("byte %d of the specification's empty list is %#x", i, b)
		}
	}
	// Ours, empty, holds the same bits and is multibase base64url of gzip
	// ("u", then the gzip magic 1f 8b 08 in base64url: "H4sI").
	enc := NewStatusList(0).Encode()
	if !strings.HasPrefix(enc, "uH4sI") || strings.ContainsAny(enc, "+/=") {
		t.Fatalf("encodedList %q is not u + unpadded base64url of gzip", enc[:12])
	}
	back, err := DecodeStatusList(enc)
	if err != nil || !bytes.Equal(back.bits, l.bits) {
		t.Fatalf("our empty list does not decode to the specification's: %v", err)
	}
}

// Index 0 is the left-most bit: the most significant bit of the first
// byte (encodedList in the data model, and "Bitstring Encoding").
func TestStatusListBitOrder(t *testing.T) {
	l := NewStatusList(10)
	if l.Len() != MinStatusEntries {
		t.Fatalf("a list of 10 has %d entries, want the minimum %d", l.Len(), MinStatusEntries)
	}
	for _, i := range []int{0, 7, 9, 131071} {
		if err := l.Set(i, true); err != nil {
			t.Fatal(err)
		}
	}
	if l.bits[0] != 0x81 || l.bits[1] != 0x40 || l.bits[len(l.bits)-1] != 0x01 {
		t.Fatalf("bytes %#x %#x … %#x, want 0x81 0x40 … 0x01", l.bits[0], l.bits[1], l.bits[len(l.bits)-1])
	}
	// Through the encoding and an independent gunzip.
	z, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(l.Encode(), "u"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	if _, err := raw.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	if raw.Len() != 16384 || raw.Bytes()[0] != 0x81 || raw.Bytes()[16383] != 0x01 {
		t.Fatalf("gunzipped list: %d bytes, first %#x", raw.Len(), raw.Bytes()[0])
	}
	back, err := DecodeStatusList(l.Encode())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 131072 {
		want := i == 0 || i == 7 || i == 9 || i == 131071
		if got, _ := back.Get(i); got != want {
			t.Fatalf("bit %d is %v, want %v", i, got, want)
		}
	}
	if err := l.Set(131072, true); err == nil {
		t.Fatal("set past the end")
	}
	if err := l.Set(7, false); err != nil {
		t.Fatal(err)
	}
	if l.bits[0] != 0x80 {
		t.Fatalf("clearing bit 7 left %#x", l.bits[0])
	}
}

func TestStatusListRefuses(t *testing.T) {
	gz := func(n int) string {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(make([]byte, n))
		zw.Close()
		return "u" + base64.RawURLEncoding.EncodeToString(b.Bytes())
	}
	for name, enc := range map[string]string{
		"no multibase prefix":  strings.TrimPrefix(specEncodedList, "u"),
		"base58 prefix":        "z" + specEncodedList[1:],
		"not gzip":             "u" + base64.RawURLEncoding.EncodeToString(make([]byte, 16384)),
		"shorter than 16 KB":   gz(16383),
		"inflates past 16 MiB": gz(16<<20 + 1),
	} {
		if _, err := DecodeStatusList(enc); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	// Padding is tolerated: the bits are the same.
	if _, err := DecodeStatusList(gz(16384) + "=="); err != nil {
		t.Errorf("padded: %v", err)
	}
}

// The examples of the did:web Method Specification (Method Specific
// Identifier, and Read (Resolve)).
func TestDIDWebSpecExamples(t *testing.T) {
	for _, tc := range []struct{ url, did, doc string }{
		{"https://w3c-ccg.github.io", "did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"},
		{"https://w3c-ccg.github.io/user/alice", "did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"},
		{"https://example.com:3000", "did:web:example.com%3A3000", "https://example.com:3000/.well-known/did.json"},
		{"https://example.com:3000/user/alice/", "did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"},
		{"https://HQ.Example.om", "did:web:hq.example.om", "https://hq.example.om/.well-known/did.json"},
	} {
		did, err := DIDFromURL(tc.url)
		if err != nil || did != tc.did {
			t.Errorf("DIDFromURL(%q) = %q, %v; want %q", tc.url, did, err, tc.did)
		}
		doc, err := DocumentURL(tc.did)
		if err != nil || doc != tc.doc {
			t.Errorf("DocumentURL(%q) = %q, %v; want %q", tc.did, doc, err, tc.doc)
		}
		if doc, err := DocumentURL(tc.did + "#key-1"); err != nil || doc != tc.doc {
			t.Errorf("DocumentURL of a DID URL %q = %q, %v", tc.did+"#key-1", doc, err)
		}
	}
	for _, bad := range []string{"http://example.com", "https://127.0.0.1:8443", "https://[::1]", "https://example.com/?x=1",
		"https://user@example.com", "https://example.com/a%20b", "https://exa_mple.com"} {
		if did, err := DIDFromURL(bad); err == nil {
			t.Errorf("DIDFromURL(%q) = %q, want an error", bad, did)
		}
	}
	for _, bad := range []string{"did:key:z6Mk", "did:web:", "did:web:example.com%3Ax", "did:web:example.com::a", "did:web:ex ample.com"} {
		if u, err := DocumentURL(bad); err == nil {
			t.Errorf("DocumentURL(%q) = %q, want an error", bad, u)
		}
	}
}

// RFC 8037 Appendix A.4: the Ed25519 JWS of "Example of Ed25519 signing"
// with the key of A.1/A.2, and A.5's check of it.
func TestJWSRFC8037Vector(t *testing.T) {
	const (
		d     = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
		x     = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
		token = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
	)
	pub, err := JWK{Kty: "OKP", Crv: "Ed25519", X: x}.Ed25519()
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := base64.RawURLEncoding.DecodeString(d)
	if !bytes.Equal(ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey), pub) {
		t.Fatal("the RFC's d and x are not a pair here")
	}
	c, err := parseCompact(token)
	if err != nil {
		t.Fatal(err)
	}
	if c.header.Alg != "EdDSA" || string(c.payload) != "Example of Ed25519 signing" || !c.verify(pub) {
		t.Fatalf("the RFC 8037 example does not verify: %+v %q", c.header, c.payload)
	}
	// Our signing input is the same bytes: the signature matches the RFC's
	// (Ed25519 is deterministic).
	sig := ed25519.Sign(ed25519.NewKeyFromSeed(seed), []byte(c.input))
	if b64.EncodeToString(sig) != token[strings.LastIndex(token, ".")+1:] {
		t.Fatal("signing the RFC's input gives another signature")
	}
	// Altered, or claiming another algorithm, it fails.
	if c2, _ := parseCompact(strings.Replace(token, ".RXhh", ".RXha", 1)); c2 == nil || c2.verify(pub) {
		t.Fatal("altered payload verified")
	}
	none := b64.EncodeToString([]byte(`{"alg":"none"}`)) + token[strings.Index(token, "."):]
	if c3, _ := parseCompact(none); c3 == nil || c3.verify(pub) {
		t.Fatal(`alg "none" verified`)
	}
	crit := b64.EncodeToString([]byte(`{"alg":"EdDSA","crit":["exp"]}`)) + token[strings.Index(token, "."):]
	if c4, _ := parseCompact(crit); c4 == nil || c4.verify(pub) {
		t.Fatal("a crit header verified")
	}
	for _, bad := range []string{"", "a.b", "a.b.c.d", "!!.e30.AA", token + "="} {
		if _, err := parseCompact(bad); err == nil {
			t.Errorf("parsed %q", bad)
		}
	}
}

// testKey is a fixed key, so failures reproduce.
func testKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func testIssuer(t testing.TB, public string) *Issuer {
	t.Helper()
	is, err := NewIssuer(public, "سفراء المدن الذكية", "Smart City Ambassadors", testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	return is
}

func testCertificate() Certificate {
	return Certificate{
		ID:          "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b",
		PersonID:    "0193a2b4-0000-7000-8000-000000000001",
		NameAr:      "فاطمة بنت سالم البلوشية",
		NameEn:      "Fatma Salim Al Balushi",
		WorkshopID:  "0193a2b4-1111-7111-8111-111111111111",
		TitleAr:     "السلامة الرقمية 101",
		TitleEn:     "Digital safety 101",
		Date:        "2026-11-30",
		Hours:       2.5,
		WilayatAr:   "نزوى",
		WilayatEn:   "Nizwa",
		IssuedAt:    time.Date(2026, 12, 1, 9, 30, 15, 500, time.UTC),
		StatusIndex: 4242,
	}
}

func decodePart(t testing.TB, part string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// The JWT's header and claims are what Open Badges 3.0's JSON Web Token
// Proof Format prescribes.
func TestIssueJWTShape(t *testing.T) {
	is := testIssuer(t, "https://hq.example.om")
	token, err := is.Issue(testCertificate())
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("%d parts", len(parts))
	}
	h := decodePart(t, parts[0])
	if len(h) != 3 || h["alg"] != "EdDSA" || h["kid"] != "did:web:hq.example.om#key-1" || h["typ"] != "JWT" {
		t.Fatalf("JOSE header %v; want exactly alg EdDSA, kid did:web:hq.example.om#key-1, typ JWT", h)
	}
	p := decodePart(t, parts[1])
	if _, wrapped := p["vc"]; wrapped {
		t.Fatal(`the credential is wrapped in a "vc" claim (VC-JWT of Data Model 1.1), not the payload itself`)
	}
	issuer := p["issuer"].(map[string]any)
	subject := p["credentialSubject"].(map[string]any)
	if p["iss"] != issuer["id"] || p["iss"] != "did:web:hq.example.om" {
		t.Errorf("iss %v, issuer.id %v", p["iss"], issuer["id"])
	}
	if p["jti"] != p["id"] || p["jti"] != "urn:uuid:0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b" {
		t.Errorf("jti %v, id %v", p["jti"], p["id"])
	}
	if p["sub"] != subject["id"] || p["sub"] != "urn:uuid:0193a2b4-0000-7000-8000-000000000001" {
		t.Errorf("sub %v, credentialSubject.id %v", p["sub"], subject["id"])
	}
	// The start of the workshop's day in Oman (+04:00), not 00:00 UTC.
	if p["validFrom"] != "2026-11-30T00:00:00+04:00" || p["nbf"] != float64(time.Date(2026, 11, 29, 20, 0, 0, 0, time.UTC).Unix()) {
		t.Errorf("validFrom %v, nbf %v", p["validFrom"], p["nbf"])
	}
	if _, ok := p["exp"]; ok {
		t.Error("exp without a validUntil")
	}
	if p["awardedDate"] != "2026-12-01T09:30:15Z" {
		t.Errorf("awardedDate %v", p["awardedDate"])
	}
	ctx := p["@context"].([]any)
	if len(ctx) != 2 || ctx[0] != "https://www.w3.org/ns/credentials/v2" || ctx[1] != "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" {
		t.Errorf("@context %v", ctx)
	}
	if typ := p["type"].([]any); !slices.Contains(typ, any("VerifiableCredential")) || !slices.Contains(typ, any("OpenBadgeCredential")) {
		t.Errorf("type %v", typ)
	}
	st := p["credentialStatus"].(map[string]any)
	if st["type"] != "BitstringStatusListEntry" || st["statusPurpose"] != "revocation" || st["statusListIndex"] != "4242" ||
		st["statusListCredential"] != "https://hq.example.om/credentials/status/revocation" {
		t.Errorf("credentialStatus %v", st)
	}
	ach := subject["achievement"].(map[string]any)
	for _, want := range []string{"السلامة الرقمية 101", "Digital safety 101"} {
		if !strings.Contains(ach["name"].(string), want) {
			t.Errorf("achievement name %q lacks %q", ach["name"], want)
		}
	}
	for _, want := range []string{"نزوى", "Nizwa", "2026-11-30", "2.5"} {
		if !strings.Contains(ach["description"].(string), want) {
			t.Errorf("achievement description %q lacks %q", ach["description"], want)
		}
	}
	if ach["criteria"].(map[string]any)["narrative"] == "" {
		t.Error("no criteria narrative")
	}
	ids := subject["identifier"].([]any)
	if len(ids) != 2 || ids[0].(map[string]any)["identityType"] != "name" || ids[0].(map[string]any)["hashed"] != false {
		t.Errorf("identifier %v", ids)
	}
	// The signature is plain Ed25519 over header.payload.
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	if !ed25519.Verify(is.Key.Public().(ed25519.PublicKey), []byte(parts[0]+"."+parts[1]), sig) {
		t.Fatal("signature does not verify with crypto/ed25519")
	}
}

func TestDIDDocument(t *testing.T) {
	is := testIssuer(t, "https://example.com:3000/safeer")
	doc := is.DIDDocument()
	b, _ := json.Marshal(doc)
	var m map[string]any
	json.Unmarshal(b, &m)
	if m["id"] != "did:web:example.com%3A3000:safeer" {
		t.Fatalf("id %v", m["id"])
	}
	vm := m["verificationMethod"].([]any)[0].(map[string]any)
	jwk := vm["publicKeyJwk"].(map[string]any)
	if vm["id"] != is.KeyID() || vm["type"] != "JsonWebKey" || vm["controller"] != m["id"] ||
		jwk["kty"] != "OKP" || jwk["crv"] != "Ed25519" || len(jwk) != 3 {
		t.Fatalf("verification method %v", vm)
	}
	if _, private := jwk["d"]; private {
		t.Fatal("the JWK carries the private key")
	}
	pub, err := doc.Key(is.KeyID())
	if err != nil || !pub.Equal(is.Key.Public()) {
		t.Fatalf("the document's key: %v", err)
	}
	if _, err := doc.Key(is.DID + "#key-2"); err == nil {
		t.Fatal("found a key that is not there")
	}
}

// world is an issuer with its status list, and VerifyOptions that reach
// them as a verifier would.
type world struct {
	is      *Issuer
	list    *StatusList
	now     time.Time
	listJWT func() string
}

func newWorld(t testing.TB) *world {
	w := &world{is: testIssuer(t, "https://hq.example.om"), list: NewStatusList(0), now: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	w.listJWT = func() string {
		s, err := w.is.StatusListCredential(w.list, w.now.Add(-time.Minute), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	return w
}

func (w *world) opts() VerifyOptions {
	return VerifyOptions{
		Issuer: w.is.DID,
		Resolve: func(kid string) (ed25519.PublicKey, error) {
			return w.is.DIDDocument().Key(kid)
		},
		Status: func(url string) (string, error) {
			if url != w.is.StatusListURL() {
				return "", errors.New("no such list")
			}
			return w.listJWT(), nil
		},
		Now: w.now,
	}
}

func codes(r Result) []string {
	var out []string
	for _, m := range r.Reasons {
		out = append(out, string(m.Code))
	}
	return out
}

func TestVerifyOursAndRevocation(t *testing.T) {
	w := newWorld(t)
	token, err := w.is.Issue(testCertificate())
	if err != nil {
		t.Fatal(err)
	}
	r := Verify(token, w.opts())
	if r.Outcome != Valid || r.Credential == nil || r.Credential.CredentialSubject.Achievement.Name == "" {
		t.Fatalf("fresh credential: %s %v", r.Outcome, codes(r))
	}
	for _, m := range r.Reasons {
		if m.English() == "" || m.Arabic() == "" || m.English() == m.Arabic() {
			t.Errorf("reason %s lacks a language: %q / %q", m.Code, m.English(), m.Arabic())
		}
	}
	// Another certificate's bit does not touch it; its own does.
	w.list.Set(4243, true)
	if r := Verify(token, w.opts()); r.Outcome != Valid {
		t.Fatalf("neighbour revoked: %s %v", r.Outcome, codes(r))
	}
	w.list.Set(4242, true)
	if r := Verify(token, w.opts()); r.Outcome != Revoked {
		t.Fatalf("revoked: %s %v", r.Outcome, codes(r))
	}
	// A status list that is not the issuer's, or is stale, is no answer.
	o := w.opts()
	other := testIssuer(t, "https://hq.example.om")
	other.Key = testKey(2)
	o.Status = func(string) (string, error) { return other.StatusListCredential(NewStatusList(0), w.now, time.Hour) }
	if r := Verify(token, o); r.Outcome != Invalid || !slices.Contains(codes(r), "credential.status_invalid") {
		t.Fatalf("status list signed by another key: %s %v", r.Outcome, codes(r))
	}
	o = w.opts()
	o.Now = w.now.Add(2 * time.Hour)
	if r := Verify(token, o); r.Outcome != Invalid || !slices.Contains(codes(r), "credential.status_invalid") {
		t.Fatalf("expired status list: %s %v", r.Outcome, codes(r))
	}
	o = w.opts()
	o.Status = nil
	if r := Verify(token, o); r.Outcome != Valid || !slices.Contains(codes(r), "credential.status_unchecked") {
		t.Fatalf("status not asked: %s %v", r.Outcome, codes(r))
	}
}

func TestVerifyRefuses(t *testing.T) {
	w := newWorld(t)
	c := testCertificate()
	token, err := w.is.Issue(c)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(token, ".")
	cr, _ := w.is.Credential(c)
	// resign signs a payload and header of the test's choosing with key.
	resign := func(h map[string]any, p any, key ed25519.PrivateKey) string {
		hb, _ := json.Marshal(h)
		pb, _ := json.Marshal(p)
		in := b64.EncodeToString(hb) + "." + b64.EncodeToString(pb)
		return in + "." + b64.EncodeToString(ed25519.Sign(key, []byte(in)))
	}
	hdr := map[string]any{"alg": "EdDSA", "kid": w.is.KeyID(), "typ": "JWT"}
	good := claims{Iss: cr.Issuer.ID, Jti: cr.ID, Nbf: time.Date(2026, 11, 30, 0, 0, 0, 0, Oman).Unix(), Sub: cr.CredentialSubject.ID}
	with := func(f func(*payload)) payload { p := payload{cr, good}; f(&p); return p }

	foreign := cr
	foreign.Issuer = Profile{ID: "did:web:badges.example.org", Type: []string{"Profile"}}
	otherKey := testKey(3)

	for name, tc := range map[string]struct {
		token string
		want  Outcome
		code  string
	}{
		"not a JWT":             {"hello", Invalid, "credential.malformed"},
		"a certificate code":    {"7KQ2-M9XA-3B", Invalid, "credential.malformed"},
		"payload not JSON":      {parts[0] + "." + b64.EncodeToString([]byte("x")) + "." + parts[2], Invalid, "credential.malformed"},
		"altered payload":       {parts[0] + "." + b64.EncodeToString(bytes.Replace(mustB64(parts[1]), []byte("Fatma"), []byte("Fatmo"), 1)) + "." + parts[2], Invalid, "credential.bad_signature"},
		"signed by another key": {resign(hdr, with(func(*payload) {}), otherKey), Invalid, "credential.bad_signature"},
		"alg none":              {b64.EncodeToString([]byte(`{"alg":"none","kid":"`+w.is.KeyID()+`"}`)) + "." + parts[1] + ".", Invalid, "credential.algorithm"},
		"kid of another DID":    {resign(map[string]any{"alg": "EdDSA", "kid": "did:web:evil.example#key-1"}, with(func(*payload) {}), otherKey), Invalid, "credential.foreign_key"},
		"unknown key id":        {resign(map[string]any{"alg": "EdDSA", "kid": w.is.DID + "#key-9"}, with(func(*payload) {}), w.is.Key), Invalid, "credential.unknown_key"},
		"another issuer":        {resign(map[string]any{"alg": "EdDSA", "kid": "did:web:badges.example.org#k"}, payload{foreign, claims{Iss: foreign.Issuer.ID, Jti: cr.ID, Nbf: good.Nbf, Sub: good.Sub}}, otherKey), NotOurs, "credential.other_issuer"},
		"iss not issuer.id":     {resign(hdr, with(func(p *payload) { p.Iss = "did:web:hq.example.om:x" }), w.is.Key), Invalid, "credential.claim_mismatch"},
		"jti not id":            {resign(hdr, with(func(p *payload) { p.Jti = "urn:uuid:other" }), w.is.Key), Invalid, "credential.claim_mismatch"},
		"sub not subject":       {resign(hdr, with(func(p *payload) { p.Sub = "urn:uuid:other" }), w.is.Key), Invalid, "credential.claim_mismatch"},
		"nbf not validFrom":     {resign(hdr, with(func(p *payload) { p.Nbf++ }), w.is.Key), Invalid, "credential.claim_mismatch"},
		"not yet valid": {resign(hdr, with(func(p *payload) {
			p.ValidFrom = "2027-01-01T00:00:00Z"
			p.Nbf = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
		}), w.is.Key), Invalid, "credential.not_yet_valid"},
		"expired": {resign(hdr, with(func(p *payload) {
			p.ValidUntil = "2026-12-01T00:00:00Z"
			p.Exp = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).Unix()
		}), w.is.Key), Invalid, "credential.expired"},
		"exp without validUntil": {resign(hdr, with(func(p *payload) { p.Exp = 1 }), w.is.Key), Invalid, "credential.claim_mismatch"},
		"not an Open Badge":      {resign(hdr, with(func(p *payload) { p.Type = []string{"VerifiableCredential"} }), w.is.Key), Invalid, "credential.not_openbadge"},
		"no subject": {resign(hdr, with(func(p *payload) {
			p.CredentialSubject.ID, p.Sub, p.CredentialSubject.Identifier = "", "", nil
		}), w.is.Key), Invalid, "credential.no_subject"},
	} {
		r := Verify(tc.token, w.opts())
		if r.Outcome != tc.want || !slices.Contains(codes(r), tc.code) {
			t.Errorf("%s: %s %v, want %s %s", name, r.Outcome, codes(r), tc.want, tc.code)
		}
	}
}

func mustB64(s string) []byte {
	b, err := b64.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// An issuer given as a bare id (the Data Model allows it) is still read,
// so a foreign credential is "not ours" rather than unreadable.
func TestProfileAsString(t *testing.T) {
	var p payload
	if err := json.Unmarshal([]byte(`{"type":["VerifiableCredential","OpenBadgeCredential"],"issuer":"did:web:x.example","iss":"did:web:x.example"}`), &p); err != nil {
		t.Fatal(err)
	}
	if p.Issuer.ID != "did:web:x.example" {
		t.Fatalf("issuer %+v", p.Issuer)
	}
}

func TestIssueRefusesIncomplete(t *testing.T) {
	is := testIssuer(t, "https://hq.example.om")
	for name, f := range map[string]func(*Certificate){
		"no id":     func(c *Certificate) { c.ID = "" },
		"no names":  func(c *Certificate) { c.NameAr, c.NameEn = "", "" },
		"no title":  func(c *Certificate) { c.TitleAr, c.TitleEn = "", "" },
		"bad date":  func(c *Certificate) { c.Date = "30/11/2026" },
		"neg index": func(c *Certificate) { c.StatusIndex = -1 },
	} {
		c := testCertificate()
		f(&c)
		if _, err := is.Issue(c); err == nil {
			t.Errorf("%s: issued", name)
		}
	}
	if _, err := NewIssuer("https://hq.example.om", "a", "b", nil); err == nil {
		t.Error("issuer without a key")
	}
	// One language is enough: the other is not invented.
	c := testCertificate()
	c.TitleEn, c.NameEn = "", ""
	cr, err := is.Credential(c)
	if err != nil || cr.Name != "السلامة الرقمية 101" || len(cr.CredentialSubject.Identifier) != 1 {
		t.Fatalf("Arabic only: %v %q %v", err, cr.Name, cr.CredentialSubject.Identifier)
	}
	_ = message.English
}

// A credential of a workshop held today in Oman is valid from the start of
// that day there: at 00:30 in Muscat (20:30 UTC the day before) it is
// already valid, and the evening before it (23:30 in Muscat) it is not.
func TestValidFromStartOfDayInOman(t *testing.T) {
	w := newWorld(t)
	c := testCertificate()
	c.Date = "2026-12-07"
	token, err := w.is.Issue(c)
	if err != nil {
		t.Fatal(err)
	}
	w.now = time.Date(2026, 12, 6, 20, 30, 0, 0, time.UTC) // 00:30 on the 7th in Oman
	if r := Verify(token, w.opts()); r.Outcome != Valid {
		t.Fatalf("00:30 in Oman on the workshop's day: %s %v", r.Outcome, codes(r))
	}
	w.now = time.Date(2026, 12, 6, 19, 30, 0, 0, time.UTC) // 23:30 on the 6th in Oman
	if r := Verify(token, w.opts()); r.Outcome != Invalid || !slices.Contains(codes(r), "credential.not_yet_valid") {
		t.Fatalf("the evening before, in Oman: %s %v", r.Outcome, codes(r))
	}
}
