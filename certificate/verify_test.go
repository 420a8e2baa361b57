package certificate

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRecordRoundTrip(t *testing.T) {
	s := testSigner()
	certs := append(people(), Certificate{
		PersonNameEn:    "Zoë 🙂 O'Brien", // not compact: UTF-8
		WorkshopTitleAr: "ورشة پایتون",   // Persian peh is outside the compact range
		Date:            time.Date(2026, 1, 1, 23, 30, 0, 0, time.FixedZone("GST", 4*3600)),
		Hours:           1.0 / 3,
		DeviceID:        "laptop-7", // not a UUID
		ReissueOf:       NewCode(),
	})
	for i, c := range certs {
		if c.DeviceID == "laptop-7" {
			s.DeviceID = "laptop-7"
		}
		sc := mustSign(t, s, c)
		r, err := ParseRecord(sc.Payload)
		if err != nil {
			t.Fatalf("%d: ParseRecord: %v", i, err)
		}
		if !reflect.DeepEqual(r.Certificate, sc.Certificate) {
			t.Errorf("%d: record holds\n%+v\nbut the certificate is\n%+v", i, r.Certificate, sc.Certificate)
		}
		again, err := r.MarshalBinary()
		if err != nil || !bytes.Equal(again, sc.Payload) {
			t.Errorf("%d: MarshalBinary does not give back the payload: %v", i, err)
		}
	}
}

func TestSignNormalises(t *testing.T) {
	c := typical()
	c.Code = strings.ToLower(FormatCode(NewCode()))
	c.Date = time.Date(2026, 3, 15, 23, 30, 0, 0, time.FixedZone("GST", 4*3600))
	c.Hours = 2.504
	c.PersonNameEn = "  Abdullah  "
	sc := mustSign(t, testSigner(), c)
	if !ValidCode(sc.Code) || sc.Code != strings.ToUpper(strings.ReplaceAll(c.Code, "-", "")) {
		t.Errorf("code %q not canonical", sc.Code)
	}
	if want := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC); !sc.Date.Equal(want) {
		t.Errorf("date = %v, want the civil date %v", sc.Date, want)
	}
	if sc.Hours != 2.5 || sc.PersonNameEn != "Abdullah" || sc.DeviceID != testDeviceID {
		t.Errorf("hours %v, name %q, device %q", sc.Hours, sc.PersonNameEn, sc.DeviceID)
	}

	bad := []struct {
		name string
		edit func(*Certificate)
	}{
		{"no name", func(c *Certificate) { c.PersonNameAr, c.PersonNameEn = "", " " }},
		{"no title", func(c *Certificate) { c.WorkshopTitleAr, c.WorkshopTitleEn = "", "" }},
		{"no date", func(c *Certificate) { c.Date = time.Time{} }},
		{"bad code", func(c *Certificate) { c.Code = "HELLO" }},
		{"bad reissue", func(c *Certificate) { c.ReissueOf = "12345" }},
		{"other device", func(c *Certificate) { c.DeviceID = "someone-else" }},
		{"negative hours", func(c *Certificate) { c.Hours = -1 }},
		{"huge name", func(c *Certificate) { c.PersonNameEn = strings.Repeat("x", 300) }},
	}
	for _, b := range bad {
		c := typical()
		b.edit(&c)
		if _, err := testSigner().Sign(c); err == nil {
			t.Errorf("%s: Sign accepted it", b.name)
		}
	}
}

