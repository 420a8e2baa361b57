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
	fields cipherAEAD
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
	for p := Purpose(0); p < purposes; p++ {
		if k.lookup[p], err = derive(raw, infoLookup+p.String()); err != nil {
			return nil, err
		}
		key := k.lookup[p]
		k.macs[p] = &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}
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
	k.raw, k.fields = nil, nil
}

func (k *Key) forgotten() bool { return k == nil || k.fields == nil }

// Encoding of a sealed field: "v1:" then base64url without padding of the
// 24-byte random nonce followed by the XChaCha20-Poly1305 ciphertext and
// its 16-byte tag. 48 characters of overhead on top of the value's own
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
func associated(row, field string) []byte {
	const label = "safeer vault v1 field\x00"
	ad := make([]byte, 0, len(label)+8+len(row)+len(field))
	ad = append(ad, label...)
	ad = binary.BigEndian.AppendUint32(ad, uint32(len(row)))
	ad = append(ad, row...)
	ad = binary.BigEndian.AppendUint32(ad, uint32(len(field)))
	ad = append(ad, field...)
	return ad
}

// Seal encrypts the value of field in row (the row's id: a person's id, an
// outbox op's id) and returns it in its stored form, "v1:…". Sealing the
// same value twice gives different texts (the nonce is random); use Hash
// to find a value again.
func (k *Key) Seal(row, field, value string) (string, error) {
	if k.forgotten() {
		return "", message.NewError("vault.locked")
	}
	buf := make([]byte, chacha20poly1305.NonceSizeX, chacha20poly1305.NonceSizeX+len(value)+chacha20poly1305.Overhead)
	rand.Read(buf)
	buf = k.fields.Seal(buf, buf, []byte(value), associated(row, field))
	return prefixV1 + base64.RawURLEncoding.EncodeToString(buf), nil
}

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
	plain, err := k.fields.Open(ct[:0], nonce, ct, associated(row, field))
	if err != nil {
		return "", message.NewError("vault.value.unopenable", message.Latin("field", field))
	}
	return string(plain), nil
}

// Hash is the keyed hash of a value for exact look-ups: HMAC-SHA256 under
// the purpose's sub-key, in base64url without padding (43 characters).
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
	m := k.macs[p].Get().(hash.Hash)
	m.Reset()
	m.Write([]byte(normalised))
	var sum [sha256.Size]byte
	out := base64.RawURLEncoding.EncodeToString(m.Sum(sum[:0]))
	k.macs[p].Put(m)
	return out
}
