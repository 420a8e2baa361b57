package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"filippo.io/age"

	"github.com/oman-sca/safeer/internal/privfile"
	"github.com/oman-sca/safeer/message"
)

// Format and Version name the key file's layout.
const (
	Format  = "safeer-vault-key"
	Version = 1
)

// KeyFile is the data key at rest, never in clear: wrapped under the
// coordinator's passphrase (argon2id, then XChaCha20-Poly1305) and, once
// the laptop is enrolled, a second time to HQ's age key. It is saved as
// JSON (byte fields in standard base64):
//
//	{"format": "safeer-vault-key", "version": 1, "key_id": "…",
//	 "kdf": {"algorithm": "argon2id", "time": 3, "memory_kib": 262144, "threads": 4, "salt": "…"},
//	 "passphrase_wrapped": "…",
//	 "hq_recipient": "age1…", "hq_wrapped": "…"}
//
// key_id is the key's ID (Key.ID): it reveals nothing of the key and tells
// whether a key unlocked either way is the one the data was sealed under.
type KeyFile struct {
	Format            string `json:"format"`
	Version           int    `json:"version"`
	KeyID             string `json:"key_id"`
	KDF               KDF    `json:"kdf"`
	PassphraseWrapped []byte `json:"passphrase_wrapped"`
	// HQRecipient is HQ's age public key the key is escrowed to, and
	// HQWrapped the key encrypted to it (an age file); both empty before
	// enrolment.
	HQRecipient string `json:"hq_recipient,omitempty"`
	HQWrapped   []byte `json:"hq_wrapped,omitempty"`
}

// KDF is how the passphrase becomes the key that wraps the data key.
type KDF struct {
	Algorithm string `json:"algorithm"` // "argon2id"
	Params
	Salt []byte `json:"salt"`
}

const argon2id = "argon2id"

// Create makes a new data key and its key file, wrapped under passphrase
// with p (from Calibrate).
func Create(passphrase string, p Params) (*KeyFile, *Key, error) {
	k := NewKey()
	kf := &KeyFile{Format: Format, Version: Version, KeyID: k.ID()}
	if err := kf.SetPassphrase(k, passphrase, p); err != nil {
		return nil, nil, err
	}
	return kf, k, nil
}

// Unlock opens the data key with passphrase. A wrong passphrase gives an
// error carrying vault.passphrase.wrong, in English and Arabic; the
// caller backs off after repeated failures.
func (kf *KeyFile) Unlock(passphrase string) (*Key, error) {
	if err := kf.check(); err != nil {
		return nil, err
	}
	k, err := unwrap(passphrase, kf.KDF.Params, kf.KDF.Salt, kf.PassphraseWrapped)
	if err != nil {
		return nil, err
	}
	if k.ID() != kf.KeyID {
		k.Forget()
		return nil, message.NewError("vault.keyfile.damaged")
	}
	return k, nil
}

// SetPassphrase wraps k under passphrase with p and a new salt, replacing
// the passphrase wrapping (after a recovery through HQ, or to change
// parameters). k must be the file's key. The data is not touched.
func (kf *KeyFile) SetPassphrase(k *Key, passphrase string, p Params) error {
	if k.forgotten() {
		return message.NewError("vault.locked")
	}
	if kf.KeyID != k.ID() {
		return message.NewError("vault.key.other")
	}
	salt, wrapped, err := wrap(k, passphrase, p)
	if err != nil {
		return err
	}
	kf.KDF = KDF{Algorithm: argon2id, Params: p, Salt: salt}
	kf.PassphraseWrapped = wrapped
	return nil
}

// ChangePassphrase rewraps the data key from the old passphrase to the new
// one with p (the stored parameters, or newly calibrated ones); the data
// and HQ's copy are not touched. On any error the file is unchanged.
func (kf *KeyFile) ChangePassphrase(old, new string, p Params) error {
	k, err := kf.Unlock(old)
	if err != nil {
		return err
	}
	defer k.Forget()
	return kf.SetPassphrase(k, new, p)
}

