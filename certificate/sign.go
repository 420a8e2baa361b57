package certificate

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// LoadOrCreateKey returns an Ed25519 private key (a device's, or HQ's) stored at path
// (PKCS#8 in PEM, readable by openssl), making it on first run. The file is
// created with mode 0600 and appears whole or not at all, so a crash during
// the first run cannot leave a half-written key. An existing file that group
// or others may read is put back to 0600 with a warning.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	key, err := loadKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	// Write a temporary file (CreateTemp uses 0600), then hard-link it into
	// place: the link fails if another process made the key meanwhile, and
	// then both use that one.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".device-key-*")
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("signing key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("signing key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return loadKey(path)
		}
		// A file system without hard links: fall back to an exclusive create.
		f, err2 := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err2 != nil {
			if errors.Is(err2, fs.ErrExist) {
				return loadKey(path)
			}
			return nil, fmt.Errorf("signing key: %w", errors.Join(err, err2))
		}
		_, err = f.Write(data)
		if err == nil {
			err = f.Sync()
		}
		if err2 = f.Close(); err == nil {
			err = err2
		}
		if err != nil {
			return nil, fmt.Errorf("signing key: %w", err)
		}
	}
	return priv, nil
}

func loadKey(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	if runtime.GOOS != "windows" { // Windows has ACLs, not mode bits
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			slog.Warn("signing key could be read by other users; restricting it to the owner",
				"path", path, "mode", fi.Mode().Perm().String())
			if err := os.Chmod(path, 0o600); err != nil {
				return nil, fmt.Errorf("signing key: %s is readable by other users and cannot be restricted: %w", path, err)
			}
		}
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("signing key: %s is not a PEM private key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("signing key: %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("signing key: %s holds a %T, not an Ed25519 key", path, k)
	}
	return priv, nil
}

// endorsementMessage binds the device id to its key, so an endorsement of one
// device's key cannot be replayed under another device's name.
func endorsementMessage(deviceID string, devicePub ed25519.PublicKey) []byte {
	m := make([]byte, 0, len(endorseDomain)+binary.MaxVarintLen64+len(deviceID)+len(devicePub))
	m = append(m, endorseDomain...)
	m = binary.AppendUvarint(m, uint64(len(deviceID)))
	m = append(m, deviceID...)
	return append(m, devicePub...)
}

// Endorse is HQ's signature over a device's id and public key, made at
// enrolment. The device puts it in every certificate it signs afterwards.
func Endorse(hqPriv ed25519.PrivateKey, deviceID string, devicePub ed25519.PublicKey) []byte {
	return ed25519.Sign(hqPriv, endorsementMessage(deviceID, devicePub))
}

// VerifyEndorsement reports whether sig is hqPub's endorsement of the device.
func VerifyEndorsement(hqPub ed25519.PublicKey, deviceID string, devicePub ed25519.PublicKey, sig []byte) bool {
	if len(hqPub) != ed25519.PublicKeySize || len(devicePub) != ed25519.PublicKeySize {
		return false
	}
	return ed25519.Verify(hqPub, endorsementMessage(deviceID, devicePub), sig)
}

// Signer signs certificates on a device.
type Signer struct {
	DeviceID    string
	Key         ed25519.PrivateKey
	Endorsement []byte // from HQ at enrolment; nil before (certificates then verify as not_endorsed)
}

// SignedCertificate is a certificate as it will be printed, with the signed
// record for its QR code. Store Payload: it is the certificate's signature
// and the exact bytes a verifier checks.
type SignedCertificate struct {
	Certificate
	Payload []byte
}

// Sign normalises c to what the record can hold (canonical codes, the date
// without time of day, hours to the minute, IssuedAt to the second in UTC,
// surrounding spaces trimmed), signs it and returns both. An empty Code gets
// a NewCode, a zero IssuedAt the current time and an empty DeviceID the
// signer's.
func (s Signer) Sign(c Certificate) (SignedCertificate, error) {
	if len(s.Key) != ed25519.PrivateKeySize {
		return SignedCertificate{}, errors.New("sign certificate: no device key")
	}
	var err error
	if c.Code == "" {
		c.Code = NewCode()
	} else if c.Code, err = NormalizeCode(c.Code); err != nil {
		return SignedCertificate{}, fmt.Errorf("sign certificate: code: %w", err)
	}
	if c.ReissueOf != "" {
		if c.ReissueOf, err = NormalizeCode(c.ReissueOf); err != nil {
			return SignedCertificate{}, fmt.Errorf("sign certificate: reissue_of: %w", err)
		}
	}
	switch c.DeviceID {
	case "":
		c.DeviceID = s.DeviceID
	case s.DeviceID:
	default:
		return SignedCertificate{}, fmt.Errorf("sign certificate: device %q cannot sign for device %q", s.DeviceID, c.DeviceID)
	}
	for _, p := range []*string{&c.PersonNameAr, &c.PersonNameEn, &c.WorkshopTitleAr,
		&c.WorkshopTitleEn, &c.WilayatAr, &c.WilayatEn} {
		*p = strings.TrimSpace(*p)
	}
	if c.PersonNameAr == "" && c.PersonNameEn == "" {
		return SignedCertificate{}, errors.New("sign certificate: the person has no name")
	}
	if c.WorkshopTitleAr == "" && c.WorkshopTitleEn == "" {
		return SignedCertificate{}, errors.New("sign certificate: the workshop has no title")
	}
	if c.Date.IsZero() {
		return SignedCertificate{}, errors.New("sign certificate: the workshop has no date")
	}
	c.Date = time.Unix(civilDays(c.Date)*86400, 0).UTC()
	c.Hours = math.Round(c.Hours*60) / 60
	if c.IssuedAt.IsZero() {
		c.IssuedAt = time.Now()
	}
	c.IssuedAt = c.IssuedAt.UTC().Truncate(time.Second)

	r := Record{Certificate: c, DevicePub: s.Key.Public().(ed25519.PublicKey), Endorsement: s.Endorsement}
	body, err := r.appendBody(make([]byte, 0, 384))
	if err != nil {
		return SignedCertificate{}, fmt.Errorf("sign certificate: %w", err)
	}
	sig := ed25519.Sign(s.Key, signedMessage(body))
	return SignedCertificate{Certificate: c, Payload: append(body, sig...)}, nil
}
