package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/oman-sca/safeer/credential"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/web"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // the command ran and failed
	exitUsage = 2 // the command line was wrong
)

// defaultDB is the database when neither --db nor SAFEER_HQ_DB names one.
const defaultDB = "safeer-hq.db"

// Main holds what every command needs. It is all of the program but
// flag-parsing glue: the work is in package hq.
type Main struct {
	Stdin          io.Reader // passwords for safeer-hq admin
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Now            func() time.Time
	// Ready is called with the address serve listens on (tests use port 0).
	Ready func(net.Addr)
}

// NewMain returns a Main writing to stdout and stderr.
func NewMain(stdout, stderr io.Writer) *Main {
	return &Main{Stdin: os.Stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv, Now: time.Now}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

type command struct {
	name, args, help string
	run              func(m *Main, ctx context.Context, args []string) error
}

func (m *Main) commands() []command {
	return []command{
		{"serve", "[--addr HOST:PORT] [--db DSN] [--key FILE] [--tls-cert F --tls-key F] [--insecure-http] [--secure-cookies] [--trusted-proxy ADDR[,ADDR…]] [--public-url https://HOST]",
			"serve the sync API, the verification page (/verify) and the console (/admin/); plain HTTP only on loopback unless --insecure-http;\n" +
				"                 X-Forwarded-For and X-Forwarded-Proto are believed only from a --trusted-proxy (IPs or CIDRs);\n" +
				"                 --public-url: HQ's did:web (/.well-known/did.json) and credential revocation list", (*Main).runServe},
		{"enrol", "--governorate CODE [--governorate …] --name TEXT [--db DSN]",
			"make a one-time code (valid 7 days) a device trades for its token", (*Main).runEnrol},
		{"devices", "[--db DSN] [--json]", "list devices, their last sync and unresolved conflicts", (*Main).runDevices},
		{"revoke", "DEVICE [--db DSN]", "revoke a device: its next request gets 401 device_revoked", (*Main).runRevoke},
		{"key", "[--db DSN] [--key FILE] [--hex]", "print HQ's public key (base64url; --hex for hex), made on first use", (*Main).runKey},
		{"reset-epoch", "[--db DSN]", "after restoring HQ's database from a backup: every device pushes, then pulls everything again", (*Main).runResetEpoch},
		{"sync", "import FILE… [--reply-dir DIR] [--db DSN] [--key FILE]",
			"read sync files carried from devices with no network; write HQ's sealed reply next to each (or into DIR)", (*Main).runSync},
		{"verify-credential", "FILE.jwt|FILE.png|- --public-url https://HOST [--db DSN] [--key FILE] [--json]",
			"check an Open Badges credential (or a badge with one baked in) as /verify.json does: valid, revoked, not ours or invalid", (*Main).runVerifyCredential},
		{"admin", "add|passwd|disable NAME | list [--db DSN]",
			"console accounts: add one (password from stdin, or asked for twice), change a password, disable one, list them", (*Main).runAdmin},
		{"recovery-key", "--out FILE", "make HQ's recovery key for laptops' data keys; prints its public key (for safeer escrow)", (*Main).runRecoveryKey},
		{"recover", "--key-file FILE.db.vault --identity FILE", "set a new passphrase (stdin, or asked twice) on a laptop's key file with HQ's recovery key", (*Main).runRecover},
	}
}

// Run runs a command and returns the exit code.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		m.usage(m.Stderr)
		return exitUsage
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" {
		m.usage(m.Stdout)
		return exitOK
	}
	for _, c := range m.commands() {
		if c.name == name {
			return m.fail(c.run(m, ctx, args[1:]))
		}
	}
	return m.fail(usagef("unknown command %q", name))
}

// fail prints err in words and returns the exit code; a Go error never
// reaches a person raw, nor does a stack trace.
func (m *Main) fail(err error) int {
	if err == nil {
		return exitOK
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(m.Stderr, "safeer-hq: %s\n", ue.msg)
		fmt.Fprintln(m.Stderr, "Run 'safeer-hq help' for the commands.")
		return exitUsage
	}
	fmt.Fprintf(m.Stderr, "safeer-hq: %s\n", err)
	return exitFail
}

// flags is a command's flag set with the flags every command shares.
type flags struct {
	*flag.FlagSet
	db string
}