func TestVerify(t *testing.T) {
	hq := pub(testKey("hq"))
	sc := mustSign(t, testSigner(), typical())
	qr := sc.QRText("")

	res := Verify(qr, hq, nil)
	if res.Status != StatusValid || res.Err != nil {
		t.Fatalf("Verify = %s (%v), want valid", res.Status, res.Err)
	}
	if !reflect.DeepEqual(res.Record.Certificate, sc.Certificate) {
		t.Errorf("Verify shows %+v, want %+v", res.Record.Certificate, sc.Certificate)
	}
	// The bare payload, lower case, and a URL with a query also verify.
	bare := qr[strings.LastIndexByte(qr, '/')+1:]
	for _, text := range []string{bare, strings.ToLower(qr), qr + "?utm=x", " " + qr + "\n"} {
		if got := Verify(text, hq, nil).Status; got != StatusValid {
			t.Errorf("Verify(%.40q…) = %s", text, got)
		}
	}

	// One flipped byte in the name → tampered.
	nameAt := bytes.Index(sc.Payload, []byte("Abdullah"))
	flipped := bytes.Clone(sc.Payload)
	flipped[nameAt] ^= 0x01 // 'A' → '@'
	if got := VerifyPayload(flipped, hq, nil); got.Status != StatusTampered {
		t.Errorf("flipped name byte: %s, want tampered", got.Status)
	}
	// Through the QR text too.
	if got := Verify(QRText("", flipped), hq, nil); got.Status != StatusTampered {
		t.Errorf("flipped name byte in QR: %s, want tampered", got.Status)
	}
	// No single bit flip anywhere may leave the record valid.
	for i := range sc.Payload {
		for bit := range 8 {
			b := bytes.Clone(sc.Payload)
			b[i] ^= 1 << bit
			if got := VerifyPayload(b, hq, nil).Status; got == StatusValid || got == StatusRevoked {
				t.Fatalf("flipping bit %d of byte %d leaves it %s", bit, i, got)
			}
		}
	}

	// Endorsed by another HQ.
	dev := testKey("device")
	rogue := Signer{DeviceID: testDeviceID, Key: dev, Endorsement: Endorse(testKey("rogue hq"), testDeviceID, pub(dev))}
	if got := Verify(mustSign(t, rogue, typical()).QRText(""), hq, nil); got.Status != StatusUnknownSigner {
		t.Errorf("other HQ's endorsement: %s, want unknown_signer", got.Status)
	}
	// An endorsement for another device id does not carry over.
	other := Signer{DeviceID: "01928c7e-0000-7000-8000-000000000000", Key: dev, Endorsement: testSigner().Endorsement}
	if got := Verify(mustSign(t, other, typical()).QRText(""), hq, nil); got.Status != StatusUnknownSigner {
		t.Errorf("endorsement of another device id: %s, want unknown_signer", got.Status)
	}
	// A device key that signs with someone else's endorsement.
	thief := Signer{DeviceID: testDeviceID, Key: testKey("thief"), Endorsement: testSigner().Endorsement}
	if got := Verify(mustSign(t, thief, typical()).QRText(""), hq, nil); got.Status != StatusUnknownSigner {
		t.Errorf("stolen endorsement: %s, want unknown_signer", got.Status)
	}
	// Not enrolled yet.
	fresh := Signer{DeviceID: testDeviceID, Key: dev}
	if got := Verify(mustSign(t, fresh, typical()).QRText(""), hq, nil); got.Status != StatusNotEndorsed {
		t.Errorf("no endorsement: %s, want not_endorsed", got.Status)
	}
	// Revoked.
	at := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	revoked := func(code string) (bool, time.Time, string) {
		return code == sc.Code, at, "name corrected"
	}
	got := Verify(qr, hq, revoked)
	if got.Status != StatusRevoked || !got.RevokedAt.Equal(at) || got.RevokedReason != "name corrected" {
		t.Errorf("revoked: %+v", got)
	}
	if got.Record.Code != sc.Code {
		t.Errorf("a revoked result should still show what was certified")
	}
	// No HQ key at hand.
	if got := Verify(qr, nil, nil).Status; got != StatusUnknownSigner {
		t.Errorf("no HQ key: %s", got)
	}
	// Garbage.
	for _, text := range []string{"", "https://safeer.sca.om/V/", "hello", qr[:len(qr)-10], qr + "AAAA", "https://x/V/" + strings.Repeat("A", 9000)} {
		if got := Verify(text, hq, nil); got.Status != StatusMalformed || !errors.Is(got.Err, ErrMalformed) {
			t.Errorf("Verify(%.30q…) = %s (%v), want malformed", text, got.Status, got.Err)
		}
	}
}

func TestQRText(t *testing.T) {
	payload := []byte{1, 2, 3, 250}
	tests := []struct{ base, want string }{
		{"", "HTTPS://SAFEER.SCA.OM/V/AEBAH6Q"},
		{"https://hq.example.om/V", "HTTPS://HQ.EXAMPLE.OM/V/AEBAH6Q"},
		{"http://10.0.0.5:8080/verify/", "HTTP://10.0.0.5:8080/verify/AEBAH6Q"},
	}
	for _, tt := range tests {
		if got := QRText(tt.base, payload); got != tt.want {
			t.Errorf("QRText(%q) = %q, want %q", tt.base, got, tt.want)
		}
		if b, err := PayloadFromQR(tt.want); err != nil || !bytes.Equal(b, payload) {
			t.Errorf("PayloadFromQR(%q) = %v, %v", tt.want, b, err)
		}
	}
}

