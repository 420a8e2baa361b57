package web_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/web"
)

func verifyJSON(t *testing.T, b *browser, path string, extra ...string) web.Answer {
	t.Helper()
	r := b.get(path, extra...)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	var a web.Answer
	if err := json.Unmarshal([]byte(r.body), &a); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, r.body)
	}
	return a
}

func TestVerify(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t), web.Config{VerifyRate: -1})
		d := e.enrol("OM-MA")
		is := d.issue("OM-MA", "سالم بن علي البلوشي", "Salim Ali Al Balushi", "2025-03-01", 2.5)
		code := is.signed.Code
		b := e.browser()

		// Valid, by code: typed page, JSON, every spelling of the URL.
		r := b.get("/verify?code=" + url.QueryEscape(strings.ToLower(certificate.FormatCode(code))))
		if r.status != 200 {
			t.Fatalf("verify page: %d", r.status)
		}
		mustContain(t, "valid page", r.body, "شهادة صحيحة", "Valid certificate", "سالم بن علي البلوشي", "Salim Ali Al Balushi",
			"المدن الذكية", "Smart cities", "مطرح", "Muttrah", "1 March 2025", "1 مارس 2025", "2.5", certificate.FormatCode(code),
			`lang="ar" dir="rtl"`, `lang="en" dir="ltr"`)
		// Nothing more about the person than the certificate states.
		mustNotContain(t, "valid page", r.body, "91234567", "12345678", is.person, d.id)
		for _, path := range []string{"/verify.json?code=" + code, "/v/" + code, "/V/" + strings.ToLower(code),
			"/v/" + certificate.FormatCode(code), "/V/" + certificate.FormatCode(code)} {
			extra := []string{}
			if !strings.HasPrefix(path, "/verify.json") {
				extra = []string{"Accept", "application/json"}
			}
			a := verifyJSON(t, b, path, extra...)
			if a.Status != web.StatusValid || !a.RecordedAtHQ || !a.SignatureChecked || a.Certificate == nil ||
				a.Certificate.NameAr != "سالم بن علي البلوشي" || a.Certificate.Hours != 2.5 || a.Certificate.Date != "2025-03-01" ||
				a.Certificate.WilayatEn != "Muttrah" || a.Code != certificate.FormatCode(code) {
				t.Errorf("%s: %+v", path, a)
			}
		}
		if r := b.get("/V/" + code); r.status != 200 || !strings.Contains(r.body, "Valid certificate") ||
			!strings.Contains(r.header.Get("Content-Type"), "text/html") {
			t.Errorf("/V/CODE as a page: %d %q", r.status, r.header.Get("Content-Type"))
		}

		// Valid, from the QR code: the record in the URL, as the phone opens it.
		qr := is.signed.QRText("http://example.invalid/V/")
		path := qr[strings.Index(qr, "/V/"):]
		if a := verifyJSON(t, b, path, "Accept", "application/json"); a.Status != web.StatusValid || !a.RecordedAtHQ {
			t.Errorf("QR path: %+v", a)
		}
		if a := verifyJSON(t, b, strings.ToLower(path), "Accept", "application/json"); a.Status != web.StatusValid {
			t.Errorf("QR path in lower case: %+v", a)
		}
		if a := verifyJSON(t, b, "/verify.json?qr="+url.QueryEscape(qr)); a.Status != web.StatusValid {
			t.Errorf("verify.json?qr=: %+v", a)
		}

		// Unknown: a well-formed code HQ never saw.
		other := certificate.NewCode()
		a := verifyJSON(t, b, "/verify.json?code="+other)
		if a.Status != web.StatusUnknown || a.Certificate != nil {
			t.Errorf("unknown: %+v", a)
		}
		mustContain(t, "unknown page", b.get("/v/"+other).body, "رمز غير معروف", "Unknown code")

		// Not a code: one character mistyped.
		typo := []byte(code)
		if typo[3] == 'X' {
			typo[3] = 'Y'
		} else {
			typo[3] = 'X'
		}
		a = verifyJSON(t, b, "/verify.json?code="+string(typo))
		if a.Status != web.StatusInvalidCode {
			t.Errorf("typo: %+v", a)
		}
		// The message shows what a code looks like; typed in, that
		// example must read as a code (unknown), not as another mistake.
		example := regexp.MustCompile(`[0-9A-Z]{5}-[0-9A-Z]{5}`).FindString(a.MessageEn)
		if example == "" || !strings.Contains(a.MessageAr, example) {
			t.Fatalf("no example code in %q / %q", a.MessageEn, a.MessageAr)
		}
		if ex := verifyJSON(t, b, "/verify.json?code="+example); ex.Status != web.StatusUnknown {
			t.Errorf("the example code %s the page gives is %s", example, ex.Status)
		}

		// Tampered: the record in the URL altered (hours changed by a
		// forger who cannot re-sign).
		forged := append([]byte(nil), is.signed.Payload...)
		forged[len(forged)-100] ^= 0x01
		a = verifyJSON(t, b, "/v/"+certificate.QRText("", forged)[len("HTTPS://SAFEER.SCA.OM/V/"):], "Accept", "application/json")
		if a.Status != web.StatusTampered || a.Certificate != nil {
			t.Errorf("tampered: %+v", a)
		}

		// Unknown signer: a real-looking certificate from a device that a
		// different "HQ" endorsed, with a code HQ knows.
		_, otherHQ, _ := ed25519.GenerateKey(rand.Reader)
		fpub, fpriv, _ := ed25519.GenerateKey(rand.Reader)
		fid := uuid.NewString()
		fake := certificate.Signer{DeviceID: fid, Key: fpriv, Endorsement: certificate.Endorse(otherHQ, fid, fpub)}
		fsc, err := fake.Sign(certificate.Certificate{Code: code, PersonNameEn: "Mallory", WorkshopTitleEn: "Smart cities",
			Date: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), Hours: 40})
		if err != nil {
			t.Fatal(err)
		}
		r = b.get("/V/" + certificate.QRText("", fsc.Payload)[len("HTTPS://SAFEER.SCA.OM/V/"):])
		mustContain(t, "forged page", r.body, "Not issued by the programme", "ليست صادرة عن البرنامج")
		mustNotContain(t, "forged page", r.body, "Mallory", "Valid certificate")

		// Not endorsed: signed before the device was enrolled.
		ne, _ := certificate.Signer{DeviceID: d.id, Key: d.key}.Sign(certificate.Certificate{PersonNameEn: "X",
			WorkshopTitleEn: "W", Date: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), Hours: 1})
		if a := verifyJSON(t, b, "/verify.json?qr="+ne.QRText("")); a.Status != web.StatusNotEndorsed {
			t.Errorf("not endorsed: %+v", a)
		}

		// Genuine but not synced yet: valid, says so.
		fresh, _ := d.signer().Sign(certificate.Certificate{PersonNameAr: "مريم", WorkshopTitleAr: "ورشة",
			Date: time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC), Hours: 3})
		a = verifyJSON(t, b, "/verify.json?qr="+fresh.QRText(""))
		if a.Status != web.StatusValid || a.RecordedAtHQ || a.Certificate == nil || a.Certificate.NameAr != "مريم" {
			t.Errorf("not yet at HQ: %+v", a)
		}
		// The same code with another signed record than HQ holds.
		twin, _ := d.signer().Sign(certificate.Certificate{Code: code, PersonNameEn: "Someone else", WorkshopTitleEn: "Smart cities",
			Date: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), Hours: 2.5})
		if a := verifyJSON(t, b, "/verify.json?qr="+twin.QRText("")); a.Status != web.StatusTampered || a.Certificate != nil {
			t.Errorf("twin record: %+v", a)
		}
		// Garbage in the URL.
		if a := verifyJSON(t, b, "/v/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "Accept", "application/json"); a.Status != web.StatusMalformed {
			t.Errorf("garbage: %+v", a)
		}
		if r := b.get("/verify.json"); r.status != http.StatusBadRequest {
			t.Errorf("verify.json without a code: %d", r.status)
		}

		// A device HQ revoked: its certificates HQ has stay valid; a record
		// HQ never received proves nothing any more.
		if _, err := hqRevokeDevice(e, d.id); err != nil {
			t.Fatal(err)
		}
		if a := verifyJSON(t, b, "/verify.json?code="+code); a.Status != web.StatusValid {
			t.Errorf("synced certificate of a revoked device: %+v", a)
		}
		if a := verifyJSON(t, b, "/verify.json?qr="+fresh.QRText("")); a.Status != web.StatusUnknown || a.Certificate != nil {
			t.Errorf("unsynced certificate of a revoked device: %+v", a)
		}
	})
}

