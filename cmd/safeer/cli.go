package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/message"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // the command ran and failed (bad data, missing file, …)
	exitUsage = 2 // the command line itself was wrong
)

// Main holds what every command needs: where to write and which database.
type Main struct {
	Stdout, Stderr io.Writer
	DBPath         string
	JSON           bool
	// InitLog is what packages logged while the program initialised (held
	// back by internal/initlog): Fyne's complaints about the locale. The app
	// prints it; the headless commands, which do not use Fyne, do not.
	InitLog []byte
	// Langs are the languages errors are printed in, one after the
	// other, from the catalogue (package message). main sets the one of
	// the environment (LC_ALL, LC_MESSAGES, LANG: Arabic for ar*, else
	// English); a Main made by NewMain prints both. Usage and help are
	// English.
	Langs []message.Lang
	// PassphraseFD and PassphraseEnv say where an encrypted database's
	// passphrase comes from (--passphrase-fd, --passphrase-env), else a
	// prompt on the terminal (cli_protect.go). Stdin is where the prompt
	// reads; main sets it to os.Stdin.
	PassphraseFD  int
	PassphraseEnv string
	Stdin         *os.File
	passphrase    *string // read once a run
	// StoreOptions are given to data.Open for every command: the tests
	// that kill protect at each step watch it with data.WithProtectSteps.
	StoreOptions []data.Option
}

// NewMain returns a Main writing to stdout and stderr, printing errors in
// English and Arabic.
func NewMain(stdout, stderr io.Writer) *Main {
	return &Main{Stdout: stdout, Stderr: stderr, Langs: []message.Lang{message.English, message.Arabic}, PassphraseFD: -1}
}

// say is m in each of the languages of errors, a line each.
func (m *Main) say(msg message.Message) string {
	langs := m.Langs
	if len(langs) == 0 {
		langs = []message.Lang{message.English}
	}
	lines := make([]string, len(langs))
	for i, l := range langs {
		lines[i] = msg.In(l)
	}
	return strings.Join(lines, "\n")
}

// usageError is a mistake in the command line; it exits 2 with usage.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// errQuiet fails a command that has already said why on stdout.
var errQuiet = errors.New("failed")

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// command is one subcommand.
type command struct {
	name, args, help string
	run              func(m *Main, ctx context.Context, args []string) error
}

func (m *Main) commands() []command {
	return []command{
		{"import", "FILE [--dry-run] | undo BATCH", "import a roster from CSV or XLSX, or undo an import", (*Main).runImport},
		{"people", "search|add|edit|show|delete|merge|duplicates …", "the roster", (*Main).runPeople},
		{"workshops", "add|edit|list|show|delete …", "workshops", (*Main).runWorkshops},
		{"attend", "WORKSHOP PERSON [--hours H] [--status present|absent|excused] [--undo]", "check a person in at a workshop", (*Main).runAttend},
		{"certificates", "issue|list|revoke|verify|export …", "certificates of attendance", (*Main).runCertificates},
		{"export", "people|workshops|attendance --format csv|xlsx --out FILE", "export to a spreadsheet", (*Main).runExport},
		{"backup", "FILE", "write a consistent copy of the database", (*Main).runBackup},
		{"protect", "[--passphrase-fd N | --passphrase-env NAME]", "encrypt the database's personal data under a passphrase", (*Main).runProtect},
		{"passphrase", "change [--new-passphrase-fd N | --new-passphrase-env NAME]", "change the passphrase of an encrypted database", (*Main).runPassphrase},
		{"escrow", "--recipient age1…", "entrust an encrypted database's key to HQ's recovery key (safeer-hq recover)", (*Main).runEscrow},
		{"enrol", "--hq URL --code CODE [--name NAME]", "enrol this computer with HQ", (*Main).runEnrol},
		{"sync", "[--json] | status | log | rejected | export --out FILE | import FILE | relay DIR",
			"sync with HQ now, or show how sync stands; with no network, by file: export a sealed file for HQ, import HQ's reply, relay others' files over this computer's link", (*Main).runSync},
		{"conflicts", "[--all] | resolve ID --take winner|loser", "concurrent edits to review", (*Main).runConflicts},
		{"version", "", "print the version (also: safeer --version)", (*Main).runVersion},
	}
}

