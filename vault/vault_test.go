package vault

import (
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/oman-sca/safeer/input"
	"github.com/oman-sca/safeer/message"
)

// wantCode checks err carries the message code, and that it reads in both
// languages (the Arabic with Arabic letters).
func wantCode(t *testing.T, err error, code message.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	m, ok := message.Find(err)
	if !ok || m.Code != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
	en, ar := m.English(), m.Arabic()
	if en == "" || strings.Contains(en, "{") || strings.Contains(ar, "{") {
		t.Fatalf("%s renders %q / %q", code, en, ar)
	}
	if !strings.ContainsFunc(ar, func(r rune) bool { return unicode.Is(unicode.Arabic, r) }) {
		t.Fatalf("%s has no Arabic: %q", code, ar)
	}
}

var values = []string{
	"", "9", "12345678", "+96891234567", "salim.alharthi@example.om",
	"سالم بن سعيد الحارثي — ملاحظة: يحضر يوم الخميس 5/3/2024",
	strings.Repeat("long note ", 500),
}

func TestSealOpenRoundTrip(t *testing.T) {
	k := NewKey()
	for _, v := range values {
		s, err := k.Seal("person-1", "phone", v)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(s, "v1:") || !IsSealed(s) {
			t.Fatalf("sealed %q as %q", v, s)
		}
		if len(v) > 4 && strings.Contains(s, v) {
			t.Fatalf("sealed text %q holds the value", s)
		}
		got, err := k.Open("person-1", "phone", s)
		if err != nil || got != v {
			t.Fatalf("Open(Seal(%q)) = %q, %v", v, got, err)
		}
	}
}

func TestSealTwiceDiffers(t *testing.T) {
	k := NewKey()
	a, _ := k.Seal("r", "f", "12345678")
	b, _ := k.Seal("r", "f", "12345678")
	if a == b {
		t.Fatalf("the same value sealed twice gives the same text %q: the nonce is not random", a)
	}
}

