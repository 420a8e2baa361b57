package main

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/oman-sca/safeer/message"
)

// helpLang is the language of help: the locale's (LC_ALL, LC_MESSAGES,
// LANG), as safeer's.
func (m *Main) helpLang() message.Lang {
	if m.Getenv == nil {
		return message.English
	}
	return message.LangOfEnv(m.Getenv)
}

// usage is safeer-hq help: every command, with what it does, in the
// language of the locale; commands, flags and file names isolated in
// Arabic.
func (m *Main) usage(w io.Writer) {
	l := m.helpLang()
	fmt.Fprintln(w, message.New("cli.help.usage", message.Latin("usage", "safeer-hq COMMAND [flags]")).In(l))
	fmt.Fprintln(w, message.New("hq.help.db", message.Latin("db", "--db"), message.Latin("sqlite", "SQLite"),
		message.Latin("url", "postgres://"), message.Latin("env", "$SAFEER_HQ_DB"), message.Latin("file", defaultDB)).In(l))
	fmt.Fprintln(w, message.New("cli.help.commands").In(l))
	for _, c := range m.commands() {
		name := l.LTR(c.name) + strings.Repeat(" ", max(0, 12-utf8.RuneCountInString(c.name)))
		fmt.Fprintf(w, "  %s %s\n  %-12s   %s\n", name, l.LTR(c.args), "", commandSummary(c).In(l))
	}
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
	case "serve":
		return message.New("hq.help.cmd.serve", latin("verify", "/verify"), latin("admin", "/admin/"),
			latin("insecure", "--insecure-http"), latin("proxy", "--trusted-proxy"),
			latin("publicurl", "--public-url"), latin("did", "/.well-known/did.json"))
	case "sync":
		return message.New("hq.help.cmd.sync")
	case "verify-credential":
		return message.New("hq.help.cmd.verify_credential", latin("ob", "Open Badges"), latin("json", "/verify.json"))
	case "enrol":
		return message.New("hq.help.cmd.enrol")
	case "devices":
		return message.New("hq.help.cmd.devices")
	case "revoke":
		return message.New("hq.help.cmd.revoke", latin("status", "401 device_revoked"))
	case "key":
		return message.New("hq.help.cmd.key", latin("base64url", "base64url"), latin("hex", "--hex"))
	case "reset-epoch":
		return message.New("hq.help.cmd.reset_epoch")
	case "admin":
		return message.New("hq.help.cmd.admin")
	case "recovery-key":
		return message.New("hq.help.cmd.recovery_key", latin("cmd", "safeer escrow"))
	case "recover":
		return message.New("hq.help.cmd.recover")
	}
	return message.New("words", message.Pair("text", c.help, c.help))
}
