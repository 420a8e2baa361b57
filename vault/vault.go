// Package vault is the cryptographic core of encryption at rest on the
// device (issue 14): a random 256-bit data key; sensitive fields sealed
// under it with XChaCha20-Poly1305, bound to their row and field; keyed
// hashes (HMAC-SHA256) for exact look-ups; the data key wrapped under a
// passphrase (argon2id) and escrowed to HQ's age key; and the key file that
// holds both wrappings. It invents no cryptography: the primitives are the
// standard library's, golang.org/x/crypto's and filippo.io/age's.
//
// Package data uses it for protected databases (data/vault.go,
// data/protect.go) and cmd/safeer for the passphrase commands.
package vault

import (
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/chacha20"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/oman-sca/safeer/message"
)

// KeySize is the size of the data key in bytes (256 bits).
const KeySize = 32

// Sub-keys are derived from the data key with HKDF-SHA256, one per purpose,
// so the key that seals fields is never the key of a look-up hash and the
// hash of a phone is unrelated to the hash of the same digits as a civil
// ID. The info strings are part of the format: changing one makes every
// stored value unreadable.
const (
	infoFields = "safeer vault v1 field encryption"
	infoKeyID  = "safeer vault v1 key id"
	infoLookup = "safeer vault v1 lookup " // + the purpose's name
)

// Purpose is what a keyed hash is for: each has its own sub-key.
type Purpose uint8

const (
	CivilID Purpose = iota
	Phone
	Email
	purposes // count
)

func (p Purpose) String() string {
	switch p {
	case CivilID:
		return "civil-id"
	case Phone:
		return "phone"
	case Email:
		return "email"
	}
	return fmt.Sprintf("Purpose(%d)", uint8(p))
}

// Key is an unlocked data key and the sub-keys derived from it. It is
// made by NewKey, or by unlocking a KeyFile (Unlock, Recover). Forget
// drops it when the app locks. Seal, Open and Hash may be called from
// several goroutines at once; Forget only once none of them runs.
type Key struct {
	raw    []byte
	fields cipherAEAD // XChaCha20-Poly1305 under the field key
	sealer *sealer    // this Key's nonces for Seal
	lookup [purposes][]byte
	// macs keeps keyed HMACs per purpose for reuse (Reset returns one to
	// its keyed state): a bulk import hashes three values a row, and
	// keying a new HMAC each time was a third of the sealing's cost.
	macs [purposes]*sync.Pool
	id   string
}

// cipherAEAD is the part of cipher.AEAD used here (an interface, so a
// forgotten key is a nil one).
type cipherAEAD interface {
	NonceSize() int
	Overhead() int
	Seal(dst, nonce, plaintext, additionalData []byte) []byte
	Open(dst, nonce, ciphertext, additionalData []byte) ([]byte, error)
}

// sealer gives Seal its nonces: XChaCha20-Poly1305's 24-byte nonce is a
// 16-byte prefix, drawn at random once for this Key (each unlock, each
// process, its own), then an 8-byte counter. XChaCha20 turns the key and
// the prefix into a sub-key (HChaCha20) and encrypts with ChaCha20 under
// it with the counter as its nonce; with the prefix fixed, that sub-key and
// its ChaCha20-Poly1305 instance are made once here instead of for every
// value, and no value waits for crypto/rand. What is stored is unchanged:
// a standard XChaCha20-Poly1305 ciphertext with its whole nonce, which
// Open (and x/crypto's NewX) reads whatever its prefix.
//
// Why that stays safe: the one rule of the AEAD is never to use a nonce
// twice under a key. Within a Key the counter never repeats (it is atomic
// and never wraps: 2^64 values is out of reach); between Keys, two prefixes
// drawn at random from 2^128 coincide with probability about
// unlocks²/2^129, negligible for any number of unlocks a device will see
// (libsodium's secretstream builds its nonces the same way). Random
// 24-byte nonces per value gave 2^192 room; 2^128 per session is still far
// more than needed. What the layout shows a reader of the file: which
// values one session sealed and in what order, which the rows' stamps and
// import batches already say in clear.
type sealer struct {
	prefix [16]byte
	aead   cipherAEAD // ChaCha20-Poly1305 under HChaCha20(field key, prefix)
	next   atomic.Uint64
}

func newSealer(fieldKey []byte) (*sealer, error) {
	s := &sealer{}
	rand.Read(s.prefix[:]) // never fails (crypto/rand, Go 1.24 and later)
	sub, err := chacha20.HChaCha20(fieldKey, s.prefix[:])
	if err != nil {
		return nil, err
	}
	if s.aead, err = chacha20poly1305.New(sub); err != nil {
		return nil, err
	}
	clear(sub)
	return s, nil
}