func (m *Main) newFlags(name string) *flags {
	f := &flags{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError)}
	f.SetOutput(io.Discard)
	db := m.Getenv("SAFEER_HQ_DB")
	if db == "" {
		db = defaultDB
	}
	f.StringVar(&f.db, "db", db, "database: SQLite file path or postgres:// URL")
	return f
}

// parse parses flags before, between and after positional arguments and
// returns the positionals.
func (f *flags) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				var b strings.Builder
				f.VisitAll(func(fl *flag.Flag) { fmt.Fprintf(&b, "  --%s  %s\n", fl.Name, fl.Usage) })
				return nil, usagef("%s: flags:\n%s", f.Name(), b.String())
			}
			return nil, usagef("%s: %s", f.Name(), err)
		}
		if f.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, f.Arg(0))
		args = f.Args()[1:]
	}
}

func noArgs(name string, pos []string) error {
	if len(pos) > 0 {
		return usagef("%s: unexpected argument %q", name, pos[0])
	}
	return nil
}

// withStore opens the database, runs fn and closes it.
func (m *Main) withStore(ctx context.Context, dsn string, fn func(hq.Store) error) error {
	st, err := openStore(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(st)
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, strings.Split(s, ",")...); return nil }

func (m *Main) runServe(ctx context.Context, args []string) error {
	f := m.newFlags("serve")
	addr := f.String("addr", "127.0.0.1:8443", "HOST:PORT to listen on")
	keyPath := f.String("key", "", "HQ's signing key file (default: next to a SQLite database, or in the config folder)")
	cert := f.String("tls-cert", "", "TLS certificate (PEM)")
	tlsKey := f.String("tls-key", "", "TLS private key (PEM)")
	insecure := f.Bool("insecure-http", false, "allow plain HTTP on a non-loopback address")
	recovery := f.String("recovery-recipient", "", "HQ's recovery key's public half (age1…, printed by recovery-key): enrolled laptops entrust their data key to it")
	secureCookies := f.Bool("secure-cookies", false, "mark the console's cookies Secure although HQ serves plain HTTP (behind a TLS proxy)")
	publicURL := f.String("public-url", "", "HQ's public https:// address: its did:web, which issues the certificates' Open Badges credentials")
	var proxies stringList
	f.Var(&proxies, "trusted-proxy", "reverse proxy whose X-Forwarded-For and X-Forwarded-Proto are believed: IPs or CIDR prefixes, comma-separated or repeated")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if err := noArgs("serve", pos); err != nil {
		return err
	}
	trusted, err := web.ParseTrustedProxies(strings.Join(proxies, ","))
	if err != nil {
		return usagef("serve: --trusted-proxy: %s", err)
	}
	// Check the address before opening anything, so a typo costs nothing.
	if err := hq.CheckListen(*addr, *cert != "" || *tlsKey != "", *insecure); err != nil {
		return err
	}
	key, err := m.loadKey(f.db, *keyPath)
	if err != nil {
		return err
	}
	var issuer *credential.Issuer
	if *publicURL != "" {
		if issuer, err = web.NewIssuer(*publicURL, key); err != nil {
			return usagef("serve: %s", err)
		}
	}
	log := slog.New(slog.NewTextHandler(m.Stderr, nil))
	return m.withStore(ctx, f.db, func(st hq.Store) error {
		// With a public address HQ issues the certificates' credentials:
		// the server writes through their store, which wakes the issuer.
		var creds *hq.Credentials
		if issuer != nil {
			if creds, err = hq.NewCredentials(st, issuer, hq.CredentialOptions{Logger: log, Now: m.Now}); err != nil {
				return err
			}
			st = creds.Store()
			// The issuer stops before the store closes.
			runCtx, stopRun := context.WithCancel(ctx)
			stopped := make(chan struct{})
			go func() { creds.Run(runCtx); close(stopped) }()
			defer func() { stopRun(); <-stopped }()
		}
		srv, err := hq.NewServer(ctx, st, key, hq.Options{Logger: log, Now: m.Now, RecoveryRecipient: *recovery})
		if err != nil {
			return err
		}
		site, err := web.New(web.Config{Server: srv, SecureCookies: *secureCookies || *cert != "", TrustedProxies: trusted,
			Credentials: issuer, Issued: creds})
		if err != nil {
			return err
		}
		return hq.Serve(ctx, hq.ServeConfig{Addr: *addr, TLSCert: *cert, TLSKey: *tlsKey,
			InsecureHTTP: *insecure, Logger: log, Ready: m.Ready}, site.Handler())
	})
}

