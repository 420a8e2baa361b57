package credential

import (
	"bytes"
	"crypto/ed25519"
	"strings"
	"testing"
)

// Verify reads tokens from anyone (a verification form, a file someone
// hands in): it must never panic, and never call valid or revoked what
// the trusted key did not sign.
func FuzzVerify(f *testing.F) {
	w := newWorld(f)
	token, err := w.is.Issue(testCertificate())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(token)
	f.Add(strings.Replace(token, ".", "..", 1))
	f.Add("e30.e30.")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		r := Verify(s, w.opts())
		if r.Outcome == Valid || r.Outcome == Revoked {
			c, err := parseCompact(s)
			if err != nil || !c.verify(w.is.Key.Public().(ed25519.PublicKey)) {
				t.Fatalf("%s for a token the key did not sign: %q", r.Outcome, s)
			}
		}
		if len(r.Reasons) == 0 {
			t.Fatalf("%s with no reason", r.Outcome)
		}
	})
}

// A status list comes from the network: decoding never panics, never
// yields a list shorter than the minimum, and what it yields encodes back
// to the same bits.
func FuzzDecodeStatusList(f *testing.F) {
	f.Add(specEncodedList)
	l := NewStatusList(0)
	l.Set(3, true)
	f.Add(l.Encode())
	f.Add("u")
	f.Add("uH4sI")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := DecodeStatusList(s)
		if err != nil {
			return
		}
		if l.Len() < MinStatusEntries {
			t.Fatalf("decoded a list of %d entries", l.Len())
		}
		back, err := DecodeStatusList(l.Encode())
		if err != nil || !bytes.Equal(back.bits, l.bits) {
			t.Fatalf("re-encoding changed the list: %v", err)
		}
	})
}

// FromPNG and BakePNG read images from anyone (a badge handed in): they
// must never panic, and what BakePNG accepts, FromPNG reads back baked.
func FuzzPNG(f *testing.F) {
	img := testPNG(f)
	baked, _ := BakePNG(img, "a.b.c")
	f.Add(img)
	f.Add(baked)
	f.Add(baked[:len(baked)/2])
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		FromPNG(b)
		out, err := BakePNG(b, "x.y.z")
		if err != nil {
			return
		}
		if tok, ok, err := FromPNG(out); err != nil || !ok || tok != "x.y.z" {
			t.Fatalf("baked, then read back %q %v %v", tok, ok, err)
		}
	})
}
