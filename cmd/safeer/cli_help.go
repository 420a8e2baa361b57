package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/oman-sca/safeer/message"
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
		{"export", "--out FILE", "write a sealed sync file for HQ, to carry on a stick (no network needed)", nil},
		{"import", "FILE", "load HQ's reply to a sync file", nil},
		{"relay", "DIR", "send the sync files in DIR, of any device, to HQ over this computer's link; the replies are saved beside them", nil},
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
		m.overview(&b)
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
		return helpRequest{m.groupHelp(c, subs)}
	}
	for _, s := range subs {
		if s.name != "" && s.name == args[1] {
			return c.run(m, ctx, []string{s.name, "--help"})
		}
	}
	return usagef("help: %s has no command %q", c.name, args[1])
}

// helpLang is the language help is printed in: the first of m.Langs
// (main sets the locale's), English when there is none.
func (m *Main) helpLang() message.Lang {
	if len(m.Langs) > 0 {
		return m.Langs[0]
	}
	return message.English
}

// overview is safeer help: every command, with what it does.
func (m *Main) overview(w io.Writer) {
	l := m.helpLang()
	fmt.Fprintln(w, message.New("cli.help.usage", message.Latin("usage", "safeer [--db FILE] [--json] [COMMAND …] | --version")).In(l))
	fmt.Fprintln(w, message.New("cli.help.app", message.Latin("safeer", "safeer")).In(l))
	for _, c := range m.commands() {
		fmt.Fprintf(w, "  %s %s\n  %-10s   %s\n", pad(l, c.name, 10), ltr(l, c.args), "", commandSummary(c).In(l))
	}
	fmt.Fprintln(w, message.New("cli.help.more", message.Latin("cmd", "'safeer COMMAND --help'"),
		message.Latin("alt", "'safeer help COMMAND'")).In(l))
}

// groupHelp lists a group's commands.
func (m *Main) groupHelp(c command, subs []command) string {
	l := m.helpLang()
	var b strings.Builder
	fmt.Fprintln(&b, message.New("cli.help.usage", message.Latin("usage", "safeer [--db FILE] [--json] "+c.name+" COMMAND …")).In(l))
	fmt.Fprintln(&b, message.New("cli.help.group", message.Text("what", capitalise(commandSummary(c).In(l)))).In(l))
	for _, s := range subs {
		fmt.Fprintf(&b, "  %s\n      %s\n", l.LTR(words(c.name, s.name, s.args)), subSummary(c.name, s).In(l))
	}
	fmt.Fprintln(&b, message.New("cli.help.group_more", message.Latin("cmd", "'safeer "+c.name+" COMMAND --help'")).In(l))
	return b.String()
}

// flagsHelp is a single command's help: what it takes, what it does, and
// its flags. name is its flag set's name ("people search").
func (m *Main) flagsHelp(fs *flag.FlagSet) helpRequest {
	l := m.helpLang()
	args := ""
	var what message.Message
	group, sub, _ := strings.Cut(fs.Name(), " ")
	if c, ok := m.command(group); ok {
		args, what = c.args, commandSummary(c)
		for _, s := range subcommands[group] {
			if s.name == sub {
				args, what = s.args, subSummary(group, s)
			}
		}
	}
	var b strings.Builder
	fmt.Fprintln(&b, message.New("cli.help.usage", message.Latin("usage", "safeer "+words(fs.Name(), args))).In(l))
	if !what.IsZero() {
		fmt.Fprintln(&b, message.New("cli.help.sentence", message.Text("what", capitalise(what.In(l)))).In(l))
	}
	fmt.Fprintln(&b, message.New("cli.help.flags").In(l))
	fs.VisitAll(func(f *flag.Flag) { fmt.Fprintf(&b, "  %s  %s\n", l.LTR("--"+f.Name), flagUsage(l, f.Usage)) })
	return helpRequest{b.String()}
}

// ltr is l.LTR(s), but nothing for nothing.
func ltr(l message.Lang, s string) string {
	if s == "" {
		return ""
	}
	return l.LTR(s)
}

// pad is s, a Latin word of a help table, isolated for l and followed by
// spaces up to width characters.
func pad(l message.Lang, s string, width int) string {
	return l.LTR(s) + strings.Repeat(" ", max(0, width-utf8.RuneCountInString(s)))
}

// commandSummary is what a command does in the catalogue's words
// (commandWords), or its English words as the command list gives them,
// isolated in Arabic, when the catalogue has none or says something else:
// help never shows stale words (and TestHelpInBothLanguages fails).
func commandSummary(c command) message.Message { return message.Current(commandWords(c), c.help) }

