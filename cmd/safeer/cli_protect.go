package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/vault"
)

// The passphrase of an encrypted database (issue 14). Headless commands
// take it from a file descriptor (--passphrase-fd N: a pipe a script
// opened, so it never shows in the process list or the shell's history),
// from an environment variable the caller names (--passphrase-env NAME),
// or from a prompt on the terminal, and refuse to run without it. It is
// never an argument itself: --passphrase is refused with words saying why.
//
// Every command that reads or writes the roster (withStore) works on an
// encrypted database only: a new database, or a clear one made by an
// older Safeer, is encrypted first with the passphrase from the same
// sources (on a terminal, asked twice), as `safeer protect` would, with
// its progress on stderr; killed midway, the next command finishes it.
// Exempt: help and version (no database), `certificates verify` (reads
// an existing database's revocations and public keys only, never makes
// one), `protect` itself and `passphrase change` (refuses a clear
// database). There is no way to run a command on a clear database: a
// throwaway database takes a throwaway passphrase (docs/SECURITY.md).

// passphraseFlags adds --passphrase-fd and --passphrase-env to fs.
func (m *Main) passphraseFlags(fs *flag.FlagSet) {
	fs.IntVar(&m.PassphraseFD, "passphrase-fd", m.PassphraseFD, "read the database's passphrase from this file descriptor (one line); a new or clear one is encrypted under it")
	fs.StringVar(&m.PassphraseEnv, "passphrase-env", m.PassphraseEnv, "read the database's passphrase from the environment variable of this name; a new or clear one is encrypted under it")
}

