package data

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/input"
	"github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/vault"
)

// Encryption at rest (issue 14). A database is protected when its meta
// table names a data key (vault_key_id) and the key file beside it
// (VaultKeyPath) holds that key wrapped under the coordinator's passphrase. On a
// protected database every sensitive value (sealedFields) is kept sealed
// under the data key with package vault, bound to its table, row and
// field, wherever it is stored: in its row, in the outbox op that ships it,
// in a refused op. The same sealed text serves all three (the same
// table/row/field), so code that copies an op or a row's value to the
// outbox (resync, re-assertion) needs to know nothing of it. Exact look-ups
// go through keyed hashes in person.*_hash. Names, places and everything
// else stay readable: sorting in SQL and certificates need the names.
//
// A clear database (no vault_key_id) works as before: nothing is sealed,
// the hash columns stay empty. Protect turns a clear one into a protected
// one (protect.go).

// ErrLocked is wrapped by the error of any read or write of personal data
// on a protected store whose key is not in memory (Unlock first).
var ErrLocked = errors.New("the store is locked")

// ErrWrongPassphrase is wrapped by Unlock's and ChangePassphrase's error
// when the passphrase does not unlock the key.
var ErrWrongPassphrase = errors.New("wrong passphrase")

// ErrNotProtected is wrapped by Unlock's and ChangePassphrase's error on a
// clear database.
var ErrNotProtected = errors.New("the database is not protected")

// ErrProtected is wrapped by Protect's error on a database protected
// already.
var ErrProtected = errors.New("the database is protected already")

func errLocked() error { return message.Wrap(ErrLocked, "vault.locked") }

// sealedFields are, per table, the columns kept sealed on a protected
// database. A conflict's winner and loser are the values of any field,
// personal ones among them: both are always sealed.
var sealedFields = map[string]map[string]bool{
	safeer.TablePerson:   {safeer.FieldCivilID: true, safeer.FieldPhone: true, safeer.FieldEmail: true, safeer.FieldNotes: true},
	safeer.TableConflict: {safeer.FieldWinner: true, safeer.FieldLoser: true},
	// HQ's bearer token (devicekey.go).
	"sync_state": {"token": true},
}

// hashedFields are the person fields with a look-up hash column, and
// their hash's purpose.
var hashedFields = map[string]vault.Purpose{
	safeer.FieldCivilID: vault.CivilID, safeer.FieldPhone: vault.Phone, safeer.FieldEmail: vault.Email,
}

// hashColumns lists hashedFields' columns in a fixed order, and
// hashedPersonFields their fields in the same order.
var (
	hashColumns        = []string{"civil_id_hash", "email_hash", "phone_hash"}
	hashedPersonFields = [...]struct {
		personField
		purpose vault.Purpose
	}{{personField{safeer.FieldCivilID, func(p *safeer.Person) *string { return &p.CivilID }}, vault.CivilID},
		{personField{safeer.FieldEmail, func(p *safeer.Person) *string { return &p.Email }}, vault.Email},
		{personField{safeer.FieldPhone, func(p *safeer.Person) *string { return &p.Phone }}, vault.Phone}}
)

// personField is a person's field: its column, and where a Person holds it.
type personField struct {
	name  string
	value func(*safeer.Person) *string
}

// sealedPersonFields are sealedFields["person"], as a list.
var sealedPersonFields = [...]personField{
	{safeer.FieldCivilID, func(p *safeer.Person) *string { return &p.CivilID }},
	{safeer.FieldEmail, func(p *safeer.Person) *string { return &p.Email }},
	{safeer.FieldNotes, func(p *safeer.Person) *string { return &p.Notes }},
	{safeer.FieldPhone, func(p *safeer.Person) *string { return &p.Phone }},
}

func isSealedField(table, field string) bool { return sealedFields[table][field] }

