package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

// subcommands are each command group's commands, for help. A name "" is the
// group's own command (safeer sync, safeer import FILE).
var subcommands = map[string][]command{
	"import": {
		{"", "FILE [--dry-run] [--skip-invalid] [--map HEADER=FIELD] [--sheet NAME]", "import a roster from CSV or XLSX: all rows or none", nil},
		{"undo", "BATCH", "take an import back", nil},
		{"list", "", "the imports made on this computer", nil},
	},
	"people": {
		{"search", "[QUERY] [--limit N] [--governorate CODE] [--wilayat NAME] [--status active|inactive]", "find people; no query: everyone, by name", nil},
		{"add", "--name-ar NAME … [--force]", "add a person", nil},
		{"edit", "ID --FIELD VALUE …", "change a person's fields", nil},
		{"show", "ID", "a person and their attendance", nil},
		{"delete", "ID", "delete a person", nil},
		{"merge", "FROM INTO", "merge a duplicate record (FROM) into the one to keep (INTO)", nil},
		{"duplicates", "ID", "people who look like this one", nil},
	},
	"workshops": {
		{"add", "--title-ar TITLE --date DATE --hours H --governorate CODE --wilayat NAME …", "add a workshop", nil},
		{"edit", "ID --FIELD VALUE …", "change a workshop's fields", nil},
		{"list", "", "every workshop", nil},
		{"show", "ID", "a workshop and who attended", nil},
		{"delete", "ID", "delete a workshop", nil},
	},
	"certificates": {
		{"issue", "--workshop ID (--out FILE.pdf | --split DIR)", "certificates for everyone present at a workshop", nil},
		{"list", "--workshop ID", "certificates issued for a workshop", nil},
		{"revoke", "CODE --reason TEXT", "revoke a certificate", nil},
		{"verify", "QRTEXT|FILE.pdf [--hq-key KEY]", "check a certificate's signatures, offline", nil},
		{"export", "--open-badges DIR [--workshop ID]", "the Open Badges credentials HQ issued: a .jwt and a badge .png with it baked in, each", nil},
	},
	"sync": {
		{"", "[--verbose]", "push and pull once, now", nil},
		{"status", "[--offline]", "how sync stands", nil},
		{"log", "[--limit N]", "the latest sync runs", nil},
		{"rejected", "", "changes HQ refused", nil},
	},
	"conflicts": {
		{"", "[--all]", "concurrent edits to review", nil},
		{"resolve", "ID --take winner|loser", "keep one side of a conflict", nil},
	},
}

// helpRequest is a request for help (help, -h, --help): its text goes to
// stdout and the exit code is 0.
type helpRequest struct{ text string }

func (h helpRequest) Error() string { return h.text }

func isHelp(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

func (m *Main) command(name string) (command, bool) {
	for _, c := range m.commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// help answers safeer help [COMMAND [SUBCOMMAND]].
func (m *Main) help(ctx context.Context, args []string) error {
	if len(args) == 0 {
		var b strings.Builder
		m.usage(&b)
		return helpRequest{b.String()}
	}
	c, ok := m.command(args[0])
	if !ok {
		return usagef("help: unknown command %q", args[0])
	}
	subs := subcommands[c.name]
	if len(args) == 1 || len(subs) == 0 {
		if len(subs) == 0 {
			// A single command: its own flag set answers, with its flags.
			return c.run(m, ctx, []string{"--help"})
		}
		return helpRequest{groupHelp(c, subs)}
	}
	for _, s := range subs {
		if s.name != "" && s.name == args[1] {
			return c.run(m, ctx, []string{s.name, "--help"})
		}
	}
	return usagef("help: %s has no command %q", c.name, args[1])
}

// groupHelp lists a group's commands.
func groupHelp(c command, subs []command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: safeer [--db FILE] [--json] %s COMMAND …\n%s. Commands:\n", c.name, capitalise(c.help))
	for _, s := range subs {
		fmt.Fprintf(&b, "  %s\n      %s\n", words(c.name, s.name, s.args), s.help)
	}
	fmt.Fprintf(&b, "Run 'safeer %s COMMAND --help' for a command's flags.\n", c.name)
	return b.String()
}

// flagsHelp is a single command's help: what it takes, what it does, and
// its flags. name is its flag set's name ("people search").
func (m *Main) flagsHelp(fs *flag.FlagSet) helpRequest {
	args, what := "", ""
	group, sub, _ := strings.Cut(fs.Name(), " ")
	if c, ok := m.command(group); ok {
		args, what = c.args, c.help
		for _, s := range subcommands[group] {
			if s.name == sub {
				args, what = s.args, s.help
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: safeer %s\n", words(fs.Name(), args))
	if what != "" {
		fmt.Fprintf(&b, "%s.\n", capitalise(what))
	}
	fmt.Fprintf(&b, "Flags:\n%s", flagHelp(fs))
	return helpRequest{b.String()}
}

// words joins the words that are not empty with spaces.
func words(w ...string) string {
	var out []string
	for _, s := range w {
		if s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// printHelp writes a help request's text.
func printHelp(w io.Writer, h helpRequest) { io.WriteString(w, h.text) }