// check refuses a file this version cannot read.
func (kf *KeyFile) check() error {
	if kf.Format != Format {
		return message.NewError("vault.keyfile.damaged")
	}
	if kf.Version != Version {
		return message.NewError("vault.keyfile.version", message.Int("version", kf.Version))
	}
	if kf.KDF.Algorithm != argon2id || !kf.KDF.Params.valid() || len(kf.KDF.Salt) < saltSize ||
		len(kf.PassphraseWrapped) != wrappedSize || kf.KeyID == "" ||
		(kf.HQRecipient == "") != (len(kf.HQWrapped) == 0) {
		return message.NewError("vault.keyfile.damaged")
	}
	return nil
}

// Save writes kf to path, 0600, renamed into place (privfile.Write), so a
// failed save leaves the previous file whole.
func Save(path string, kf *KeyFile) error {
	if err := kf.check(); err != nil {
		return err
	}
	b, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	return privfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// Load reads a key file written by Save. A file that is not one, or is
// damaged, gives vault.keyfile.damaged with its path; a missing file is
// the os error (fs.ErrNotExist: a first start).
func Load(path string) (*KeyFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var kf KeyFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&kf); err != nil {
		return nil, message.Wrap(err, "vault.keyfile.unreadable", message.Latin("path", path))
	}
	if err := kf.check(); err != nil {
		var me *message.Error
		if errors.As(err, &me) && me.Msg.Code == "vault.keyfile.damaged" {
			return nil, message.NewError("vault.keyfile.unreadable", message.Latin("path", path))
		}
		return nil, err
	}
	return &kf, nil
}

// Escrow wraps k a second time to HQ's age public key (X25519, "age1…"),
// so HQ can recover the laptop's key if the passphrase is forgotten;
// it replaces an earlier escrow (HQ's key changed).
func (kf *KeyFile) Escrow(k *Key, hqRecipient string) error {
	if k.forgotten() {
		return message.NewError("vault.locked")
	}
	if kf.KeyID != k.ID() {
		return message.NewError("vault.key.other")
	}
	r, err := age.ParseX25519Recipient(strings.TrimSpace(hqRecipient))
	if err != nil {
		return message.Wrap(err, "vault.escrow.recipient")
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return err
	}
	if _, err := w.Write(k.raw); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	kf.HQRecipient, kf.HQWrapped = r.String(), buf.Bytes()
	return nil
}

// Recover opens the data key with HQ's age identity ("AGE-SECRET-KEY-1…"),
// for a laptop whose passphrase was forgotten; the caller then sets a new
// passphrase (SetPassphrase). Another identity gives vault.escrow.identity,
// a file never escrowed vault.escrow.none.
func (kf *KeyFile) Recover(hqIdentity string) (*Key, error) {
	if err := kf.check(); err != nil {
		return nil, err
	}
	if len(kf.HQWrapped) == 0 {
		return nil, message.NewError("vault.escrow.none")
	}
	id, err := age.ParseX25519Identity(strings.TrimSpace(hqIdentity))
	if err != nil {
		return nil, message.Wrap(err, "vault.escrow.identity_form")
	}
	r, err := age.Decrypt(bytes.NewReader(kf.HQWrapped), id)
	if err != nil {
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return nil, message.NewError("vault.escrow.identity")
		}
		return nil, message.Wrap(err, "vault.keyfile.damaged")
	}
	raw, err := io.ReadAll(io.LimitReader(r, KeySize+1))
	if err != nil || len(raw) != KeySize {
		return nil, message.NewError("vault.keyfile.damaged")
	}
	k, err := keyFromBytes(raw)
	if err != nil {
		return nil, err
	}
	if k.ID() != kf.KeyID {
		k.Forget()
		return nil, message.NewError("vault.keyfile.damaged")
	}
	return k, nil
}

// String names the file without its secrets (for logs).
func (kf *KeyFile) String() string {
	return fmt.Sprintf("vault key %s (argon2id t=%d m=%dKiB p=%d, escrowed=%t)",
		kf.KeyID, kf.KDF.Time, kf.KDF.MemoryKiB, kf.KDF.Threads, kf.HQRecipient != "")
}
