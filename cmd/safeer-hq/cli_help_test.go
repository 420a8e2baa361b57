package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode"

	"github.com/oman-sca/safeer/message"
)

// TestHelpInBothLanguages: every command has its summary in the
// catalogue (English as the command list says it, Arabic in Arabic), and
// safeer-hq help follows the locale: in Arabic, every command, flag and
// file name is isolated and no Latin letter stands bare.
func TestHelpInBothLanguages(t *testing.T) {
	m := NewMain(nil, nil)
	for _, c := range m.commands() {
		msg := commandWords(c)
		if msg.Code == "words" || !message.Known(msg.Code) {
			t.Errorf("safeer-hq %s has no summary in the catalogue (commandWords in cli_help.go)", c.name)
			continue
		}
		if msg.English() != c.help {
			t.Errorf("safeer-hq %s: the catalogue says %q, the command list %q", c.name, msg.English(), c.help)
		}
	}
	for _, c := range []struct {
		env    map[string]string
		arabic bool
	}{
		{map[string]string{"LANG": "ar_OM.UTF-8"}, true},
		{map[string]string{"LANG": "C.UTF-8", "LC_MESSAGES": "ar_OM.UTF-8"}, true},
		{map[string]string{"LANG": "ar_OM.UTF-8", "LC_ALL": "en_GB.UTF-8"}, false},
		{nil, false},
	} {
		var out, errb bytes.Buffer
		m := NewMain(&out, &errb)
		m.Getenv = func(k string) string { return c.env[k] }
		if code := m.Run(context.Background(), []string{"help"}); code != exitOK || errb.Len() > 0 {
			t.Fatalf("%v: help: exit %d, %s", c.env, code, errb.String())
		}
		page := out.String()
		if !c.arabic {
			if !strings.HasPrefix(page, "Usage: safeer-hq COMMAND") || strings.ContainsAny(page, message.LRI+message.FSI+message.PDI) {
				t.Errorf("%v: not the English help:\n%s", c.env, page)
			}
			continue
		}
		if !strings.HasPrefix(page, "الاستخدام: "+message.LRI+"safeer-hq COMMAND") {
			t.Errorf("%v: not the Arabic help:\n%s", c.env, page)
		}
		if open, closed := strings.Count(page, message.LRI)+strings.Count(page, message.FSI), strings.Count(page, message.PDI); open != closed {
			t.Errorf("%v: isolates do not balance (%d opened, %d closed)", c.env, open, closed)
		}
		for i, line := range strings.Split(strings.TrimSuffix(page, "\n"), "\n") {
			bare := outsideIsolates(line)
			for _, r := range bare {
				if r < unicode.MaxASCII && unicode.IsLetter(r) {
					t.Errorf("line %d: Latin outside an isolate (%q) in %q", i+1, bare, line)
					break
				}
			}
		}
		for _, c := range m.commands() {
			if !strings.Contains(page, "  "+message.LRI+c.name+message.PDI+" ") || !strings.Contains(page, commandSummary(c).Arabic()) {
				t.Errorf("the Arabic help lacks %s or its summary:\n%s", c.name, page)
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
