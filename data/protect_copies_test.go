package data

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/oman-sca/safeer/vault"
)

// toSchema7 turns the closed database at path back into schema version 7
// (before migration 8 added the look-up hashes, migration 9 the
// credentials and migration 10 dropped the hashes' indexes), so the next Open upgrades it and keeps a migration backup
// first.
func toSchema7(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`
DROP TABLE credential;
ALTER TABLE person DROP COLUMN civil_id_hash;
ALTER TABLE person DROP COLUMN phone_hash;
ALTER TABLE person DROP COLUMN email_hash;
PRAGMA user_version = 7;`); err != nil {
		t.Fatal(err)
	}
}

// allFiles lists every regular file under dir, in sub-folders too.
func allFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestProtectRemovesClearCopies: a database upgraded from an older schema
// (so a clear migration backup lies beside it) that a killed copy also
// left a torn clear copy of, then protected: no file in the folder holds
// a person's civil ID, phone, e-mail or notes, whether Protect finishes at
// once or is stopped at any step of the removal and finished by the next
// Open. The pre-protect backup is kept (encrypted); a migration backup
// made after Protect is of the protected file and is kept too.
func TestProtectRemovesClearCopies(t *testing.T) {
	ctx := context.Background()
	for _, stopAt := range []string{"", "backup-renamed", "copy-shredded"} {
		t.Run("stop at "+stopAt, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "safeer.db")
			s := openAt(t, path)
			var ids []string
			for _, p := range protectedPeople {
				ids = append(ids, mustAdd(t, s, p).ID)
			}
			s.Close()
			toSchema7(t, path)
			stop := errors.New("stopped")
			s = openAt(t, path, WithProtectSteps(func(at string) error {
				if at == stopAt {
					return stop
				}
				return nil
			}))
			baks, _ := filepath.Glob(path + ".v7-*.bak")
			if len(baks) != 1 {
				t.Fatalf("migration backups %v, want one", baks)
			}
			if b, _ := os.ReadFile(baks[0]); !bytes.Contains(b, []byte(protectedPeople[0].Phone)) {
				t.Fatal("the test needs a clear migration backup")
			}
			// A copy torn by a kill, in its private folder.
			torn := filepath.Join(dir, ".safeer-backup-123", "copy.db")
			if err := os.Mkdir(filepath.Dir(torn), 0o700); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(baks[0])
			if err := os.WriteFile(torn, b[:len(b)/2+4096], 0o600); err != nil {
				t.Fatal(err)
			}

			err := s.Protect(ctx, testPassphrase, nil)
			if stopAt == "" && err != nil {
				t.Fatal(err)
			}
			if stopAt != "" {
				if !errors.Is(err, stop) {
					t.Fatalf("protect: %v", err)
				}
				s.index.close()
				s.db.Close() // killed: the next Open finishes
				s = openAt(t, path)
				if err := s.Unlock(ctx, testPassphrase); err != nil {
					t.Fatal(err)
				}
			}
			files := allFiles(t, dir)
			assertNoneInFiles(t, protectedPeople, files...)
			if _, err := os.Stat(baks[0]); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("clear migration backup still there: %v", err)
			}
			if _, err := os.Stat(filepath.Dir(torn)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("torn copy's folder still there: %v", err)
			}
			if !protectedCopy(ctx, BackupBeforeProtect(path)) {
				t.Error("the pre-protect backup is not an encrypted copy")
			}
			for i, id := range ids {
				if p, err := s.Person(ctx, id); err != nil || p.Phone != protectedPeople[i].Phone {
					t.Fatalf("person after protect: %+v %v", p, err)
				}
			}

			// An upgrade of the protected database keeps a backup of the
			// protected file: kept, and as sealed.
			s.Close()
			toSchema7(t, path)
			s = openAt(t, path)
			later, _ := filepath.Glob(path + ".v7-*.bak")
			if len(later) != 1 || !protectedCopy(ctx, later[0]) {
				t.Fatalf("migration backups of the protected file %v: want one, protected", later)
			}
			for _, f := range allFiles(t, dir) {
				if strings.HasSuffix(f, ".bak") && !protectedCopy(ctx, f) {
					t.Errorf("%s is a clear copy", filepath.Base(f))
				}
			}
			assertNoneInFiles(t, protectedPeople, allFiles(t, dir)...)
		})
	}
}

// TestEscrowWhenProtectedAndEnrolled: HQ's recovery key, kept before
// Protect, gets the data key at Protect; kept while locked, at the next
// Unlock; a passphrase change keeps it (the key is the same); a bad key
// is refused.
func TestEscrowWhenProtectedAndEnrolled(t *testing.T) {
	ctx := context.Background()
	id1, _ := age.GenerateX25519Identity()
	id2, _ := age.GenerateX25519Identity()
	path := filepath.Join(t.TempDir(), "safeer.db")
	s := openAt(t, path)
	mustAdd(t, s, protectedPeople[0])
	if err := s.SetEscrowRecipient(ctx, "age1nonsense"); err == nil {
		t.Fatal("a bad recovery key was kept")
	}
	if err := s.SetEscrowRecipient(ctx, id1.Recipient().String()); err != nil {
		t.Fatal(err)
	}
	if err := s.Protect(ctx, testPassphrase, nil); err != nil {
		t.Fatal(err)
	}
	escrowedTo := func() string {
		kf, err := vault.Load(VaultKeyPath(path))
		if err != nil {
			t.Fatal(err)
		}
		return kf.HQRecipient
	}
	if got := escrowedTo(); got != id1.Recipient().String() {
		t.Fatalf("after Protect escrowed to %q", got)
	}
	s.Lock()
	if err := s.SetEscrowRecipient(ctx, id2.Recipient().String()); err != nil {
		t.Fatal(err)
	}
	if got := escrowedTo(); got != id1.Recipient().String() {
		t.Fatalf("escrowed while locked: %q", got)
	}
	if err := s.Unlock(ctx, testPassphrase); err != nil {
		t.Fatal(err)
	}
	if got := escrowedTo(); got != id2.Recipient().String() {
		t.Fatalf("after Unlock escrowed to %q", got)
	}
	if err := s.ChangePassphrase(ctx, testPassphrase, "another one"); err != nil {
		t.Fatal(err)
	}
	kf, _ := vault.Load(VaultKeyPath(path))
	k, err := kf.Recover(id2.String())
	if err != nil || k.ID() != kf.KeyID {
		t.Fatalf("HQ's key does not open the key after a passphrase change: %v", err)
	}
}