// vaultState is the store's side of the vault: whether the file is
// protected (keyID), the unlocked key, and the failed unlocks for the
// back-off. mu is held for reading while a key seals or opens, so Lock
// never forgets a key in use.
type vaultState struct {
	mu       sync.RWMutex
	keyID    string     // meta vault_key_id: "" on a clear database
	key      *vault.Key // nil while locked
	failures int
	lastFail time.Time
	params   *vault.Params           // WithKDF: argon2id costs for new wrappings (tests)
	unlockMu sync.Mutex              // one Unlock, Protect or ChangePassphrase at a time
	steps    func(step string) error // WithProtectSteps: watches Protect (tests)
}

// WithKDF makes Protect and ChangePassphrase wrap the key with p instead of
// parameters calibrated on this computer (~0.5 s): tests use cheap ones.
func WithKDF(p vault.Params) Option {
	return func(s *Store) { s.vault.params = &p }
}

// VaultKeyPath is the key file of the database at dbPath: its data key,
// wrapped under the passphrase (and HQ's key once escrowed). Not to be
// confused with Store.KeyPath, the certificate-signing key.
func VaultKeyPath(dbPath string) string { return dbPath + ".vault" }

// Protected reports whether the database is protected: its personal fields
// are encrypted, and a key file holds their key.
func (s *Store) Protected() bool {
	s.vault.mu.RLock()
	defer s.vault.mu.RUnlock()
	return s.vault.keyID != ""
}

// Locked reports whether the database is protected and its key is not in
// memory: reads of personal data then fail with ErrLocked.
func (s *Store) Locked() bool {
	s.vault.mu.RLock()
	defer s.vault.mu.RUnlock()
	return s.vault.keyID != "" && s.vault.key == nil
}

// Lock forgets the key and drops the search index built from decrypted
// values; reads of personal data then fail with ErrLocked until Unlock. On
// a clear database it does nothing.
func (s *Store) Lock() {
	s.vault.mu.Lock()
	if s.vault.key != nil {
		s.vault.key.Forget()
		s.vault.key = nil
	}
	protected := s.vault.keyID != ""
	s.vault.mu.Unlock()
	if protected && s.index != nil {
		s.index.forget()
	}
}

// checkKeyID refuses to go on when the file's data key (meta
// vault_key_id, read in the caller's transaction) is not the one this
// store opened it with.
func (s *Store) checkKeyID(fileKeyID string) error {
	s.vault.mu.RLock()
	defer s.vault.mu.RUnlock()
	if fileKeyID != s.vault.keyID {
		return message.NewError("data.vault.changed")
	}
	return nil
}

// withKey runs fn with the key when the database is protected and
// unlocked, with nil when it is clear; ErrLocked when it is locked.
func (s *Store) withKey(fn func(k *vault.Key) error) error {
	s.vault.mu.RLock()
	defer s.vault.mu.RUnlock()
	if s.vault.keyID == "" {
		return fn(nil)
	}
	if s.vault.key == nil {
		return errLocked()
	}
	return fn(s.vault.key)
}

// sealRow returns the fields of (table, id) as the file keeps them: on a
// protected database the sensitive ones sealed, and for a person the
// look-up hashes of the hashed fields r has (for an update, only those it
// changes; an empty value has the empty hash). r itself is not
// changed. On a clear database it returns r and no hashes.
func (s *Store) sealRow(table, id string, r row) (row, map[string]any, error) {
	fields := sealedFields[table]
	if fields == nil {
		return r, nil, nil
	}
	var out row
	var hashes map[string]any
	err := s.withKey(func(k *vault.Key) error {
		if k == nil {
			out = r
			return nil
		}
		out = make(row, len(r))
		rowKey := table + "/" + id
		for name, v := range r {
			out[name] = v
			if !fields[name] {
				continue
			}
			str, ok := v.(string)
			if !ok || str == "" {
				continue
			}
			sealed, err := k.Seal(rowKey, name, str)
			if err != nil {
				return err
			}
			out[name] = sealed
		}
		if table == safeer.TablePerson {
			hashes = make(map[string]any, len(hashedFields))
			for f, purpose := range hashedFields {
				if v, ok := r[f]; ok {
					str, _ := v.(string)
					hashes[f+"_hash"] = k.Hash(purpose, str)
				}
			}
		}
		return nil
	})
	return out, hashes, err
}