// nonce returns the next nonce: the XChaCha20 one (24 bytes, stored) and
// the ChaCha20 one under the prefix's sub-key (12 bytes: 4 zero bytes,
// then the counter, as XChaCha20 does).
func (s *sealer) nonce() (x [chacha20poly1305.NonceSizeX]byte, c [chacha20poly1305.NonceSize]byte) {
	n := s.next.Add(1)
	if n == 0 {
		panic("vault: 2^64 values sealed under one key") // out of reach
	}
	copy(x[:16], s.prefix[:])
	binary.BigEndian.PutUint64(x[16:], n)
	copy(c[4:], x[16:])
	return x, c
}

// NewKey makes a new random data key.
func NewKey() *Key {
	raw := make([]byte, KeySize)
	rand.Read(raw) // never fails (crypto/rand, Go 1.24 and later)
	k, err := keyFromBytes(raw)
	if err != nil {
		panic(err) // the size is right by construction
	}
	return k
}

// keyFromBytes takes raw (KeySize bytes) as the data key and derives its
// sub-keys. raw is kept, not copied.
func keyFromBytes(raw []byte) (*Key, error) {
	if len(raw) != KeySize {
		return nil, fmt.Errorf("vault: a data key has %d bytes, not %d", KeySize, len(raw))
	}
	k := &Key{raw: raw}
	fk, err := derive(raw, infoFields)
	if err != nil {
		return nil, err
	}
	if k.fields, err = chacha20poly1305.NewX(fk); err != nil {
		return nil, err
	}
	if k.sealer, err = newSealer(fk); err != nil {
		return nil, err
	}
	clear(fk)
	for p := Purpose(0); p < purposes; p++ {
		if k.lookup[p], err = derive(raw, infoLookup+p.String()); err != nil {
			return nil, err
		}
		key := k.lookup[p]
		k.macs[p] = &sync.Pool{New: func() any { return &mac{h: hmac.New(sha256.New, key)} }}
	}
	idk, err := derive(raw, infoKeyID)
	if err != nil {
		return nil, err
	}
	k.id = base64.RawURLEncoding.EncodeToString(idk[:16])
	return k, nil
}

func derive(raw []byte, info string) ([]byte, error) {
	return hkdf.Key(sha256.New, raw, nil, info, KeySize)
}

// ID names the key without revealing it (16 bytes derived with HKDF, in
// base64url): the key file records it, so a key recovered through HQ or
// unlocked from a backup is known to be the one the data was sealed under.
func (k *Key) ID() string { return k.id }

// Forget drops the key and its sub-keys and zeroes the bytes this package
// holds. Go gives no promise that no copy is left in memory (the cipher
// keeps its own), so this is best effort; the Key is unusable after it.
func (k *Key) Forget() {
	clear(k.raw)
	for p := range k.lookup {
		clear(k.lookup[p])
		k.lookup[p] = nil
		k.macs[p] = nil
	}
	k.raw, k.fields, k.sealer = nil, nil, nil
}

func (k *Key) forgotten() bool { return k == nil || k.fields == nil }

// Encoding of a sealed field: "v1:" then base64url without padding of the
// 24-byte nonce (see sealer) followed by the XChaCha20-Poly1305 ciphertext
// and its 16-byte tag. 48 characters of overhead on top of the value's own
// base64 (4/3 of its bytes).
const prefixV1 = "v1:"