// TestPayloadSize reports, and bounds, what a typical certificate costs.
func TestPayloadSize(t *testing.T) {
	for i, c := range people() {
		sc := mustSign(t, testSigner(), c)
		text := sc.QRText("")
		t.Logf("certificate %d: payload %d bytes, QR text %d characters", i, len(sc.Payload), len(text))
		if i == 0 && len(sc.Payload) > 350 {
			t.Errorf("typical payload is %d bytes, want at most 350", len(sc.Payload))
		}
	}
}

func TestEndorsement(t *testing.T) {
	hq, dev := testKey("hq"), testKey("device")
	sig := Endorse(hq, testDeviceID, pub(dev))
	if !VerifyEndorsement(pub(hq), testDeviceID, pub(dev), sig) {
		t.Fatal("endorsement does not verify")
	}
	if VerifyEndorsement(pub(hq), testDeviceID+"x", pub(dev), sig) ||
		VerifyEndorsement(pub(hq), testDeviceID, pub(testKey("x")), sig) ||
		VerifyEndorsement(pub(testKey("x")), testDeviceID, pub(dev), sig) ||
		VerifyEndorsement(nil, testDeviceID, pub(dev), sig) {
		t.Error("endorsement verifies for something it does not endorse")
	}
	// A certificate signature is no endorsement and vice versa (domains).
	if VerifyEndorsement(pub(hq), "", pub(dev), ed25519.Sign(hq, pub(dev))) {
		t.Error("a bare signature over the key passes as an endorsement")
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys", "device.key")
	k1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	k2, err := LoadOrCreateKey(path)
	if err != nil || !k1.Equal(k2) {
		t.Fatalf("second load gave another key (%v)", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if runtime.GOOS != "windows" {
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadOrCreateKey(path); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("world-readable key left at %v", fi.Mode().Perm())
		}
	}
	// Many first runs at once agree on one key.
	path = filepath.Join(dir, "race.key")
	keys := make([]ed25519.PrivateKey, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := LoadOrCreateKey(path)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if !k.Equal(keys[0]) {
			t.Fatal("concurrent first runs made different keys")
		}
	}
	// A damaged file is an error, never silently replaced (that would
	// orphan HQ's endorsement).
	bad := filepath.Join(dir, "bad.key")
	if err := os.WriteFile(bad, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(bad); err == nil {
		t.Error("a damaged key file was accepted")
	}
}

func FuzzParseRecord(f *testing.F) {
	for _, c := range people() {
		f.Add(mustSign(f, testSigner(), c).Payload)
	}
	f.Add([]byte{1, 0})
	f.Add([]byte{1, 7, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f})
	hq := pub(testKey("hq"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRecord(b)
		res := VerifyPayload(b, hq, nil)
		if err != nil {
			if res.Status != StatusMalformed {
				t.Fatalf("ParseRecord failed (%v) but Verify says %s", err, res.Status)
			}
			return
		}
		// What parses must encode back to the same bytes: one record, one form.
		again, err := r.MarshalBinary()
		if err != nil {
			t.Fatalf("parsed record does not encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs:\n%x\n%x", b, again)
		}
	})
}

func FuzzVerifyText(f *testing.F) {
	f.Add(mustSign(f, testSigner(), typical()).QRText(""))
	f.Add("https://safeer.sca.om/V/%41%41")
	f.Fuzz(func(t *testing.T, s string) {
		_ = Verify(s, pub(testKey("hq")), nil) // must not panic
	})
}

// A length field may claim anything; the decoder must not believe it.
func TestParseRecordBoundsLengths(t *testing.T) {
	code, err := packCode(NewCode())
	if err != nil {
		t.Fatal(err)
	}
	huge := append([]byte{recordVersion, 0}, code[:]...)
	huge = append(huge, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f) // name_ar: 2^62 bytes
	huge = append(huge, make([]byte, 200)...)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := ParseRecord(huge); !errors.Is(err, ErrMalformed) {
			t.Fatalf("ParseRecord accepted a 2^62-byte name: %v", err)
		}
	})
	if allocs > 10 {
		t.Errorf("%v allocations to reject a bad length", allocs)
	}
	if _, err := ParseRecord(make([]byte, MaxRecordLen+1)); !errors.Is(err, ErrMalformed) {
		t.Errorf("oversized input: %v", err)
	}
}
