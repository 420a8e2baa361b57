package credential

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Bitstring Status List v1.0 (W3C): a credential's status is one bit of a
// long bitstring that the issuer publishes, gzip-compressed, inside a
// signed status list credential. Bit 0 is the left-most bit: the most
// significant bit of the first byte.

// MinStatusEntries is the smallest list the specification allows (16 KB
// of bits), and so what a verifier demands: a shorter list would tell
// which of few credentials a verifier asked about.
const MinStatusEntries = 131072

// maxStatusBytes bounds a decoded list (16 MiB of bits, 128 times the
// minimum), so a small gzip stream cannot inflate without end.
const maxStatusBytes = 16 << 20

// StatusList is a bitstring of credential statuses, one bit each
// (statusSize 1): set means revoked.
type StatusList struct {
	bits []byte
}

// NewStatusList is a list of n entries, all clear. n is raised to
// MinStatusEntries and rounded up to whole bytes.
func NewStatusList(n int) *StatusList {
	if n < MinStatusEntries {
		n = MinStatusEntries
	}
	return &StatusList{bits: make([]byte, (n+7)/8)}
}

// Len is the number of entries.
func (l *StatusList) Len() int { return len(l.bits) * 8 }

// Set sets or clears entry i.
func (l *StatusList) Set(i int, on bool) error {
	if i < 0 || i >= l.Len() {
		return fmt.Errorf("status list index %d outside 0…%d", i, l.Len()-1)
	}
	mask := byte(0x80) >> (i % 8)
	if on {
		l.bits[i/8] |= mask
	} else {
		l.bits[i/8] &^= mask
	}
	return nil
}

// Get reads entry i.
func (l *StatusList) Get(i int) (bool, error) {
	if i < 0 || i >= l.Len() {
		return false, fmt.Errorf("status list index %d outside 0…%d", i, l.Len()-1)
	}
	return l.bits[i/8]&(byte(0x80)>>(i%8)) != 0, nil
}

// Encode is the list as encodedList: the multibase prefix "u" and the
// unpadded base64url of the gzip-compressed bits.
func (l *StatusList) Encode() string {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(l.bits) // a bytes.Buffer does not fail
	zw.Close()
	return "u" + b64.EncodeToString(b.Bytes())
}

// DecodeStatusList reads an encodedList. It refuses another multibase
// encoding, a list shorter than MinStatusEntries and one that inflates
// beyond 16 MiB.
func DecodeStatusList(encoded string) (*StatusList, error) {
	rest, ok := strings.CutPrefix(encoded, "u")
	if !ok {
		return nil, errors.New("encodedList is not multibase base64url (no \"u\" prefix)")
	}
	// The specification says unpadded; some writers pad, and the bits are
	// the same.
	z, err := b64.DecodeString(strings.TrimRight(rest, "="))
	if err != nil {
		return nil, fmt.Errorf("encodedList is not base64url: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, fmt.Errorf("encodedList is not gzip: %w", err)
	}
	bits, err := io.ReadAll(io.LimitReader(zr, maxStatusBytes+1))
	if err != nil {
		return nil, fmt.Errorf("encodedList does not inflate: %w", err)
	}
	if len(bits) > maxStatusBytes {
		return nil, fmt.Errorf("encodedList inflates beyond %d bytes", maxStatusBytes)
	}
	if len(bits)*8 < MinStatusEntries {
		return nil, fmt.Errorf("status list has %d entries, fewer than the %d the specification requires", len(bits)*8, MinStatusEntries)
	}
	return &StatusList{bits: bits}, nil
}

// StatusListCredential is a BitstringStatusListCredential: the list,
// encoded, as the subject of a credential that the issuer signs.
type StatusListCredential struct {
	Context           []string            `json:"@context"`
	ID                string              `json:"id"`
	Type              []string            `json:"type"`
	Issuer            string              `json:"issuer"`
	ValidFrom         string              `json:"validFrom"`
	ValidUntil        string              `json:"validUntil,omitempty"`
	CredentialSubject BitstringStatusList `json:"credentialSubject"`
}

// BitstringStatusList is the subject of a status list credential.
type BitstringStatusList struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	StatusPurpose string `json:"statusPurpose"`
	EncodedList   string `json:"encodedList"`
	TTL           int64  `json:"ttl,omitempty"`
}

// StatusListCredential signs list as HQ's revocation list at
// StatusListURL, valid from now for validFor (a verifier fetches it
// again after ttl, which is validFor too). It is secured as VC-JOSE-COSE
// says for a credential of the Data Model 2.0 (typ "vc+jwt", cty "vc",
// the credential as the payload): it is not an Open Badge, so the Open
// Badges header rules do not bind it.
func (is *Issuer) StatusListCredential(list *StatusList, now time.Time, validFor time.Duration) (string, error) {
	now = now.UTC().Truncate(time.Second)
	url := is.StatusListURL()
	c := StatusListCredential{
		Context:    []string{"https://www.w3.org/ns/credentials/v2"},
		ID:         url,
		Type:       []string{"VerifiableCredential", "BitstringStatusListCredential"},
		Issuer:     is.DID,
		ValidFrom:  now.Format(time.RFC3339),
		ValidUntil: now.Add(validFor).Format(time.RFC3339),
		CredentialSubject: BitstringStatusList{
			ID:            url + "#list",
			Type:          "BitstringStatusList",
			StatusPurpose: "revocation",
			EncodedList:   list.Encode(),
			TTL:           validFor.Milliseconds(),
		},
	}
	return signCompact(header{Kid: is.KeyID(), Typ: "vc+jwt", Cty: "vc"}, c, is.Key)
}
