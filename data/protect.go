package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/vault"
)

// Protecting a clear database, unlocking and locking a protected one.
//
// Protect runs in steps, each of which leaves a database that opens, so a
// process killed at any moment loses nothing (see WithProtectSteps:
// TestProtectInterruptedAtEveryStep stops one at every step, and
// cmd/safeer's TestProtectKilledAtEveryStep kills one):
//
//  1. the data key is made and wrapped under the passphrase (in memory);
//  2. a backup copy of the clear file is made (BackupBeforeProtect), as
//     before any upgrade;
//  3. the key file is written beside the database (KeyPath), renamed into
//     place: a key file without vault_key_id in the database is the trace
//     of an interrupted Protect and is replaced by the next one;
//  4. one transaction seals every sensitive value (people, outbox, refused
//     ops, conflicts), fills the look-up hashes and records vault_key_id
//     and the backup still to encrypt: the file is clear before it
//     commits and protected after, never between;
//  5. finishProtect (again at every Open while it is pending): VACUUM and a
//     truncating checkpoint rewrite the file and its -wal without the
//     clear values' old pages; the backup of step 2 is replaced by an
//     encrypted copy (a copy of the now-protected file) after being
//     overwritten with zeros; then every other clear copy of the file the
//     device made (migration backups, torn copies: protect_copies.go) is
//     overwritten with zeros and removed.

// metaKeyID and metaPendingBackup are the meta rows of the vault.
const (
	metaKeyID         = "vault_key_id"
	metaPendingBackup = "vault_pending_backup"
)

// BackupBeforeProtect is the backup copy Protect keeps of the clear file
// at dbPath, until it is replaced by an encrypted copy at the end.
func BackupBeforeProtect(dbPath string) string {
	return fmt.Sprintf("%s.v%d-before-protect.bak", dbPath, SchemaVersion())
}

// WithProtectSteps makes the store tell steps the name of each step of
// Protect it reaches ("created", "backed-up", "key-saved", "sealed",
// "compacted", "backup-sealed", "backup-shredded", "backup-renamed", and
// "copy-shredded" after each clear copy removed), including the steps an
// Open finishes; an error steps returns stops Protect there, leaving what a
// crash at that point would. It is a way to watch Protect's progress: the
// tests of interrupted upgrades use it to stop or kill Protect at every
// step.
func WithProtectSteps(steps func(step string) error) Option {
	return func(s *Store) { s.vault.steps = steps }
}

// step tells the WithProtectSteps observer, if any, that Protect reached
// the step named.
func (s *Store) step(name string) error {
	if s.vault.steps != nil {
		return s.vault.steps(name)
	}
	return nil
}

func (s *Store) kdfParams() vault.Params {
	if s.vault.params != nil {
		return *s.vault.params
	}
	return vault.Calibrate(vault.DefaultTarget)
}

// loadVault reads whether the database is protected, checks its key file
// is there, and finishes an interrupted Protect.
func (s *Store) loadVault(ctx context.Context) error {
	var keyID string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, metaKeyID).Scan(&keyID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read vault state: %w", err)
	}
	s.vault.keyID = keyID
	if keyID == "" {
		return nil
	}
	if _, err := os.Stat(VaultKeyPath(s.path)); errors.Is(err, fs.ErrNotExist) {
		return message.Wrap(err, "data.vault.keyfile_missing", message.Latin("path", VaultKeyPath(s.path)))
	}
	// The file is whole and sealed whatever is left to do (another
	// process may be finishing it right now): a failure here is retried
	// at the next open, not a reason to refuse this one.
	if err := s.finishProtect(ctx); err != nil {
		s.log.Warn("data: finishing the encryption failed; the next open tries again", "err", err)
	}
	return nil
}

