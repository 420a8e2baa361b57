// Package protected is the one place the tests that run the real safeer
// (cmd/safeer's, e2e's) get their databases' passphrase from (issue 14).
//
// Every headless command works on an encrypted database only: it unlocks
// one with the passphrase, and encrypts a new or clear one first. Tests
// give the passphrase as a coordinator's script would, through
// --passphrase-env (Args, Env): the binary reads no test variable of its
// own. Argon2id is calibrated to ~0.5 s on the computer that encrypts a
// database, and the parameters are stored in its key file; so that the
// hundreds of commands a test suite runs do not pay that each time, Create
// makes test databases through the data API with data.WithKDF's cheap
// parameters (KDF), which every later unlock, by the binary too, then
// uses. The commands' own encryption of a new or clear database, with the
// calibrated parameters, is tested in cmd/safeer (TestCommandsProtectFirst).
package protected

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/vault"
)

// Passphrase is every test database's passphrase.
const Passphrase = "the passphrase of a test database"

// EnvName is the environment variable tests put Passphrase in (Env) for
// --passphrase-env (Args).
const EnvName = "SAFEER_TEST_PASSPHRASE"

// KDF are argon2id's cheapest parameters the vault accepts (one pass over
// 8 KiB): a test database unlocks in well under a millisecond. Only for
// throwaway databases: they give no protection against guessing.
var KDF = vault.Params{Time: 1, MemoryKiB: 8, Threads: 1}

// Options are the data options that make a store encrypt with KDF; give
// them to data.Open (or to cmd/safeer's Main.StoreOptions) for a database
// the test makes.
func Options() []data.Option { return []data.Option{data.WithKDF(KDF)} }

// Args are the global flags that give safeer the passphrase from Env.
func Args() []string { return []string{"--passphrase-env", EnvName} }

// Env is the environment entry holding the passphrase, for exec.Cmd.Env.
func Env() string { return EnvName + "=" + Passphrase }

// Create makes an empty encrypted database at path (with KDF), or does
// nothing when path is an encrypted database already. A clear database at
// path is an error: tests that want one being encrypted by a command make
// it themselves.
func Create(ctx context.Context, path string) error {
	_, err := os.Stat(path)
	existed := err == nil
	s, err := data.Open(ctx, path, Options()...)
	if err != nil {
		return err
	}
	defer s.Close()
	switch {
	case s.Protected():
		return nil
	case existed:
		return fmt.Errorf("protected.Create: %s is a clear database", path)
	}
	return s.Protect(ctx, Passphrase, nil)
}

// Open opens the encrypted database at path and unlocks it with
// Passphrase, as an in-process test reads or edits a database the binary
// also runs on.
func Open(ctx context.Context, path string, opts ...data.Option) (*data.Store, error) {
	if _, err := os.Stat(data.VaultKeyPath(path)); err != nil {
		return nil, fmt.Errorf("protected.Open: %s has no key file: %w", path, err)
	}
	s, err := data.Open(ctx, path, append(Options(), opts...)...)
	if err != nil {
		return nil, err
	}
	if !s.Protected() {
		s.Close()
		return nil, errors.New("protected.Open: " + path + " is not encrypted")
	}
	if err := s.Unlock(ctx, Passphrase); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}