// refusePassphraseArgument refuses a passphrase given on the command line.
func refusePassphraseArgument(args []string) error {
	for _, a := range args {
		if a == "--" {
			break
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && (name == "passphrase" || name == "new-passphrase" || name == "password") {
			return message.NewError("cli.passphrase.argument")
		}
	}
	return nil
}

// unlock unlocks s when it is encrypted.
func (m *Main) unlock(ctx context.Context, s *data.Store) error {
	if !s.Locked() {
		return nil
	}
	pass, err := m.readPassphrase(m.PassphraseFD, m.PassphraseEnv, message.New("cli.passphrase.prompt"), false)
	if err != nil {
		return err
	}
	return s.Unlock(ctx, pass)
}

// errNoPassphrase is under the refusal of a command given no passphrase.
var errNoPassphrase = errors.New("no passphrase given")

// openProtected opens the command's database ready for personal data: an
// encrypted one unlocked; a new or clear one encrypted first under a new
// passphrase (see the top of this file). A new database's passphrase is
// read before the file is made, so a command refused for want of one (or
// for two that differ) leaves nothing behind.
func (m *Main) openProtected(ctx context.Context) (*data.Store, error) {
	path, err := m.dbPath()
	if err != nil {
		return nil, err
	}
	_, err = os.Stat(path)
	isNew := errors.Is(err, os.ErrNotExist)
	var pass string
	if isNew {
		if pass, err = m.newPassphrase(message.New("cli.protect.choose", message.Int("min", vault.MinPassphraseRunes))); err != nil {
			return nil, err
		}
	}
	s, err := data.Open(ctx, path, m.storeOptions()...)
	if err != nil {
		return nil, err
	}
	switch {
	case s.Protected():
		err = m.unlock(ctx, s)
	case isNew:
		// Nothing to seal and no progress to show; and nothing worth the
		// backup Protect keeps of what it encrypted (an empty database):
		// a file beside the roster nobody would know what to do with.
		if err = s.Protect(ctx, pass, nil); errors.Is(err, data.ErrProtected) {
			// Another Safeer made and encrypted it at the same moment.
			err = s.Unlock(ctx, pass)
		} else if err == nil {
			if rmErr := os.Remove(data.BackupBeforeProtect(s.Path())); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
				fmt.Fprintln(m.Stderr, rmErr)
			}
			fmt.Fprintln(m.Stderr, m.say(message.New("cli.protect.created", message.Latin("path", s.Path()), message.Latin("key", data.VaultKeyPath(s.Path())))))
		}
	default:
		err = m.protectFirst(ctx, s)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// protectFirst encrypts the clear database s, made by an older Safeer,
// before a command uses it, saying so on stderr (stdout is the command's,
// --json included).
func (m *Main) protectFirst(ctx context.Context, s *data.Store) error {
	pass, err := m.newPassphrase(message.New("cli.protect.first"))
	if err != nil {
		return err
	}
	if !m.fromTerminal() {
		// On a terminal it was said before the prompt.
		fmt.Fprintln(m.Stderr, m.say(message.New("cli.protect.first")))
	}
	if err := m.protect(ctx, s, pass); errors.Is(err, data.ErrProtected) {
		// Another Safeer encrypted it while this one waited (the app's
		// first start, another command): open it as encrypted.
		return s.Unlock(ctx, pass)
	} else if err != nil {
		return err
	}
	fmt.Fprintln(m.Stderr, m.say(m.protectedMessage(s)))
	return nil
}

// newPassphrase reads the passphrase a new or clear database is to be
// encrypted under, from --passphrase-fd, --passphrase-env or the terminal
// (saying why first, and asking twice), or refuses the command.
func (m *Main) newPassphrase(why message.Message) (string, error) {
	if !m.hasPassphraseSource() {
		return "", message.Wrap(errNoPassphrase, "cli.passphrase.needed_clear")
	}
	if m.fromTerminal() {
		fmt.Fprintln(m.Stderr, m.say(why))
	}
	return m.readPassphrase(m.PassphraseFD, m.PassphraseEnv, message.New("cli.passphrase.new"), true)
}

// hasPassphraseSource reports whether a passphrase can be had: a
// descriptor, a variable, or a terminal to ask on.
func (m *Main) hasPassphraseSource() bool {
	return m.PassphraseFD >= 0 || m.PassphraseEnv != "" || m.terminal()
}

// fromTerminal reports whether the passphrase is to be asked on the
// terminal: neither --passphrase-fd nor --passphrase-env was given.
func (m *Main) fromTerminal() bool { return m.PassphraseFD < 0 && m.PassphraseEnv == "" }

// terminal reports whether the prompt has a terminal to read from.
func (m *Main) terminal() bool {
	return m.Stdin != nil && term.IsTerminal(int(m.Stdin.Fd()))
}

// protect encrypts s under pass with progress on stderr.
func (m *Main) protect(ctx context.Context, s *data.Store, pass string) error {
	last := -1
	return s.Protect(ctx, pass, func(done, total int) {
		// At most a line per tenth (data.Store.Protect reports every 500
		// records), and the last: for a log or a terminal.
		if step := done * 10 / max(total, 1); step != last || done == total {
			last = step
			fmt.Fprintln(m.Stderr, m.say(message.New("cli.protect.progress", message.Int("done", done), message.Int("total", total))))
		}
	})
}

// protectedMessage says where the key file and the backup of s are.
func (m *Main) protectedMessage(s *data.Store) message.Message {
	return message.New("cli.protect.done", message.Latin("key", data.VaultKeyPath(s.Path())), message.Latin("backup", data.BackupBeforeProtect(s.Path())))
}

// readPassphrase reads a passphrase from fd (if >= 0), else the variable
// env (if set), else the terminal, prompting with the message prompt (twice
// when confirm). A run reads a descriptor once: the same passphrase serves
// every store it opens.
func (m *Main) readPassphrase(fd int, env string, prompt message.Message, confirm bool) (string, error) {
	if fd >= 0 {
		if fd == m.PassphraseFD && m.passphrase != nil {
			return *m.passphrase, nil
		}
		f := os.NewFile(uintptr(fd), "passphrase")
		if f == nil {
			return "", message.NewError("cli.passphrase.fd", message.Int("fd", fd), message.Latin("cause", "not open"))
		}
		line, err := bufio.NewReader(io.LimitReader(f, 4096)).ReadString('\n')
		f.Close()
		if err != nil && !errors.Is(err, io.EOF) {
			return "", message.Wrap(err, "cli.passphrase.fd", message.Int("fd", fd), message.Latin("cause", err.Error()))
		}
		pass := strings.TrimRight(line, "\r\n")
		if fd == m.PassphraseFD {
			m.passphrase = &pass
		}
		return pass, nil
	}
	if env != "" {
		pass := os.Getenv(env)
		if pass == "" {
			return "", message.NewError("cli.passphrase.env_empty", message.Latin("name", env))
		}
		return pass, nil
	}
	in := m.Stdin
	if !m.terminal() {
		return "", message.Wrap(errNoPassphrase, "cli.passphrase.needed")
	}
	ask := func(msg message.Message) (string, error) {
		fmt.Fprint(m.Stderr, m.say(msg))
		b, err := term.ReadPassword(int(in.Fd()))
		fmt.Fprintln(m.Stderr)
		return string(b), err
	}
	pass, err := ask(prompt)
	if err != nil {
		return "", err
	}
	if confirm {
		again, err := ask(message.New("cli.passphrase.again"))
		if err != nil {
			return "", err
		}
		if again != pass {
			return "", message.NewError("cli.passphrase.mismatch")
		}
	}
	return pass, nil
}

// runProtect encrypts a clear database in place (data.Store.Protect): a
// backup copy first, then the personal data sealed, with progress on
// stderr; an interrupted run is finished by the next one.
func (m *Main) runProtect(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("protect", flag.ContinueOnError)
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := exactly(0, pos, "no arguments"); err != nil {
		return err
	}
	s, err := m.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if s.Protected() {
		return message.Wrap(data.ErrProtected, "data.vault.protected")
	}
	pass, err := m.newPassphrase(message.New("cli.protect.choose_clear", message.Int("min", vault.MinPassphraseRunes)))
	if err != nil {
		return err
	}
	if err := m.protect(ctx, s, pass); err != nil {
		return err
	}
	msg := m.protectedMessage(s)
	if m.JSON {
		m.printJSON(m.Stdout, map[string]any{"protected": true, "key_file": data.VaultKeyPath(s.Path()),
			"backup": data.BackupBeforeProtect(s.Path()), "en": msg.English(), "ar": msg.Arabic()})
		return nil
	}
	fmt.Fprintln(m.Stdout, m.say(msg))
	return nil
}

// runPassphrase changes the passphrase: the current one as for any
// command, the new one from --new-passphrase-fd, --new-passphrase-env or
// the terminal (asked twice).
func (m *Main) runPassphrase(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("passphrase", flag.ContinueOnError)
	newFD := fs.Int("new-passphrase-fd", -1, "read the new passphrase from this file descriptor (one line)")
	newEnv := fs.String("new-passphrase-env", "", "read the new passphrase from the environment variable of this name")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := exactly(1, pos, "passphrase change"); err != nil {
		return err
	}
	if pos[0] != "change" {
		return usagef("unknown passphrase command %q (try: change)", pos[0])
	}
	if *newFD >= 0 && *newFD == m.PassphraseFD {
		return usagef("the new passphrase needs a file descriptor of its own (--new-passphrase-fd %s is also --passphrase-fd)", strconv.Itoa(*newFD))
	}
	s, err := m.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if !s.Protected() {
		return message.Wrap(data.ErrNotProtected, "data.vault.not_protected")
	}
	old, err := m.readPassphrase(m.PassphraseFD, m.PassphraseEnv, message.New("cli.passphrase.prompt"), false)
	if err != nil {
		return err
	}
	pass, err := m.readPassphrase(*newFD, *newEnv, message.New("cli.passphrase.new"), true)
	if err != nil {
		return err
	}
	if err := s.ChangePassphrase(ctx, old, pass); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, m.say(message.New("cli.passphrase.changed")))
	return nil
}

// runEscrow wraps the data key to HQ's recovery key (an age public key,
// from safeer-hq recovery-key), so HQ can recover the database if the
// passphrase is forgotten.
func (m *Main) runEscrow(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("escrow", flag.ContinueOnError)
	recipient := fs.String("recipient", "", "HQ's recovery key: an age public key (age1…)")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := exactly(0, pos, "no arguments"); err != nil {
		return err
	}
	if *recipient == "" {
		return usagef("escrow: --recipient age1… is required")
	}
	return m.withStore(ctx, func(s *data.Store) error {
		if err := s.Escrow(ctx, *recipient); err != nil {
			return err
		}
		fmt.Fprintln(m.Stdout, m.say(message.New("cli.escrowed", message.Latin("recipient", strings.TrimSpace(*recipient)))))
		return nil
	})
}
