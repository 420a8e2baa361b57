package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/oman-sca/safeer/message"
)

// TestHelpInBothLanguages: every command and every command of a group has
// its summary in the catalogue, whose English is what the command list
// says of it and whose Arabic is Arabic; help printed in Arabic is Arabic
// around isolated commands, flags and file names, and help in English is
// as it was, with no isolate in it.
func TestHelpInBothLanguages(t *testing.T) {
	summary := func(where string, msg message.Message, en string) {
		t.Helper()
		if msg.Code == "words" || !message.Known(msg.Code) {
			t.Errorf("%s has no summary in the catalogue (commandWords, subWords in cli_help.go)", where)
			return
		}
		if got := msg.English(); got != en {
			t.Errorf("%s: the catalogue says %q, the command list %q", where, got, en)
		}
		if ar := msg.Arabic(); !hasArabicLetter(outsideIsolates(ar)) {
			t.Errorf("%s: the Arabic summary %q has no Arabic", where, ar)
		}
	}
	m := NewMain(nil, nil)
	pages := [][]string{{"help"}}
	for _, c := range m.commands() {
		summary("safeer "+c.name, commandWords(c), c.help)
		pages = append(pages, []string{c.name, "--help"})
		for _, s := range subcommands[c.name] {
			summary("safeer "+words(c.name, s.name), subWords(c.name, s), s.help)
			pages = append(pages, ownPage(c.name, s.name))
		}
	}
	for group := range subcommands {
		if _, ok := m.command(group); !ok {
			t.Errorf("help lists commands of %q, which is no command", group)
		}
	}

	db := filepath.Join(t.TempDir(), "s.db")
	for _, args := range pages {
		for _, l := range []message.Lang{message.Arabic, message.English} {
			var out, errb bytes.Buffer
			m := NewMain(&out, &errb)
			m.Langs = []message.Lang{l}
			if code := m.Run(context.Background(), append([]string{"--db", db}, args...)); code != 0 || errb.Len() > 0 || out.Len() == 0 {
				t.Fatalf("safeer %v in %s: exit %d\n%s%s", args, l, code, out.String(), errb.String())
			}
			if l == message.English {
				if strings.ContainsAny(out.String(), message.LRI+message.FSI+message.PDI) || !strings.HasPrefix(out.String(), "Usage: safeer") {
					t.Errorf("safeer %v in English:\n%s", args, out.String())
				}
				continue
			}
			checkArabicHelp(t, strings.Join(args, " "), out.String())
		}
	}
}

// ownPage is the arguments that ask for the help of a group's command
// with its flags: the group's own command (sub "") takes a positional
// argument first, since the group's name alone asks for the group's help.
func ownPage(group, sub string) []string {
	if sub == "" {
		return []string{group, "x", "--help"}
	}
	return []string{group, sub, "--help"}
}

// checkArabicHelp checks a help page printed in Arabic: it starts with
// its usage line in Arabic, its isolates balance, and no Latin letter
// stands outside an isolate (a flag, a file name, a command or a word of
// English left bare would be reordered by the bidi algorithm).
func checkArabicHelp(t *testing.T, what, page string) {
	t.Helper()
	if !strings.HasPrefix(page, "الاستخدام: "+message.LRI) {
		t.Errorf("%s: the Arabic page does not start with its usage:\n%s", what, page)
	}
	depth := 0
	for _, r := range page {
		switch string(r) {
		case message.LRI, message.RLI, message.FSI:
			depth++
		case message.PDI:
			depth--
		}
		if depth < 0 {
			break
		}
	}
	if depth != 0 {
		t.Errorf("%s: isolates do not balance (%d):\n%s", what, depth, page)
	}
	for i, line := range strings.Split(strings.TrimSuffix(page, "\n"), "\n") {
		bare := outsideIsolates(line)
		for _, r := range bare {
			if r < unicode.MaxASCII && unicode.IsLetter(r) || r == '-' && strings.Contains(bare, "--") {
				t.Errorf("%s, line %d: Latin outside an isolate (%q) in %q", what, i+1, bare, line)
				break
			}
		}
	}
}

// outsideIsolates is s without its isolated runs.
func outsideIsolates(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch string(r) {
		case message.LRI, message.RLI, message.FSI:
			depth++
			continue
		case message.PDI:
			depth--
			continue
		}
		if depth == 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func hasArabicLetter(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// TestFlagsInBothLanguages: the flags of every command (every group's
// command, and every command without a group) are described in Arabic in
// Arabic help: each flag's English usage has its entry in flagWords.
func TestFlagsInBothLanguages(t *testing.T) {
	m := NewMain(nil, nil)
	var pages [][]string
	for _, c := range m.commands() {
		if len(subcommands[c.name]) == 0 {
			pages = append(pages, []string{c.name, "--help"})
		}
		for _, s := range subcommands[c.name] {
			pages = append(pages, ownPage(c.name, s.name))
		}
	}
	db := filepath.Join(t.TempDir(), "s.db")
	for _, args := range pages {
		var out, errb bytes.Buffer
		m := NewMain(&out, &errb)
		m.Langs = []message.Lang{message.English}
		if code := m.Run(context.Background(), append([]string{"--db", db}, args...)); code != 0 {
			t.Fatalf("safeer %v: exit %d\n%s", args, code, errb.String())
		}
		_, flags, ok := strings.Cut(out.String(), "Flags:\n")
		if !ok {
			t.Fatalf("safeer %v lists no flags:\n%s", args, out.String())
		}
		for _, line := range strings.Split(strings.TrimSuffix(flags, "\n"), "\n") {
			name, usage, _ := strings.Cut(strings.TrimSpace(line), "  ")
			if _, ok := flagWords[usage]; !ok {
				t.Errorf("safeer %v: flag %s (%q) has no Arabic description: add it to flagWords (cli_help_flags.go)", args, name, usage)
			}
		}
	}
}

// TestHelpInTheLocaleLanguage runs the real binary: help follows the
// locale as errors do (LC_ALL, LC_MESSAGES, LANG), and usage errors stay
// English.
func TestHelpInTheLocaleLanguage(t *testing.T) {
	bin := buildSafeer(t)
	db := filepath.Join(t.TempDir(), "s.db")
	for _, c := range []struct {
		env    []string
		arabic bool
	}{
		{[]string{"LANG=ar_OM.UTF-8"}, true},
		{[]string{"LANG=C.UTF-8", "LC_MESSAGES=ar_OM.UTF-8"}, true},
		{[]string{"LANG=ar_OM.UTF-8", "LC_ALL=en_GB.UTF-8"}, false},
		{nil, false},
	} {
		for _, args := range [][]string{{"help"}, {"people", "--help"}, {"people", "search", "--help"}, {"help", "attend"}} {
			code, out, errs := runClean(t, bin, c.env, append([]string{"--db", db}, args...)...)
			if code != 0 || errs != "" {
				t.Fatalf("%v safeer %v: exit %d\n%s", c.env, args, code, errs)
			}
			if c.arabic {
				checkArabicHelp(t, strings.Join(args, " "), out)
			} else if !strings.HasPrefix(out, "Usage: safeer") || strings.Contains(out, message.LRI) {
				t.Errorf("%v safeer %v: not the English help:\n%s", c.env, args, out)
			}
		}
		if code, _, errs := runClean(t, bin, c.env, "--db", db, "frobnicate"); code != 2 || !strings.Contains(errs, `unknown command "frobnicate"`) {
			t.Errorf("%v: a usage error: exit %d, %q", c.env, code, errs)
		}
	}
}