// Run runs the app (no arguments) or a subcommand, and returns the exit code.
func (m *Main) Run(ctx context.Context, args []string) int {
	global := flag.NewFlagSet("safeer", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	global.StringVar(&m.DBPath, "db", "", "database file (default: in the user's config folder)")
	global.BoolVar(&m.JSON, "json", false, "machine-readable output")
	version := global.Bool("version", false, "print the version")
	m.passphraseFlags(global)
	if err := refusePassphraseArgument(args); err != nil {
		return m.fail(err)
	}
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return m.fail(m.help(ctx, nil))
		}
		return m.fail(usageError{err.Error()})
	}
	args = global.Args()
	if *version {
		return m.fail(m.runVersion(ctx, args))
	}
	if len(args) == 0 {
		return m.fail(m.runApp(ctx))
	}
	name := args[0]
	if isHelp(name) {
		return m.fail(m.help(ctx, args[1:]))
	}
	c, ok := m.command(name)
	if !ok {
		return m.fail(usagef("unknown command %q", name))
	}
	if len(args) > 1 && isHelp(args[1]) {
		// safeer people --help, safeer people help search
		return m.fail(m.help(ctx, append([]string{name}, args[2:]...)))
	}
	return m.fail(c.run(m, ctx, args[1:]))
}

// fail prints err in words, in the languages of m.Langs, from the
// catalogue when err carries a message, and returns the exit code.
func (m *Main) fail(err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errQuiet) {
		return exitFail
	}
	var h helpRequest
	if errors.As(err, &h) {
		printHelp(m.Stdout, h)
		return exitOK
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(m.Stderr, "safeer: %s\n", ue.msg)
		fmt.Fprintln(m.Stderr, "Run 'safeer help' for the commands.")
		return exitUsage
	}
	if m.JSON {
		m.printJSON(m.Stderr, errorJSON(err))
		return exitFail
	}
	var ve *data.ValidationError
	if errors.As(err, &ve) {
		fmt.Fprintf(m.Stderr, "safeer: %s\n", m.say(message.New("cli.invalid")))
		for _, fe := range ve.Errors {
			for _, line := range strings.Split(m.say(fe.Message()), "\n") {
				fmt.Fprintf(m.Stderr, "  %s: %s\n", fe.Field, line)
			}
		}
		return exitFail
	}
	if msg, ok := message.Find(err); ok {
		fmt.Fprintf(m.Stderr, "safeer: %s\n", m.say(msg))
		var d interface{ Detail() string }
		if errors.As(err, &d) && d.Detail() != "" {
			fmt.Fprintf(m.Stderr, "(%s)\n", d.Detail())
		}
		return exitFail
	}
	fmt.Fprintf(m.Stderr, "safeer: %s\n", err)
	return exitFail
}

func errorJSON(err error) any {
	out := map[string]any{"error": err.Error()}
	if msg, ok := message.Find(err); ok {
		out["code"] = msg.Code
		out["en"], out["ar"] = msg.English(), msg.Arabic()
	}
	var ve *data.ValidationError
	if errors.As(err, &ve) {
		out["fields"] = ve.Errors
	}
	return out
}

func (m *Main) printJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// defaultDBPath is the app's database in the user's config folder.
func defaultDBPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the config folder: %w", err)
	}
	return filepath.Join(dir, "safeer", "safeer.db"), nil
}

func (m *Main) dbPath() (string, error) {
	if m.DBPath != "" {
		return m.DBPath, nil
	}
	return defaultDBPath()
}

// open opens the database for a command.
func (m *Main) open(ctx context.Context) (*data.Store, error) {
	path, err := m.dbPath()
	if err != nil {
		return nil, err
	}
	return data.Open(ctx, path, m.storeOptions()...)
}

// storeOptions are the options of every store a command opens: the
// store's own notes (a backup made before a migration or an encryption,
// sync's repairs) stay off the command's stderr unless they are warnings;
// what a command did it says itself.
func (m *Main) storeOptions() []data.Option {
	w := m.Stderr
	if w == nil {
		w = io.Discard
	}
	quiet := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return append([]data.Option{data.WithLogger(quiet)}, m.StoreOptions...)
}

// withStore opens the database ready for personal data, runs fn and closes
// it: an encrypted database is unlocked, and a new or clear one is
// encrypted first (openProtected, cli_protect.go), both with the
// passphrase; without one the command refuses to run.
func (m *Main) withStore(ctx context.Context, fn func(*data.Store) error) error {
	s, err := m.openProtected(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s)
}

// parseFlags parses flags that may come before, between or after the
// positional arguments (safeer people edit ID --phone …), and returns the
// positionals. --json and --db are accepted anywhere.
func (m *Main) parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	if fs.Lookup("json") == nil {
		fs.BoolVar(&m.JSON, "json", m.JSON, "machine-readable output")
	}
	if fs.Lookup("db") == nil {
		fs.StringVar(&m.DBPath, "db", m.DBPath, "database file")
	}
	if fs.Lookup("passphrase-fd") == nil {
		m.passphraseFlags(fs)
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, m.flagsHelp(fs)
			}
			return nil, usagef("%s: %s", fs.Name(), err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// exactly checks the number of positional arguments.
func exactly(n int, pos []string, what string) error {
	if len(pos) != n {
		return usagef("expected %s", what)
	}
	return nil
}