func (m *Main) loadKey(dsn, path string) (ed25519.PrivateKey, error) {
	if path == "" {
		var err error
		if path, err = hq.DefaultKeyPath(dsn); err != nil {
			return nil, err
		}
	}
	return hq.LoadOrCreateKey(path)
}

func (m *Main) runEnrol(ctx context.Context, args []string) error {
	f := m.newFlags("enrol")
	var govs stringList
	f.Var(&govs, "governorate", "governorate code the device works in (repeat for more)")
	name := f.String("name", "", "whose device it is, for the devices list")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if err := noArgs("enrol", pos); err != nil {
		return err
	}
	if len(govs) == 0 {
		return usagef("enrol: give --governorate CODE (e.g. OM-MA)")
	}
	if strings.TrimSpace(*name) == "" {
		return usagef("enrol: give --name TEXT (whose device it is)")
	}
	return m.withStore(ctx, f.db, func(st hq.Store) error {
		code, expires, err := hq.CreateEnrolment(ctx, st, govs, *name, hq.CLI, m.Now())
		if err != nil {
			return err
		}
		fmt.Fprintln(m.Stdout, code)
		fmt.Fprintf(m.Stderr, "One-time code for %s (%s), valid until %s.\nOn the device: safeer enrol --hq URL --code %s\n",
			strings.TrimSpace(*name), strings.Join(hq.NormaliseScopes(govs), ", "), expires.Local().Format("2006-01-02 15:04"), code)
		return nil
	})
}

func (m *Main) runDevices(ctx context.Context, args []string) error {
	f := m.newFlags("devices")
	asJSON := f.Bool("json", false, "machine-readable output")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if err := noArgs("devices", pos); err != nil {
		return err
	}
	return m.withStore(ctx, f.db, func(st hq.Store) error {
		devs, err := hq.ListDevices(ctx, st)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(m.Stdout)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			return enc.Encode(devs)
		}
		if len(devs) == 0 {
			fmt.Fprintln(m.Stdout, "No devices yet: make a code with safeer-hq enrol.")
			return nil
		}
		tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tGOVERNORATES\tSTATUS\tLAST PUSH\tLAST PULL\tCONFLICTS")
		for _, d := range devs {
			status := "active"
			if d.RevokedAt != nil {
				status = "revoked " + d.RevokedAt.Local().Format("2006-01-02")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", d.ID, d.Name, strings.Join(d.Governorates, ","),
				status, when(d.LastPush), when(d.LastPull), d.PendingConflicts)
		}
		return tw.Flush()
	})
}

func when(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04")
}

func (m *Main) runRevoke(ctx context.Context, args []string) error {
	f := m.newFlags("revoke")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("revoke: name one device (its id, from safeer-hq devices)")
	}
	return m.withStore(ctx, f.db, func(st hq.Store) error {
		d, err := hq.RevokeDevice(ctx, st, pos[0], hq.CLI, m.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "Revoked %s (%s) as of %s: its next sync is refused; it keeps its data.\n",
			d.ID, d.Name, d.RevokedAt.Local().Format("2006-01-02 15:04"))
		return nil
	})
}

func (m *Main) runKey(ctx context.Context, args []string) error {
	f := m.newFlags("key")
	keyPath := f.String("key", "", "HQ's signing key file (default: next to a SQLite database, or in the config folder)")
	asHex := f.Bool("hex", false, "print hex instead of base64url")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if err := noArgs("key", pos); err != nil {
		return err
	}
	key, err := m.loadKey(f.db, *keyPath)
	if err != nil {
		return err
	}
	pub := key.Public().(ed25519.PublicKey)
	if *asHex {
		fmt.Fprintln(m.Stdout, hex.EncodeToString(pub))
	} else {
		fmt.Fprintln(m.Stdout, hq.EncodePublicKey(pub))
	}
	return nil
}

func (m *Main) runResetEpoch(ctx context.Context, args []string) error {
	f := m.newFlags("reset-epoch")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if err := noArgs("reset-epoch", pos); err != nil {
		return err
	}
	return m.withStore(ctx, f.db, func(st hq.Store) error {
		epoch, err := hq.ResetEpoch(ctx, st, hq.CLI, m.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "New epoch %s: every device will push its changes, then pull everything again.\n", epoch)
		return nil
	})
}
