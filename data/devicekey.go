package data

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/internal/privfile"
	"github.com/oman-sca/safeer/vault"
)

// The device's secrets under the data key (issue 14): on a protected
// database the certificate-signing key file (KeyPath) holds the key's PEM
// sealed under the data key ("v1:…", bound to "device/signing_key"), and
// sync_state.token HQ's bearer token sealed like a field (vault.go). A
// signing key file written in clear (before Protect) is sealed in place
// the first time it is used after Unlock, and by Protect itself.

const signingKeyRow, signingKeyField = "device", "signing_key"

// SigningKey is the device's certificate-signing key, made on first use.
// On a protected database it needs the store unlocked (ErrLocked).
func (s *Store) SigningKey() (ed25519.PrivateKey, error) {
	if !s.Protected() {
		return certificate.LoadOrCreateKey(s.KeyPath())
	}
	path := s.KeyPath()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("signing key: %w", err)
		}
		if err := s.writeSealedKey(path, priv, false); err != nil {
			return nil, err
		}
		return priv, nil
	}
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	text := strings.TrimSpace(string(b))
	if !vault.IsSealed(text) {
		// Made before the database was protected: seal it now.
		priv, err := certificate.LoadOrCreateKey(path)
		if err != nil {
			return nil, err
		}
		if err := s.writeSealedKey(path, priv, true); err != nil {
			return nil, err
		}
		return priv, nil
	}
	var pemText string
	err = s.withKey(func(k *vault.Key) error {
		var err error
		pemText, err = k.Open(signingKeyRow, signingKeyField, text)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	return parseSigningKey(path, []byte(pemText))
}

func parseSigningKey(path string, b []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("signing key: %s is not a PEM private key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("signing key: %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("signing key: %s is not an Ed25519 key", path)
	}
	return priv, nil
}

// writeSealedKey writes priv sealed under the data key at path (0600,
// renamed into place). With replace, the clear file it replaces is held
// open across the rename and overwritten with zeros after it: at every
// moment one whole key file is at path.
func (s *Store) writeSealedKey(path string, priv ed25519.PrivateKey, replace bool) error {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return fmt.Errorf("signing key: %w", err)
	}
	pemText := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	var sealed string
	err = s.withKey(func(k *vault.Key) error {
		if k == nil {
			return fmt.Errorf("internal: sealing the signing key of a clear database")
		}
		var err error
		sealed, err = k.Seal(signingKeyRow, signingKeyField, string(pemText))
		return err
	})
	clear(pemText)
	if err != nil {
		return fmt.Errorf("signing key: %w", err)
	}
	var old *os.File
	if replace {
		if old, err = os.OpenFile(path, os.O_RDWR, 0); err != nil {
			return fmt.Errorf("signing key: %w", err)
		}
		defer old.Close()
	}
	if err := privfile.Write(path, func(w io.Writer) error {
		_, err := io.WriteString(w, sealed+"\n")
		return err
	}); err != nil {
		return fmt.Errorf("signing key: %w", err)
	}
	if old != nil {
		if fi, err := old.Stat(); err == nil {
			old.WriteAt(make([]byte, fi.Size()), 0)
			old.Sync()
		}
	}
	return nil
}
