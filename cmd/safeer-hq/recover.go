package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"filippo.io/age"

	"github.com/oman-sca/safeer/internal/privfile"
	"github.com/oman-sca/safeer/vault"
)

// Recovery of a laptop whose passphrase was forgotten (issue 14). HQ keeps
// an age identity (safeer-hq recovery-key makes it, 0600; keep it offline,
// like HQ's signing key); a laptop entrusts its data key to the identity's
// public key (safeer escrow --recipient age1…). Given the laptop's key
// file (FILE.db.vault: the data key wrapped under the passphrase and to
// HQ), safeer-hq recover opens the key with the identity and wraps it under
// a new passphrase; the data is not touched, and nobody without the
// identity can do it.

// runRecoveryKey makes HQ's recovery identity at --out and prints its
// public key.
func (m *Main) runRecoveryKey(ctx context.Context, args []string) error {
	f := m.newFlags("recovery-key")
	out := f.String("out", "", "file to write the new age identity to (0600; must not exist)")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("recovery-key: --out FILE is required")
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("%s exists already: a recovery key is never overwritten (laptops may be entrusted to it)", *out)
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return err
	}
	if err := privfile.Write(*out, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "# safeer HQ recovery key; public key: %s\n%s\n", id.Recipient(), id)
		return err
	}); err != nil {
		return fmt.Errorf("write the recovery key: %w", err)
	}
	fmt.Fprintln(m.Stdout, id.Recipient())
	return nil
}

// runRecover sets a new passphrase on a laptop's key file with HQ's
// recovery identity.
func (m *Main) runRecover(ctx context.Context, args []string) error {
	f := m.newFlags("recover")
	keyFile := f.String("key-file", "", "the laptop's key file (the database's path + .vault)")
	identity := f.String("identity", "", "HQ's recovery key file (from safeer-hq recovery-key)")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if *keyFile == "" || *identity == "" {
		return usagef("recover: --key-file FILE and --identity FILE are required")
	}
	kf, err := vault.Load(*keyFile)
	if err != nil {
		return err
	}
	idText, err := readIdentity(*identity)
	if err != nil {
		return err
	}
	k, err := kf.Recover(idText)
	if err != nil {
		return err
	}
	defer k.Forget()
	pass, err := m.readPassphrase()
	if err != nil {
		return err
	}
	if err := kf.SetPassphrase(k, pass, kf.KDF.Params); err != nil {
		return err
	}
	if err := vault.Save(*keyFile, kf); err != nil {
		return fmt.Errorf("save %s: %w", *keyFile, err)
	}
	fmt.Fprintf(m.Stdout, "%s now opens with the new passphrase; give it to the coordinator, who should change it (safeer passphrase change).\n", *keyFile)
	return nil
}

// readIdentity is the AGE-SECRET-KEY line of an identity file.
func readIdentity(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read the recovery key: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, "AGE-SECRET-KEY-") {
			return line, nil
		}
	}
	return "", fmt.Errorf("%s holds no age secret key (AGE-SECRET-KEY-1…)", path)
}

// readPassphrase reads the laptop's new passphrase: asked twice without
// echo on a terminal, else the first line of stdin.
func (m *Main) readPassphrase() (string, error) {
	if f, ok := m.Stdin.(*os.File); ok && isTerminal(f) {
		fmt.Fprintf(m.Stderr, "New passphrase for the laptop (at least %d characters): ", vault.MinPassphraseRunes)
		pass, err := readNoEcho(f)
		fmt.Fprintln(m.Stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(m.Stderr, "Again: ")
		again, err := readNoEcho(f)
		fmt.Fprintln(m.Stderr)
		if err != nil {
			return "", err
		}
		if again != pass {
			return "", errors.New("the two passphrases differ; nothing was changed")
		}
		return pass, nil
	}
	if m.Stdin == nil {
		return "", errors.New("give the new passphrase on stdin")
	}
	line, err := bufio.NewReader(io.LimitReader(m.Stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the new passphrase from stdin: %w", err)
	}
	pass := strings.TrimRight(line, "\r\n")
	if pass == "" {
		return "", errors.New("no passphrase on stdin (pipe it in, or run on a terminal to be asked)")
	}
	return pass, nil
}