// commandWords is what a command does, in the catalogue's words ("words",
// its English, for a command missing there).
func commandWords(c command) message.Message {
	latin := message.Latin
	switch c.name {
	case "import":
		return message.New("cli.help.cmd.import", latin("csv", "CSV"), latin("xlsx", "XLSX"))
	case "people":
		return message.New("cli.help.cmd.people")
	case "workshops":
		return message.New("cli.help.cmd.workshops")
	case "attend":
		return message.New("cli.help.cmd.attend")
	case "certificates":
		return message.New("cli.help.cmd.certificates")
	case "export":
		return message.New("cli.help.cmd.export")
	case "backup":
		return message.New("cli.help.cmd.backup")
	case "enrol":
		return message.New("cli.help.cmd.enrol")
	case "sync":
		return message.New("cli.help.cmd.sync")
	case "conflicts":
		return message.New("cli.help.cmd.conflicts")
	case "protect":
		return message.New("cli.help.cmd.protect")
	case "passphrase":
		return message.New("cli.help.cmd.passphrase")
	case "escrow":
		return message.New("cli.help.cmd.escrow", latin("cmd", "safeer-hq recover"))
	case "version":
		return message.New("cli.help.cmd.version", latin("alt", "safeer --version"))
	}
	return message.New("words", message.Pair("text", c.help, c.help))
}

// subSummary is what a group's command does in the catalogue's words
// (subWords), or its English words as the command list gives them,
// isolated in Arabic, when the catalogue has none or says something else.
func subSummary(group string, s command) message.Message {
	return message.Current(subWords(group, s), s.help)
}

// subWords is what a group's command does (s.name "" is the group's own
// command), in the catalogue's words.
func subWords(group string, s command) message.Message {
	latin := message.Latin
	switch group + " " + s.name {
	case "import ":
		return message.New("cli.help.sub.import", latin("csv", "CSV"), latin("xlsx", "XLSX"))
	case "import undo":
		return message.New("cli.help.sub.import.undo")
	case "import list":
		return message.New("cli.help.sub.import.list")
	case "people search":
		return message.New("cli.help.sub.people.search")
	case "people add":
		return message.New("cli.help.sub.people.add")
	case "people edit":
		return message.New("cli.help.sub.people.edit")
	case "people show":
		return message.New("cli.help.sub.people.show")
	case "people delete":
		return message.New("cli.help.sub.people.delete")
	case "people merge":
		return message.New("cli.help.sub.people.merge", latin("from", "FROM"), latin("into", "INTO"))
	case "people duplicates":
		return message.New("cli.help.sub.people.duplicates")
	case "workshops add":
		return message.New("cli.help.sub.workshops.add")
	case "workshops edit":
		return message.New("cli.help.sub.workshops.edit")
	case "workshops list":
		return message.New("cli.help.sub.workshops.list")
	case "workshops show":
		return message.New("cli.help.sub.workshops.show")
	case "workshops delete":
		return message.New("cli.help.sub.workshops.delete")
	case "certificates issue":
		return message.New("cli.help.sub.certificates.issue")
	case "certificates list":
		return message.New("cli.help.sub.certificates.list")
	case "certificates revoke":
		return message.New("cli.help.sub.certificates.revoke")
	case "certificates verify":
		return message.New("cli.help.sub.certificates.verify")
	case "certificates export":
		return message.New("cli.help.sub.certificates.export", latin("ob", "Open Badges"), latin("jwt", ".jwt"), latin("png", ".png"))
	case "sync ":
		return message.New("cli.help.sub.sync")
	case "sync status":
		return message.New("cli.help.sub.sync.status")
	case "sync log":
		return message.New("cli.help.sub.sync.log")
	case "sync rejected":
		return message.New("cli.help.sub.sync.rejected")
	case "sync export":
		return message.New("cli.help.sub.sync.export")
	case "sync import":
		return message.New("cli.help.sub.sync.import")
	case "sync relay":
		return message.New("cli.help.sub.sync.relay", latin("dir", "DIR"))
	case "conflicts ":
		return message.New("cli.help.sub.conflicts")
	case "conflicts resolve":
		return message.New("cli.help.sub.conflicts.resolve")
	}
	return message.New("words", message.Pair("text", s.help, s.help))
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

// capitalise makes the first letter of s a capital (Arabic has none).
func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// printHelp writes a help request's text.
func printHelp(w io.Writer, h helpRequest) { io.WriteString(w, h.text) }
