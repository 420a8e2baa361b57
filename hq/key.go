package hq

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"

	"github.com/oman-sca/safeer/certificate"
)

// DefaultKeyPath is where HQ keeps its signing key when --key is not given:
// next to a SQLite database (DB.key), so a copy of the database directory
// is a whole HQ; for PostgreSQL, in the user's config folder.
func DefaultKeyPath(dsn string) (string, error) {
	kind, err := StoreKind(dsn)
	if err != nil {
		return "", err
	}
	if kind == "sqlite" {
		return dsn + ".key", nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the config folder for HQ's key (give --key FILE): %w", err)
	}
	return filepath.Join(dir, "safeer-hq", "hq.key"), nil
}

// LoadOrCreateKey returns HQ's Ed25519 signing key stored at path, making
// it on first use. It is the same kind of key file as a device's (PKCS#8
// PEM, mode 0600, written whole or not at all), so it shares the code.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	key, err := certificate.LoadOrCreateKey(path)
	if err != nil {
		return nil, fmt.Errorf("HQ key: %w", err)
	}
	return key, nil
}

// EncodePublicKey is the text form of HQ's public key that safeer-hq key
// prints and verifiers are configured with: unpadded base64url of the 32
// key bytes.
func EncodePublicKey(pub ed25519.PublicKey) string {
	return base64.RawURLEncoding.EncodeToString(pub)
}
