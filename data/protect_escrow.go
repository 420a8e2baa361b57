package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"filippo.io/age"

	"github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/vault"
)

// Escrow at enrolment (issue 14). HQ gives the device its recovery key's
// public half (an age X25519 recipient) when it enrols; the device keeps
// it (meta vault_escrow_recipient) and wraps its data key to it as soon as
// the database is both protected and unlocked: at enrolment when it is
// protected already, at the end of Protect when it is enrolled already,
// and at any later Unlock while the key file is not yet wrapped to it (an
// interrupted Protect, a key file restored from a backup). Changing the
// passphrase does not change the data key, so the escrow stays good.

const metaEscrowRecipient = "vault_escrow_recipient"

// EscrowRecipient is HQ's recovery key the device keeps ("" when HQ gave
// none).
func (s *Store) EscrowRecipient(ctx context.Context) (string, error) {
	var r string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, metaEscrowRecipient).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return r, err
}

// SetEscrowRecipient keeps HQ's recovery key (an age public key, "age1…")
// and, on a protected unlocked database, wraps the data key to it now. On
// a clear database Protect does it; on a locked one the next Unlock.
func (s *Store) SetEscrowRecipient(ctx context.Context, hqRecipient string) error {
	hqRecipient = strings.TrimSpace(hqRecipient)
	if _, err := age.ParseX25519Recipient(hqRecipient); err != nil {
		return message.Wrap(err, "vault.escrow.recipient")
	}
	s.vault.unlockMu.Lock()
	defer s.vault.unlockMu.Unlock()
	if err := s.saveEscrowRecipient(ctx, hqRecipient); err != nil {
		return err
	}
	if !s.Protected() || s.Locked() {
		return nil
	}
	return s.escrowTo(ctx, hqRecipient)
}

func (s *Store) saveEscrowRecipient(ctx context.Context, r string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, metaEscrowRecipient, strings.TrimSpace(r))
	if err != nil {
		return fmt.Errorf("keep HQ's recovery key: %w", err)
	}
	return nil
}

// escrowIfDue wraps the data key to the kept recipient when the database
// is protected and unlocked and its key file is not wrapped to it yet. The
// caller holds unlockMu. A failure is logged, not returned: the database
// works without the escrow, and the next Unlock tries again.
func (s *Store) escrowIfDue(ctx context.Context) {
	if !s.Protected() || s.Locked() {
		return
	}
	r, err := s.EscrowRecipient(ctx)
	if err == nil && r == "" {
		return
	}
	if err == nil {
		var kf *vault.KeyFile
		if kf, err = vault.Load(VaultKeyPath(s.path)); err == nil && kf.HQRecipient == r {
			return
		}
	}
	if err == nil {
		err = s.escrowTo(ctx, r)
	}
	if err != nil {
		s.log.Warn("data: the data key is not entrusted to HQ's recovery key yet; the next unlock tries again", "err", err)
		return
	}
	s.log.Info("data key entrusted to HQ's recovery key", "recipient", r)
}
