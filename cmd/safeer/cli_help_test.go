package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestHelpEverywhere asks every command group and every command for help in
// each way a person might: the usage on stdout, nothing on stderr, exit 0.
// A subcommand listed in help but not dispatched fails here (unknown
// subcommand, exit 2).
func TestHelpEverywhere(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	check := func(want string, args ...string) {
		t.Helper()
		code, out, errs := run(t, db, args...)
		if code != 0 || errs != "" || !strings.HasPrefix(out, "Usage: safeer") || !strings.Contains(out, want) {
			t.Errorf("safeer %v: exit %d, want the usage with %q on stdout\nstdout:\n%s\nstderr:\n%s", args, code, want, out, errs)
		}
	}
	for _, a := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		check("Commands:", a...)
	}
	for _, c := range NewMain(nil, nil).commands() {
		subs := subcommands[c.name]
		want := "Flags:" // a single command shows its flags
		if len(subs) > 0 {
			want = "Commands:" // a group lists its commands
		}
		for _, a := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {c.name, "help"}, {"help", c.name}} {
			check(want, a...)
		}
		for _, s := range subs {
			if s.name == "" {
				continue
			}
			usage := "Usage: safeer " + c.name + " " + s.name
			for _, a := range [][]string{{c.name, s.name, "--help"}, {c.name, s.name, "-h"}, {c.name, "help", s.name}, {"help", c.name, s.name}} {
				check(usage, a...)
			}
		}
	}
	// Help for what does not exist is a usage error, not help.
	for _, a := range [][]string{{"help", "frobnicate"}, {"people", "help", "frobnicate"}} {
		if code, out, errs := run(t, db, a...); code != 2 || out != "" || !strings.Contains(errs, "frobnicate") {
			t.Errorf("safeer %v: exit %d\n%s%s", a, code, out, errs)
		}
	}
}