// Protect encrypts a clear database in place under a new data key wrapped
// under passphrase, and keeps the key file beside it (see the steps
// above). progress, if not nil, hears how many of the records to seal are
// done. The store is unlocked afterwards.
func (s *Store) Protect(ctx context.Context, passphrase string, progress func(done, total int)) error {
	s.vault.unlockMu.Lock()
	defer s.vault.unlockMu.Unlock()
	if s.Protected() {
		return message.Wrap(ErrProtected, "data.vault.protected")
	}
	release, err := lockProtect(ctx, s.path)
	if err != nil {
		return err
	}
	defer release()
	// Another process (or store) may have encrypted the file while this
	// one waited for the lock (protect_lock.go).
	var keyID string
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, metaKeyID).Scan(&keyID); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read vault state: %w", err)
	}
	if keyID != "" {
		s.vault.mu.Lock()
		s.vault.keyID = keyID // protected, and locked in this store
		s.vault.mu.Unlock()
		return message.Wrap(ErrProtected, "data.vault.protected")
	}
	kf, k, err := vault.Create(passphrase, s.kdfParams())
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			k.Forget()
		}
	}()
	if err := s.step("created"); err != nil {
		return err
	}
	backup := BackupBeforeProtect(s.path)
	if _, err := os.Stat(backup); err == nil {
		// Left by an interrupted Protect: the file is still clear, and a
		// new copy of it is made now.
		if err := shred(backup); err != nil {
			return fmt.Errorf("remove the backup of an interrupted protection: %w", err)
		}
	}
	if err := s.backupTo(ctx, backup); err != nil {
		return fmt.Errorf("keep a backup before encrypting the database: %w", err)
	}
	s.log.Info("database backed up before encryption", "backup", backup)
	if err := s.step("backed-up"); err != nil {
		return err
	}
	if err := saveKeyFile(VaultKeyPath(s.path), kf); err != nil {
		return fmt.Errorf("save the key file: %w", err)
	}
	if err := s.step("key-saved"); err != nil {
		return err
	}
	if err := s.sealAll(ctx, k, backup, progress); err != nil {
		return err
	}
	s.vault.mu.Lock()
	s.vault.keyID, s.vault.key = k.ID(), k
	s.vault.mu.Unlock()
	ok = true
	if err := s.step("sealed"); err != nil {
		return err
	}
	// The signing key file, if the device has one, is sealed too (and
	// would be at its next use after an interruption here).
	if _, err := os.Stat(s.KeyPath()); err == nil {
		if _, err := s.SigningKey(); err != nil {
			return err
		}
	}
	// Entrusted to HQ's recovery key at once when the device is enrolled
	// to an HQ that has one (again at each Unlock until done).
	s.escrowIfDue(ctx)
	return s.finishProtect(ctx)
}