// TestVerifyRevoked: a device revokes a certificate (a reissue after a
// name correction), HQ's page says revoked with the date and the
// replacement; the replacement is valid.
func TestVerifyRevoked(t *testing.T) {
	e := newEnv(t, sqliteStore(t), web.Config{VerifyRate: -1})
	d := e.enrol("OM-MA")
	is := d.issue("OM-MA", "سالم", "Salim", "2025-03-01", 3)
	re, err := d.signer().Sign(certificate.Certificate{PersonNameAr: "سالم البلوشي", PersonNameEn: "Salim Al Balushi",
		WorkshopTitleEn: "Smart cities", Date: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), Hours: 3, ReissueOf: is.signed.Code})
	if err != nil {
		t.Fatal(err)
	}
	d.pushCertificate(uuid.NewString(), is.attendance, re)
	d.push(d.op("certificate", is.row, "revoked_at", "2025-03-05T20:30:00Z", "revoked_reason", "replaced by "+re.Code))
	b := e.browser()
	a := verifyJSON(t, b, "/verify.json?code="+is.signed.Code)
	// 20:30 UTC is 00:30 the next day in Muscat.
	if a.Status != web.StatusRevoked || a.RevokedOn != "2025-03-06" || a.ReplacedBy != certificate.FormatCode(re.Code) || a.Certificate == nil {
		t.Errorf("revoked: %+v", a)
	}
	// The words come from the catalogue with their arguments isolated: the
	// date and the replacement's code stay whole inside the Arabic.
	if want := "أُلغيت هذه الشهادة بتاريخ \u20686 مارس 2025\u2069 ولم تعد صالحة. وحلّت محلها الشهادة \u2066" + a.ReplacedBy + "\u2069."; a.MessageAr != want {
		t.Errorf("revoked, in Arabic: %q, want %q", a.MessageAr, want)
	}
	if want := "This certificate was revoked on 6 March 2025 and is no longer valid. It was replaced by the certificate " + a.ReplacedBy + "."; a.MessageEn != want {
		t.Errorf("revoked, in English: %q, want %q", a.MessageEn, want)
	}
	page := b.get("/v/" + is.signed.Code).body
	mustContain(t, "revoked page", page, "شهادة ملغاة", "Revoked certificate", "6 March 2025", "6 مارس 2025",
		"/v/"+certificate.FormatCode(re.Code))
	// The QR of the revoked certificate says revoked too.
	if a := verifyJSON(t, b, "/verify.json?qr="+is.signed.QRText("")); a.Status != web.StatusRevoked {
		t.Errorf("revoked by QR: %+v", a)
	}
	if a := verifyJSON(t, b, "/verify.json?code="+re.Code); a.Status != web.StatusValid || a.Certificate.ReissueOf != certificate.FormatCode(is.signed.Code) {
		t.Errorf("replacement: %+v", a)
	}
	// A reason other than a replacement is the coordinator's words: not shown.
	d.push(d.op("certificate", is.row, "revoked_reason", "مخالفة سلوكية من المشارك"))
	page = b.get("/v/" + is.signed.Code).body
	mustNotContain(t, "revoked page", page, "مخالفة")
}

func TestVerifyRateLimit(t *testing.T) {
	e := newEnv(t, sqliteStore(t), web.Config{VerifyRate: 1.0 / 60, VerifyBurst: 3})
	b := e.browser()
	code := certificate.NewCode()
	for i := range 3 {
		if r := b.get("/verify?code=" + code); r.status != 200 {
			t.Fatalf("request %d: %d", i, r.status)
		}
	}
	r := b.get("/verify?code=" + code)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Fatalf("4th request: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	mustContain(t, "429 page", r.body, "Too many checks", "طلبات تحقق كثيرة", "seconds")
	r = b.get("/v/"+code, "Accept", "application/json")
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, `"rate_limited"`) {
		t.Fatalf("JSON 429: %d %s", r.status, r.body)
	}
	// The form without a code is not a look-up and is never limited.
	if r := b.get("/verify"); r.status != 200 {
		t.Fatalf("the bare form: %d", r.status)
	}
	// The bucket refills with time.
	e.advance(61 * time.Second)
	if r := b.get("/verify.json?code=" + code); r.status != 200 {
		t.Fatalf("after a minute: %d", r.status)
	}
}