// Flipping any bit of any byte of a sealed value (nonce, ciphertext or
// tag) makes it fail to open, with the bilingual message.
func TestOpenRejectsEveryTamperedByte(t *testing.T) {
	k := NewKey()
	s, _ := k.Seal("person-7", "civil_id", "87654321")
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(s, "v1:"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range raw {
		for _, bit := range []byte{0x01, 0x80} {
			bad := bytes.Clone(raw)
			bad[i] ^= bit
			got, err := k.Open("person-7", "civil_id", "v1:"+base64.RawURLEncoding.EncodeToString(bad))
			if err == nil {
				t.Fatalf("byte %d flipped (%#x) still opens, to %q", i, bit, got)
			}
			wantCode(t, err, "vault.value.unopenable")
		}
	}
	// Cut short, lengthened, not base64, no prefix, a later version.
	for _, bad := range []string{s[:len(s)-1], s + "A", s[:10], "v1:", "v1:***", "87654321", ""} {
		if _, err := k.Open("person-7", "civil_id", bad); err == nil {
			t.Fatalf("%q opens", bad)
		}
	}
	_, err = k.Open("person-7", "civil_id", "87654321")
	wantCode(t, err, "vault.value.malformed")
	_, err = k.Open("person-7", "civil_id", "v2:"+strings.TrimPrefix(s, "v1:"))
	wantCode(t, err, "vault.value.version")
}

// A sealed value moved to another row or field, or opened with another
// key, does not open.
func TestAssociatedDataBinding(t *testing.T) {
	k := NewKey()
	s, _ := k.Seal("ab", "c", "secret")
	for _, rf := range [][2]string{{"ab", "d"}, {"ac", "c"}, {"a", "bc"}, {"abc", ""}, {"", "abc"}, {"c", "ab"}} {
		_, err := k.Open(rf[0], rf[1], s)
		wantCode(t, err, "vault.value.unopenable")
	}
	if _, err := NewKey().Open("ab", "c", s); err == nil {
		t.Fatal("another key opens the value")
	}
	if v, err := k.Open("ab", "c", s); err != nil || v != "secret" {
		t.Fatalf("the right row and field: %q, %v", v, err)
	}
}

// An independent reading of the format, from its description alone, with
// golang.org/x/crypto's XChaCha20-Poly1305 and the standard HKDF: what
// Seal writes is what it says it writes.
func TestSealedFormatIndependently(t *testing.T) {
	raw := bytes.Repeat([]byte{0x42}, KeySize)
	k, err := keyFromBytes(bytes.Clone(raw))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := k.Seal("8f2c…-person", "email", "a@b.om")

	fk, err := hkdf.Key(sha256.New, raw, nil, "safeer vault v1 field encryption", 32)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := chacha20poly1305.NewX(fk)
	if err != nil {
		t.Fatal(err)
	}
	buf, err := base64.RawURLEncoding.DecodeString(s[len("v1:"):])
	if err != nil {
		t.Fatal(err)
	}
	ad := []byte("safeer vault v1 field\x00")
	ad = binary.BigEndian.AppendUint32(ad, uint32(len("8f2c…-person")))
	ad = append(ad, "8f2c…-person"...)
	ad = binary.BigEndian.AppendUint32(ad, 5)
	ad = append(ad, "email"...)
	plain, err := aead.Open(nil, buf[:24], buf[24:], ad)
	if err != nil || string(plain) != "a@b.om" {
		t.Fatalf("x/crypto reads %q, %v", plain, err)
	}
	// And the other way: a value sealed by x/crypto directly opens.
	nonce := bytes.Repeat([]byte{7}, 24)
	theirs := "v1:" + base64.RawURLEncoding.EncodeToString(aead.Seal(bytes.Clone(nonce), nonce, []byte("x@y.om"), ad))
	if v, err := k.Open("8f2c…-person", "email", theirs); err != nil || v != "x@y.om" {
		t.Fatalf("Open of x/crypto's text: %q, %v", v, err)
	}
}

func TestHash(t *testing.T) {
	k := NewKey()
	again, err := keyFromBytes(bytes.Clone(k.raw))
	if err != nil {
		t.Fatal(err)
	}
	// Every spelling of a phone, normalised, has the one hash.
	var hashes []string
	for _, typed := range []string{"9123 4567", "+968 9123-4567", "٩١٢٣٤٥٦٧", "00968 91234567"} {
		n, err := input.Phone(typed)
		if err != nil {
			t.Fatalf("input.Phone(%q): %v", typed, err)
		}
		hashes = append(hashes, k.Hash(Phone, n))
	}
	for _, h := range hashes[1:] {
		if h != hashes[0] {
			t.Fatalf("spellings of one phone hash apart: %v", hashes)
		}
	}
	n, _ := input.Phone("91234567")
	h := k.Hash(Phone, n)
	if len(h) != 16 || strings.Contains(h, n) {
		t.Fatalf("hash %q", h)
	}
	if again.Hash(Phone, n) != h {
		t.Fatal("the same key hashes apart after reloading")
	}
	seen := map[string]string{}
	for p := range purposes {
		h := k.Hash(p, "91234567")
		if prev, ok := seen[h]; ok {
			t.Fatalf("purposes %s and %s give the same hash", prev, p)
		}
		seen[h] = p.String()
	}
	if NewKey().Hash(Phone, n) == h {
		t.Fatal("another key gives the same hash")
	}
	if k.Hash(Phone, "91234568") == h {
		t.Fatal("another phone gives the same hash")
	}
	if k.Hash(Email, "") != "" {
		t.Fatal("an empty value has a hash")
	}
}

func TestForget(t *testing.T) {
	k := NewKey()
	s, _ := k.Seal("r", "f", "v")
	raw := k.raw
	k.Forget()
	if !bytes.Equal(raw, make([]byte, KeySize)) {
		t.Fatal("the key's bytes are not zeroed")
	}
	_, err := k.Open("r", "f", s)
	wantCode(t, err, "vault.locked")
	_, err = k.Seal("r", "f", "v")
	wantCode(t, err, "vault.locked")
	if k.Hash(CivilID, "12345678") != "" {
		t.Fatal("a forgotten key hashes")
	}
}

func TestIsSealed(t *testing.T) {
	for v, want := range map[string]bool{
		"v1:AAAA": true, "v12:x": true, "v1": false, "v:x": false, "vx:1": false,
		"91234567": false, "a@b.om": false, "": false, "V1:x": false,
	} {
		if IsSealed(v) != want {
			t.Errorf("IsSealed(%q) = %t", v, !want)
		}
	}
}

// Whatever text a damaged database holds, Open says so and never panics;
// nothing but what Seal wrote opens.
// go test -run '^$' -fuzz FuzzOpen ./vault/
func FuzzOpen(f *testing.F) {
	k, err := keyFromBytes(bytes.Repeat([]byte{1}, KeySize))
	if err != nil {
		f.Fatal(err)
	}
	good, _ := k.Seal("r", "f", "91234567")
	for _, s := range []string{good, "", "v1:", "v1:AAAA", "v9:x", "v1:" + strings.Repeat("A", 60), good[:len(good)-2], "91234567"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := k.Open("r", "f", s)
		// (Fuzzing workers each seal good anew, so what opens is known by
		// its value: the only one sealed under this key.)
		if err == nil && v != "91234567" {
			t.Fatalf("%q opens to %q", s, v)
		}
		if err != nil {
			if _, ok := message.Find(err); !ok {
				t.Fatalf("%q: an error without words: %v", s, err)
			}
		}
	})
}