// copyKeyFile copies the key file src to dest, which must not exist (0600).
func copyKeyFile(src, dest string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(dest)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// saveKeyFile writes kf at path and makes it durable before the database
// names its key.
func saveKeyFile(path string, kf *vault.KeyFile) error {
	if err := vault.Save(path, kf); err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// sealAll is step 4: one transaction, on a connection that overwrites
// what it frees (secure_delete), seals every sensitive value under k.
func (s *Store) sealAll(ctx context.Context, k *vault.Key, backup string, progress func(done, total int)) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA secure_delete = 1`); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), `PRAGMA secure_delete = 0`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	type person struct{ id, civil, phone, email, notes string }
	var people []person
	rows, err := tx.QueryContext(ctx, `SELECT id, civil_id, phone, email, notes FROM person`)
	if err != nil {
		return fmt.Errorf("read people: %w", err)
	}
	for rows.Next() {
		var p person
		if err := rows.Scan(&p.id, &p.civil, &p.phone, &p.email, &p.notes); err != nil {
			rows.Close()
			return err
		}
		people = append(people, p)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	type op struct {
		key                any
		tbl, rowID, fields string
	}
	readOps := func(q string) ([]op, error) {
		rows, err := tx.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []op
		for rows.Next() {
			var o op
			if err := rows.Scan(&o.key, &o.tbl, &o.rowID, &o.fields); err != nil {
				return nil, err
			}
			out = append(out, o)
		}
		return out, rows.Err()
	}
	outbox, err := readOps(`SELECT seq, tbl, row_id, fields FROM outbox WHERE tbl IN ('person', 'conflict')`)
	if err != nil {
		return fmt.Errorf("read outbox: %w", err)
	}
	refused, err := readOps(`SELECT op_id, tbl, row_id, fields FROM rejected_op WHERE tbl IN ('person', 'conflict')`)
	if err != nil {
		return fmt.Errorf("read refused changes: %w", err)
	}
	type conflict struct {
		id            string
		winner, loser any
	}
	var conflicts []conflict
	rows, err = tx.QueryContext(ctx, `SELECT id, winner, loser FROM conflict`)
	if err != nil {
		return fmt.Errorf("read conflicts: %w", err)
	}
	for rows.Next() {
		var c conflict
		if err := rows.Scan(&c.id, &c.winner, &c.loser); err != nil {
			rows.Close()
			return err
		}
		conflicts = append(conflicts, c)
	}
	if err := rows.Close(); err != nil {
		return err
	}

	total := len(people) + len(outbox) + len(refused) + len(conflicts)
	done := 0
	step := func() {
		done++
		if progress != nil && (done%500 == 0 || done == total) {
			progress(done, total)
		}
	}
	if progress != nil {
		progress(0, total)
	}
	upd, err := tx.PrepareContext(ctx, `UPDATE person SET civil_id = ?, phone = ?, email = ?, notes = ?,
		civil_id_hash = ?, phone_hash = ?, email_hash = ? WHERE id = ?`)
	if err != nil {
		return err
	}
	defer upd.Close()
	seal := func(row, field, v string) (string, error) {
		if v == "" {
			return "", nil
		}
		return k.Seal(row, field, v)
	}
	for _, p := range people {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r := "person/" + p.id
		civil, err := seal(r, safeer.FieldCivilID, p.civil)
		if err != nil {
			return err
		}
		phone, err := seal(r, safeer.FieldPhone, p.phone)
		if err != nil {
			return err
		}
		email, err := seal(r, safeer.FieldEmail, p.email)
		if err != nil {
			return err
		}
		notes, err := seal(r, safeer.FieldNotes, p.notes)
		if err != nil {
			return err
		}
		if _, err := upd.ExecContext(ctx, civil, phone, email, notes,
			k.Hash(vault.CivilID, p.civil), k.Hash(vault.Phone, p.phone), k.Hash(vault.Email, p.email), p.id); err != nil {
			return fmt.Errorf("encrypt person %s: %w", p.id, err)
		}
		step()
	}
	for _, set := range []struct {
		ops []op
		q   string
	}{{outbox, `UPDATE outbox SET fields = ? WHERE seq = ?`}, {refused, `UPDATE rejected_op SET fields = ? WHERE op_id = ?`}} {
		for _, o := range set.ops {
			payload, changed, err := sealOpFields(k, o.tbl, o.rowID, o.fields)
			if err != nil {
				return fmt.Errorf("encrypt queued change of %s %s: %w", o.tbl, o.rowID, err)
			}
			if changed {
				if _, err := tx.ExecContext(ctx, set.q, payload, o.key); err != nil {
					return err
				}
			}
			step()
		}
	}
	for _, c := range conflicts {
		vals := []any{c.winner, c.loser}
		for i, name := range []string{safeer.FieldWinner, safeer.FieldLoser} {
			v := vals[i]
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			if v == nil {
				continue
			}
			str, ok := v.(string)
			if !ok {
				str = sqlColumnValue("ANY", v).(string)
			}
			if str == "" {
				continue
			}
			sealed, err := k.Seal("conflict/"+c.id, name, str)
			if err != nil {
				return err
			}
			vals[i] = sealed
		}
		if _, err := tx.ExecContext(ctx, `UPDATE conflict SET winner = ?, loser = ? WHERE id = ?`, vals[0], vals[1], c.id); err != nil {
			return fmt.Errorf("encrypt conflict %s: %w", c.id, err)
		}
		step()
	}
	var token string
	if err := tx.QueryRowContext(ctx, `SELECT token FROM sync_state WHERE id = 1`).Scan(&token); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if token != "" {
		sealed, err := k.Seal("sync_state/1", "token", token)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sync_state SET token = ? WHERE id = 1`, sealed); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?), (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, metaKeyID, k.ID(), metaPendingBackup, backup); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("encrypt the database: %w", err)
	}
	return nil
}

