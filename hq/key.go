package hq

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
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

// LoadOrCreateKey returns HQ's Ed25519 signing key stored at path (PKCS#8
// PEM, which openssl reads), making it on first use with mode 0600. The
// file appears whole or not at all, so a crash cannot leave half a key; two
// processes making it at once end up with the same one.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	key, err := loadKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("HQ key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("HQ key: %w", err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("HQ key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".hq-key-*") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("HQ key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if err2 := tmp.Close(); err == nil {
		err = err2
	}
	if err != nil {
		return nil, fmt.Errorf("HQ key: %w", err)
	}
	// A hard link fails if the file exists: whoever linked first wins.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return loadKey(path)
		}
		return nil, fmt.Errorf("HQ key: save %s: %w", path, err)
	}
	return priv, nil
}

func loadKey(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("HQ key: %w", err)
	}
	if runtime.GOOS != "windows" {
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(path, 0o600); err != nil {
				return nil, fmt.Errorf("HQ key %s can be read by other users and cannot be restricted: %w", path, err)
			}
		}
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("HQ key %s is not a PEM private key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("HQ key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("HQ key %s holds a %T, not an Ed25519 key", path, k)
	}
	return priv, nil
}

// EncodePublicKey is the text form of HQ's public key that safeer-hq key
// prints and verifiers are configured with: unpadded base64url of the 32
// key bytes.
func EncodePublicKey(pub ed25519.PublicKey) string {
	return base64.RawURLEncoding.EncodeToString(pub)
}