// IsSealed reports whether v looks like a sealed value (it starts with a
// version prefix "v<digits>:"), without checking it opens. The store uses
// it to tell a value of a clear database from an encrypted one.
func IsSealed(v string) bool {
	i := strings.IndexByte(v, ':')
	if i < 2 || v[0] != 'v' {
		return false
	}
	for _, c := range v[1:i] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// associated builds the associated data a field is sealed with: a label,
// then the row id and the field name, each preceded by its length, so a
// ciphertext copied to another row or another field does not open and no
// two (row, field) pairs give the same bytes.
func associated(ad []byte, row, field string) []byte {
	const label = "safeer vault v1 field\x00"
	ad = append(ad, label...)
	ad = binary.BigEndian.AppendUint32(ad, uint32(len(row)))
	ad = append(ad, row...)
	ad = binary.BigEndian.AppendUint32(ad, uint32(len(field)))
	ad = append(ad, field...)
	return ad
}

// Seal encrypts the value of field in row (the row's id: a person's id, an
// outbox op's id) and returns it in its stored form, "v1:…". Sealing the
// same value twice gives different texts (each has its own nonce); use Hash
// to find a value again.
func (k *Key) Seal(row, field, value string) (string, error) {
	if k.forgotten() {
		return "", message.NewError("vault.locked")
	}
	xn, cn := k.sealer.nonce()
	sp := scratchPool.Get().(*[]byte)
	b := (*sp)[:0]
	b = associated(b, row, field)
	adEnd := len(b)
	b = append(b, value...)
	plainEnd := len(b)
	b = append(b, xn[:]...)
	b = k.sealer.aead.Seal(b, cn[:], b[adEnd:plainEnd], b[:adEnd])
	clear(b[adEnd:plainEnd]) // the clear value
	raw := b[plainEnd:]
	var out strings.Builder
	out.Grow(len(prefixV1) + base64.RawURLEncoding.EncodedLen(len(raw)))
	out.WriteString(prefixV1)
	enc := base64.RawURLEncoding.AppendEncode(b[len(b):], raw)
	out.Write(enc)
	if cap(b) <= 4096 { // (out holds a copy; a long value's array is let go)
		*sp = b[:0]
		scratchPool.Put(sp)
	}
	return out.String(), nil
}

// scratchPool holds Seal's working buffers: its associated data, the
// value (zeroed once sealed), the sealed bytes and their base64 in one
// array.
var scratchPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// Open decrypts a value Seal returned for the same row and field. A value
// that is damaged, that was sealed for another row or field, or under
// another key gives an error carrying the bilingual message
// vault.value.unopenable; one not in the format (or of a later version)
// vault.value.malformed (vault.value.version).
func (k *Key) Open(row, field, sealed string) (string, error) {
	if k.forgotten() {
		return "", message.NewError("vault.locked")
	}
	rest, ok := strings.CutPrefix(sealed, prefixV1)
	if !ok {
		if IsSealed(sealed) {
			return "", message.NewError("vault.value.version", message.Latin("field", field), message.Latin("version", sealed[:strings.IndexByte(sealed, ':')]))
		}
		return "", message.NewError("vault.value.malformed", message.Latin("field", field))
	}
	buf, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(buf) < chacha20poly1305.NonceSizeX+chacha20poly1305.Overhead {
		return "", message.NewError("vault.value.malformed", message.Latin("field", field))
	}
	nonce, ct := buf[:chacha20poly1305.NonceSizeX], buf[chacha20poly1305.NonceSizeX:]
	var adBuf [96]byte
	ad := associated(adBuf[:0], row, field)
	var plain []byte
	if sl := k.sealer; bytes.Equal(nonce[:16], sl.prefix[:]) {
		// Sealed by this Key: its sub-key is made already.
		var cn [chacha20poly1305.NonceSize]byte
		copy(cn[4:], nonce[16:])
		plain, err = sl.aead.Open(ct[:0], cn[:], ct, ad)
	} else {
		plain, err = k.fields.Open(ct[:0], nonce, ct, ad)
	}
	if err != nil {
		return "", message.NewError("vault.value.unopenable", message.Latin("field", field))
	}
	return string(plain), nil
}

// Hash is the keyed hash of a value for exact look-ups: HMAC-SHA256 under
// the purpose's sub-key, its first HashBytes bytes in base64url without
// padding (16 characters: the first 16 of the whole sum's base64url).
// normalised must be the value in its one stored spelling (what
// input's CivilID, Phone or Email returns), so every spelling a person
// types finds it; the hash is stable for a key and differs between
// purposes and between keys. It returns "" for an empty value (nothing to
// look up) and for a forgotten key.
func (k *Key) Hash(p Purpose, normalised string) string {
	if p >= purposes {
		panic(fmt.Sprintf("vault: no look-up hash for %v", p))
	}
	if normalised == "" || k.forgotten() {
		return ""
	}
	m := k.macs[p].Get().(*mac)
	m.h.Reset()
	m.h.Write(append(m.buf[:0], normalised...))
	sum := m.h.Sum(m.buf[:0])
	out := base64.RawURLEncoding.EncodeToString(sum[:HashBytes])
	clear(m.buf[:])
	k.macs[p].Put(m)
	return out
}

// HashBytes is how much of the HMAC a look-up hash keeps: 96 bits, so
// two different values of even a million people share one with a
// probability of about 10^-17, and a look-up compares the values it finds
// anyway. (Until schema 10 the whole 32 bytes were kept: the device's
// migration 10 cut them to these.)
const HashBytes = 12

// mac is a keyed HMAC kept for reuse, with room for a value and its sum
// (a value longer than buf is copied to the heap).
type mac struct {
	h   hash.Hash
	buf [128]byte
}