// finishProtect is step 5; it does nothing when no Protect is pending. It
// needs no key: what it copies is sealed.
func (s *Store) finishProtect(ctx context.Context) error {
	var backup string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, metaPendingBackup).Scan(&backup)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.compact(ctx); err != nil {
		return fmt.Errorf("rewrite the encrypted database: %w", err)
	}
	if err := s.step("compacted"); err != nil {
		return err
	}
	sealedCopy := backup + ".sealed"
	if _, err := os.Stat(sealedCopy); errors.Is(err, fs.ErrNotExist) {
		// backupTo places the copy only once it is whole.
		if err := s.backupTo(ctx, sealedCopy); err != nil {
			return fmt.Errorf("encrypt the backup %s: %w", backup, err)
		}
	}
	if err := s.step("backup-sealed"); err != nil {
		return err
	}
	if err := shred(backup); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove the clear backup %s: %w", backup, err)
	}
	if err := s.step("backup-shredded"); err != nil {
		return err
	}
	if err := os.Rename(sealedCopy, backup); err != nil {
		return fmt.Errorf("encrypt the backup %s: %w", backup, err)
	}
	if err := s.step("backup-renamed"); err != nil {
		return err
	}
	// The older clear copies: migration backups, torn copies.
	if err := s.removeClearCopies(ctx, backup); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM meta WHERE key = ?`, metaPendingBackup); err != nil {
		return err
	}
	s.log.Info("database encrypted; its backup too", "backup", backup)
	return nil
}

// compact rewrites the database without free pages (VACUUM, overwriting
// what it frees) and empties its -wal, so no page that held a clear value
// is left in either file.
func (s *Store) compact(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA secure_delete = 1`); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), `PRAGMA secure_delete = 0`)
	if _, err := conn.ExecContext(ctx, `VACUUM`); err != nil {
		return err
	}
	for try := 0; ; try++ {
		var busy, logPages, done int
		if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &done); err != nil {
			return err
		}
		if busy == 0 {
			return nil
		}
		if try == 50 {
			return fmt.Errorf("the -wal file could not be emptied: another program is reading the database")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// shred overwrites the file at path with zeros, makes that durable, and
// removes it. On file systems that write elsewhere (copy on write, flash
// wear levelling) the old blocks may survive: that is why the backup is
// replaced by an encrypted copy rather than trusted to this.
func shred(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	zeros := make([]byte, 1<<20)
	for left := fi.Size(); left > 0; {
		n := int(min(left, int64(len(zeros))))
		if _, err := f.Write(zeros[:n]); err != nil {
			f.Close()
			return err
		}
		left -= int64(n)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Remove(path)
}

// Unlock opens the data key with passphrase, so personal data can be read
// and written. A wrong passphrase gives an error wrapping
// ErrWrongPassphrase (vault.passphrase.wrong); after three in a row, each
// further try waits longer (1 s, 2 s, … up to 30 s) and one made sooner is
// refused (data.vault.wait) without trying.
func (s *Store) Unlock(ctx context.Context, passphrase string) error {
	s.vault.unlockMu.Lock()
	defer s.vault.unlockMu.Unlock()
	s.vault.mu.RLock()
	keyID, unlocked, failures, last := s.vault.keyID, s.vault.key != nil, s.vault.failures, s.vault.lastFail
	s.vault.mu.RUnlock()
	if keyID == "" {
		return message.Wrap(ErrNotProtected, "data.vault.not_protected")
	}
	if unlocked {
		return nil
	}
	if wait := backoff(failures) - s.now().Sub(last); wait > 0 {
		return message.Wrap(ErrWrongPassphrase, "data.vault.wait", message.Int("seconds", int(math.Ceil(wait.Seconds()))))
	}
	kf, err := vault.Load(VaultKeyPath(s.path))
	if err != nil {
		return err
	}
	k, err := kf.Unlock(passphrase)
	if err != nil {
		if m, ok := message.Find(err); ok && m.Code == "vault.passphrase.wrong" {
			s.vault.mu.Lock()
			s.vault.failures++
			s.vault.lastFail = s.now()
			s.vault.mu.Unlock()
			return message.Wrap(ErrWrongPassphrase, "vault.passphrase.wrong")
		}
		return err
	}
	if k.ID() != keyID {
		k.Forget()
		return message.NewError("data.vault.key_other", message.Latin("path", VaultKeyPath(s.path)))
	}
	s.vault.mu.Lock()
	s.vault.key, s.vault.failures = k, 0
	s.vault.mu.Unlock()
	s.escrowIfDue(ctx)
	return nil
}

// backoff is how long after the last failed unlock the next try waits.
func backoff(failures int) time.Duration {
	if failures < 3 {
		return 0
	}
	return min(time.Second<<min(failures-3, 5), 30*time.Second)
}

// ChangePassphrase rewraps the data key from old to new; the data is not
// touched, and the store stays as locked or unlocked as it was. A wrong old
// passphrase gives an error wrapping ErrWrongPassphrase.
func (s *Store) ChangePassphrase(ctx context.Context, old, new string) error {
	s.vault.unlockMu.Lock()
	defer s.vault.unlockMu.Unlock()
	if !s.Protected() {
		return message.Wrap(ErrNotProtected, "data.vault.not_protected")
	}
	kf, err := vault.Load(VaultKeyPath(s.path))
	if err != nil {
		return err
	}
	p := kf.KDF.Params
	if s.vault.params != nil {
		p = *s.vault.params
	}
	if err := kf.ChangePassphrase(old, new, p); err != nil {
		if m, ok := message.Find(err); ok && m.Code == "vault.passphrase.wrong" {
			return message.Wrap(ErrWrongPassphrase, "vault.passphrase.wrong")
		}
		return err
	}
	return saveKeyFile(VaultKeyPath(s.path), kf)
}

// Escrow wraps the data key a second time to HQ's age public key
// ("age1…"), so HQ can recover this database's key if the passphrase is
// forgotten (safeer-hq recover); it replaces an earlier escrow. The store
// must be unlocked. The recipient is kept (as SetEscrowRecipient does).
func (s *Store) Escrow(ctx context.Context, hqRecipient string) error {
	s.vault.unlockMu.Lock()
	defer s.vault.unlockMu.Unlock()
	if !s.Protected() {
		return message.Wrap(ErrNotProtected, "data.vault.not_protected")
	}
	if err := s.escrowTo(ctx, hqRecipient); err != nil {
		return err
	}
	return s.saveEscrowRecipient(ctx, hqRecipient)
}

// escrowTo is Escrow; the caller holds unlockMu.
func (s *Store) escrowTo(ctx context.Context, hqRecipient string) error {
	kf, err := vault.Load(VaultKeyPath(s.path))
	if err != nil {
		return err
	}
	err = s.withKey(func(k *vault.Key) error { return kf.Escrow(k, hqRecipient) })
	if err != nil {
		return err
	}
	return saveKeyFile(VaultKeyPath(s.path), kf)
}