// The store seals and opens from several goroutines with one Key.
func TestConcurrentUse(t *testing.T) {
	k := NewKey()
	done := make(chan error)
	for g := range 8 {
		go func() {
			var err error
			for i := range 200 {
				row := fmt.Sprintf("row-%d-%d", g, i)
				s, _ := k.Seal(row, "phone", row)
				var v string
				if v, err = k.Open(row, "phone", s); err == nil && v != row {
					err = fmt.Errorf("%s opens to %s", row, v)
				}
				if err != nil {
					break
				}
				k.Hash(Phone, row)
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// Nonces never repeat: within a Key the counter after its prefix grows by
// one a value; two Keys of the same data key (two unlocks, two processes)
// draw different prefixes, and each opens what the other sealed.
func TestNoncesOfASession(t *testing.T) {
	raw := bytes.Repeat([]byte{9}, KeySize)
	a, err := keyFromBytes(bytes.Clone(raw))
	if err != nil {
		t.Fatal(err)
	}
	b, err := keyFromBytes(bytes.Clone(raw))
	if err != nil {
		t.Fatal(err)
	}
	nonceOf := func(s string) []byte {
		buf, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(s, "v1:"))
		if err != nil {
			t.Fatal(err)
		}
		return buf[:chacha20poly1305.NonceSizeX]
	}
	seen := map[string]bool{}
	var last uint64
	for i := range 1000 {
		s, _ := a.Seal("row", "phone", "91234567")
		n := nonceOf(s)
		if seen[string(n)] {
			t.Fatalf("value %d: nonce %x used twice", i, n)
		}
		seen[string(n)] = true
		if !bytes.Equal(n[:16], a.sealer.prefix[:]) {
			t.Fatalf("nonce %x without the key's prefix %x", n, a.sealer.prefix)
		}
		if c := binary.BigEndian.Uint64(n[16:]); c != last+1 {
			t.Fatalf("counter %d after %d", c, last)
		} else {
			last = c
		}
		if v, err := b.Open("row", "phone", s); err != nil || v != "91234567" {
			t.Fatalf("another unlock of the key opens %q, %v", v, err)
		}
	}
	if a.sealer.prefix == b.sealer.prefix {
		t.Fatal("two unlocks of a key share their nonce prefix")
	}
	s, _ := b.Seal("row", "phone", "91234567")
	if v, err := a.Open("row", "phone", s); err != nil || v != "91234567" || seen[string(nonceOf(s))] {
		t.Fatalf("the other way: %q, %v", v, err)
	}
}

// The look-up hash read from its description alone: HMAC-SHA256 under the
// purpose's HKDF sub-key, the first 12 bytes in base64url, which are the
// first 16 characters of the whole sum's base64url (what schema 9 kept:
// the device's migration 10 cuts those to these with substr).
func TestHashFormatIndependently(t *testing.T) {
	raw := bytes.Repeat([]byte{0x42}, KeySize)
	k, err := keyFromBytes(bytes.Clone(raw))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := hkdf.Key(sha256.New, raw, nil, "safeer vault v1 lookup phone", 32)
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, sub)
	m.Write([]byte("+96891234567"))
	whole := base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	if got := k.Hash(Phone, "+96891234567"); got != whole[:16] {
		t.Fatalf("Hash %q, want the first 16 characters of %q", got, whole)
	}
}