// sealNewPerson is sealRow for a new person p (an import's rows): it
// returns p's row as the file keeps it, and the look-up hashes in
// hashColumns' order (an absent value has the empty hash), nil on a clear
// database. The values are sealed before the row is made: a full small
// Go map grows into a table at any assignment, even to a key it holds,
// and an import makes 100,000 of them.
func (s *Store) sealNewPerson(p safeer.Person) (row, *[3]string, error) {
	var hashes *[3]string
	err := s.withKey(func(k *vault.Key) error {
		if k == nil {
			return nil
		}
		hashes = new([3]string)
		for i, f := range hashedPersonFields {
			if v := f.value(&p); *v != "" {
				hashes[i] = k.Hash(f.purpose, *v)
			}
		}
		rowKey := "person/" + p.ID
		for _, f := range sealedPersonFields {
			v := f.value(&p)
			if *v == "" {
				continue
			}
			sealed, err := k.Seal(rowKey, f.name, *v)
			if err != nil {
				return err
			}
			*v = sealed
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return newPersonRow(p), hashes, nil
}

// sealValue is sealRow for one column's value as SQL stores it.
func (s *Store) sealValue(table, id, field string, v any) (any, error) {
	if !isSealedField(table, field) {
		return v, nil
	}
	str, ok := v.(string)
	if !ok || str == "" {
		return v, nil
	}
	out := v
	err := s.withKey(func(k *vault.Key) error {
		if k == nil {
			return nil
		}
		sealed, err := k.Seal(table+"/"+id, field, str)
		out = sealed
		return err
	})
	return out, err
}

// hashValue is the look-up hash column and value of a person field as SQL
// stores it, or "" when the field has none or the database is clear.
func (s *Store) hashValue(table, field string, v any) (col, hash string) {
	purpose, ok := hashedFields[field]
	if table != safeer.TablePerson || !ok {
		return "", ""
	}
	str, _ := v.(string)
	s.vault.mu.RLock()
	defer s.vault.mu.RUnlock()
	if s.vault.keyID == "" || s.vault.key == nil {
		return "", ""
	}
	return field + "_hash", s.vault.key.Hash(purpose, str)
}

// openValue is what a sensitive column's stored value v of (table, id)
// holds: v itself when it is not sealed (a clear database, an empty value).
func (s *Store) openValue(table, id, field string, v any) (any, error) {
	if !isSealedField(table, field) {
		return v, nil
	}
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	str, ok := v.(string)
	if !ok || !vault.IsSealed(str) {
		return v, nil
	}
	var out any
	err := s.withKey(func(k *vault.Key) error {
		if k == nil {
			// A clear database holds no sealed values; a value that looks
			// like one was typed so.
			out = v
			return nil
		}
		plain, err := k.Open(table+"/"+id, field, str)
		out = plain
		return err
	})
	return out, err
}

// openString opens a sensitive string column in place.
func (s *Store) openString(table, id, field string, p *string) error {
	if *p == "" || !vault.IsSealed(*p) {
		return nil
	}
	v, err := s.openValue(table, id, field, *p)
	if err != nil {
		return err
	}
	*p, _ = v.(string)
	return nil
}

// openPerson opens p's sealed fields in place.
func (s *Store) openPerson(p *safeer.Person) error {
	for _, f := range [...]struct {
		name string
		v    *string
	}{{safeer.FieldCivilID, &p.CivilID}, {safeer.FieldPhone, &p.Phone}, {safeer.FieldEmail, &p.Email}, {safeer.FieldNotes, &p.Notes}} {
		if err := s.openString(safeer.TablePerson, p.ID, f.name, f.v); err != nil {
			return fmt.Errorf("person %s: %w", p.ID, err)
		}
	}
	return nil
}

// openSummary opens a roster line's sealed fields in place.
func (s *Store) openSummary(p *PersonSummary) error {
	for _, f := range [...]struct {
		name string
		v    *string
	}{{safeer.FieldCivilID, &p.CivilID}, {safeer.FieldPhone, &p.Phone}, {safeer.FieldEmail, &p.Email}} {
		if err := s.openString(safeer.TablePerson, p.ID, f.name, f.v); err != nil {
			return fmt.Errorf("person %s: %w", p.ID, err)
		}
	}
	return nil
}

// openOpFields opens the sealed values of an op's fields (an outbox or a
// refused op) in place, for the wire or a person to read. A conflict's
// winner and loser were sealed as the column holds them (JSON text) and
// come back as the value.
func (s *Store) openOpFields(table, id string, values map[string]any) error {
	fields := sealedFields[table]
	if fields == nil {
		return nil
	}
	for name, v := range values {
		if !fields[name] {
			continue
		}
		str, ok := v.(string)
		if !ok || !vault.IsSealed(str) {
			continue
		}
		plain, err := s.openValue(table, id, name, str)
		if err != nil {
			return fmt.Errorf("%s %s: %w", table, id, err)
		}
		if table == safeer.TableConflict {
			plain, _ = fromColumn(name, "ANY", plain)
		}
		values[name] = plain
	}
	return nil
}

// sealOpFields seals the sensitive values of an op's payload (JSON) for
// (table, id); fields sealed already are kept. It returns the payload to
// store.
func sealOpFields(k *vault.Key, table, id, payload string) (string, bool, error) {
	fields := sealedFields[table]
	if fields == nil {
		return payload, false, nil
	}
	var values map[string]any
	if err := json.Unmarshal([]byte(payload), &values); err != nil {
		return "", false, err
	}
	changed := false
	for name, v := range values {
		if !fields[name] || v == nil {
			continue
		}
		str, ok := v.(string)
		if ok && alreadySealed(k, table, id, name, str) {
			continue
		}
		if table == safeer.TableConflict {
			// As the column holds it: JSON text.
			b, _ := json.Marshal(v)
			str, ok = string(b), true
		}
		if !ok || str == "" {
			continue
		}
		sealed, err := k.Seal(table+"/"+id, name, str)
		if err != nil {
			return "", false, err
		}
		values[name] = sealed
		changed = true
	}
	if !changed {
		return payload, false, nil
	}
	out, err := encodeFields(row(values))
	return out, true, err
}

// alreadySealed reports whether v is a value sealed under k for (table,
// id, field): a clear value that merely looks sealed does not open.
func alreadySealed(k *vault.Key, table, id, field, v string) bool {
	if !vault.IsSealed(v) {
		return false
	}
	_, err := k.Open(table+"/"+id, field, v)
	return err == nil
}

// PeopleWith lists the live people whose field (civil_id, phone or email)
// is value, in any spelling a person types it (it is put in its stored
// spelling first). On a protected database it looks them up by the keyed
// hash column (and keeps those whose opened value is value: the hash is
// cut to 96 bits), on a clear one by the value; neither column has an
// index (migration 10): a scan of the roster.
func (s *Store) PeopleWith(ctx context.Context, field, value string) ([]safeer.Person, error) {
	var norm func(string) (string, error)
	switch field {
	case safeer.FieldCivilID:
		norm = input.CivilID
	case safeer.FieldPhone:
		norm = input.Phone
	case safeer.FieldEmail:
		norm = input.Email
	default:
		return nil, fmt.Errorf("internal: no look-up by %q", field)
	}
	v, err := norm(value)
	if err != nil || v == "" {
		return nil, err
	}
	col, arg := field, v
	if s.Protected() {
		if s.Locked() {
			return nil, errLocked()
		}
		col, arg = s.hashValue(safeer.TablePerson, field, v)
	}
	// col is one of the fixed names above.
	rows, err := s.db.QueryContext(ctx, `SELECT `+personColumns+` FROM person WHERE `+col+` = ? AND `+col+` != '' AND `+livePerson+` ORDER BY id`, arg)
	if err != nil {
		return nil, fmt.Errorf("look people up by %s: %w", field, err)
	}
	defer rows.Close()
	var out []safeer.Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err == nil {
			err = s.openPerson(&p)
		}
		if err != nil {
			return nil, err
		}
		if got := map[string]string{safeer.FieldCivilID: p.CivilID, safeer.FieldPhone: p.Phone, safeer.FieldEmail: p.Email}[field]; got == v {
			out = append(out, p)
		}
	}
	return out, rows.Err()
}
