package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/internal/testharness/protected"
)

// The headless commands work on encrypted databases only (issue 14): a new
// or clear database is encrypted first, and without a passphrase the
// command refuses (cli_protect.go, openProtected).

// runNoPassphrase runs safeer in-process on db with args and no passphrase
// at all: no descriptor, no variable, no terminal.
func runNoPassphrase(t *testing.T, db string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := NewMain(&out, &errb)
	m.StoreOptions = protected.Options()
	code := m.Run(context.Background(), append([]string{"--db", db}, args...))
	return code, out.String(), errb.String()
}

// notEncryptedYet are the refusal's words in English and Arabic
// (cli.passphrase.needed_clear).
var notEncryptedYet = []string{"This database is not encrypted yet", "قاعدة البيانات هذه غير مشفرة بعد", "--passphrase-fd", "--passphrase-env"}

// headlessCalls are a call of every command that opens the database,
// with arguments that get it as far as opening it; dir holds the files
// they read.
func headlessCalls(t *testing.T, dir string) [][]string {
	t.Helper()
	roster := filepath.Join(dir, "roster.csv")
	if err := os.WriteFile(roster, []byte("name_ar,phone,governorate\nسالم الحارثي,91234567,OM-MA\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := func(name string) string { return filepath.Join(dir, "out", name) }
	return [][]string{
		{"import", roster}, {"import", roster, "--dry-run"}, {"import", "list"}, {"import", "undo", "B1"},
		{"people", "search", "سالم"}, {"people", "show", "P1"}, {"people", "add", "--name-ar", "سالم الحارثي", "--governorate", "OM-MA"},
		{"people", "edit", "P1", "--phone", "91234567"}, {"people", "delete", "P1"}, {"people", "merge", "P1", "P2"},
		{"people", "duplicates", "P1"},
		{"workshops", "list"}, {"workshops", "show", "W1"}, {"workshops", "delete", "W1"},
		{"workshops", "add", "--title-en", "Smart Cities", "--date", "2026-12-01", "--hours", "3", "--governorate", "OM-MA", "--wilayat", "Muttrah"},
		{"workshops", "edit", "W1", "--hours", "2"},
		{"attend", "W1", "P1"},
		{"certificates", "list", "--workshop", "W1"}, {"certificates", "issue", "--workshop", "W1", "--out", out("c.pdf")},
		{"certificates", "revoke", "C1", "--reason", "test"}, {"certificates", "export", "--open-badges", out("badges")},
		{"export", "people", "--format", "csv", "--out", out("people.csv")},
		{"backup", out("backup.db")},
		{"escrow", "--recipient", "age1qqqq"},
		{"enrol", "--hq", "https://hq.example.om", "--code", "ABCD-EFGH"},
		{"sync"}, {"sync", "status", "--offline"}, {"sync", "log"}, {"sync", "rejected"},
		{"sync", "export", "--out", out("sync.safeer")}, {"sync", "import", roster}, {"sync", "relay", dir},
		{"conflicts"}, {"conflicts", "resolve", "X1", "--take", "winner"},
	}
}

// exemptCommands open no database, or never one that holds personal data
// because of them (cli_protect.go): checked in TestCommandsRefuseWithoutPassphrase.
var exemptCommands = map[string]bool{"version": true, "protect": true, "passphrase": true}

// TestCommandsRefuseWithoutPassphrase runs every command that opens the
// database with no passphrase given, on a clear database an older Safeer
// left and where there is no database yet: each refuses, in English and
// Arabic, saying how to give one, and leaves the clear database as it was
// (no key file, no backup) and makes no new one. The commands exempt
// (help, version, certificates verify, and protect and passphrase, which
// handle the passphrase themselves) do not encrypt anything.
func TestCommandsRefuseWithoutPassphrase(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "out"), 0o700)
	calls := headlessCalls(t, dir)
	covered := map[string]bool{}
	for _, c := range calls {
		covered[c[0]] = true
	}
	for _, c := range NewMain(nil, nil).commands() {
		if !covered[c.name] && !exemptCommands[c.name] {
			t.Errorf("command %q is neither tried here nor exempt", c.name)
		}
	}

	clear := filepath.Join(dir, "clear.db")
	id := addProtectPeople(t, clear)
	fresh := filepath.Join(dir, "new", "s.db")
	for _, args := range calls {
		for _, db := range []string{clear, fresh} {
			code, out, errs := runNoPassphrase(t, db, args...)
			if code != exitFail || out != "" {
				t.Errorf("%v on %s: exit %d, stdout %q\n%s", args, filepath.Base(db), code, out, errs)
				continue
			}
			for _, want := range notEncryptedYet {
				if !strings.Contains(errs, want) {
					t.Errorf("%v on %s: stderr lacks %q:\n%s", args, filepath.Base(db), want, errs)
				}
			}
		}
	}
	// --json: the refusal as JSON, with its code.
	code, _, errs := runNoPassphrase(t, clear, "people", "search", "سالم", "--json")
	var e struct{ Code, En, Ar string }
	if code != exitFail || json.Unmarshal([]byte(errs), &e) != nil || e.Code != "cli.passphrase.needed_clear" || e.Ar == "" {
		t.Errorf("--json refusal: exit %d\n%s", code, errs)
	}

	// Exempt: they run, or refuse for their own reason, and encrypt nothing.
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"version"}, exitOK, "safeer"},
		{[]string{"help"}, exitOK, "people"},
		{[]string{"people", "--help"}, exitOK, "people search"},
		{[]string{"certificates", "verify", "not a certificate record"}, exitFail, "not"},
		{[]string{"passphrase", "change"}, exitFail, "the database is not encrypted"},
		{[]string{"protect"}, exitFail, "This database is not encrypted yet"},
	} {
		code, out, errs := runNoPassphrase(t, clear, c.args...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Errorf("%v: exit %d, want %d with %q\n%s%s", c.args, code, c.code, c.want, out, errs)
		}
	}

	if _, err := os.Stat(filepath.Dir(fresh)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused command made the new database's folder: %v", err)
	}
	for _, f := range []string{data.VaultKeyPath(clear), data.BackupBeforeProtect(clear)} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a refused command left %s: %v", filepath.Base(f), err)
		}
	}
	clearDB(t, clear, func(ctx context.Context, s *data.Store) error {
		p, err := s.Person(ctx, id)
		if err != nil || p.Phone != "+96891827364" {
			t.Errorf("the clear database after the refusals: %+v %v", p, err)
		}
		return nil
	})
}

// TestCommandsProtectFirst runs the real binary, with argon2id calibrated
// as on a coordinator's laptop, the way a script on a fresh laptop would:
// its first command makes the database encrypted, and a command on a
// clear database an older Safeer left encrypts it first, with progress on
// stderr, then does its work; stdout stays the command's (JSON here). No
// personal value is left in clear in the file, its -wal or the backup.
func TestCommandsProtectFirst(t *testing.T) {
	bin := buildSafeer(t)
	env := []string{"SAFEER_PASS=a passphrase for the test"}

	t.Run("new", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "s.db")
		code, out, errs := runBare(t, bin, append(env, "LANG=C.UTF-8"), "--db", db, "--passphrase-env", "SAFEER_PASS", "people", "add", "--name-ar", "مريم الهنائية",
			"--phone", "9182 7364", "--civil-id", "90817263", "--email", "Maryam.Hinai@example.om", "--notes", "needs a ramp qz", "--governorate", "OM-MA", "--json")
		var added struct{ ID string }
		if code != 0 || json.Unmarshal([]byte(out), &added) != nil || added.ID == "" {
			t.Fatalf("people add on a new database: exit %d\n%s\n%s", code, out, errs)
		}
		if !strings.Contains(errs, "The new database "+db+" is encrypted") || !strings.Contains(errs, data.VaultKeyPath(db)) {
			t.Errorf("stderr does not say the new database is encrypted:\n%s", errs)
		}
		assertNoClearValues(t, db, db+"-wal")
		if code, _, errs := runBare(t, bin, nil, "--db", db, "people", "show", added.ID); code != exitFail || !strings.Contains(errs, "This database is encrypted") {
			t.Errorf("without the passphrase: exit %d\n%s", code, errs)
		}
		code, out, errs = runBare(t, bin, env, "--db", db, "--passphrase-env", "SAFEER_PASS", "people", "search", "90817263", "--json")
		if code != 0 || !strings.Contains(out, added.ID) || errs != "" {
			t.Errorf("search by civil ID: exit %d\n%s\n%s", code, out, errs)
		}
	})

	t.Run("clear", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "s.db")
		id := addProtectPeople(t, db)
		// Refused without a passphrase, in the locale's language.
		code, _, errs := runBare(t, bin, []string{"LANG=ar_OM.UTF-8"}, "--db", db, "people", "search", "91827364")
		if code != exitFail || !strings.Contains(errs, "قاعدة البيانات هذه غير مشفرة بعد") || strings.Contains(errs, "not encrypted") {
			t.Fatalf("without a passphrase, in Arabic: exit %d\n%s", code, errs)
		}
		code, out, errs := runFD(t, bin, []string{"LANG=C.UTF-8"}, []string{"a passphrase for the test"}, "--db", db, "--passphrase-fd", "3", "people", "search", "91827364", "--json")
		var found searchOutput
		if code != 0 || json.Unmarshal([]byte(out), &found) != nil || found.Total != 1 || found.Results[0].ID != id {
			t.Fatalf("search by phone on a clear database: exit %d\n%s\n%s", code, out, errs)
		}
		for _, want := range []string{"This database is not encrypted yet", "encrypting: 8 of 8 records", "The database is encrypted", data.BackupBeforeProtect(db)} {
			if !strings.Contains(errs, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errs)
			}
		}
		assertNoClearValues(t, db, db+"-wal", data.BackupBeforeProtect(db))
		code, out, _ = runBare(t, bin, env, "--db", db, "--passphrase-env", "SAFEER_PASS", "people", "show", id)
		if code != 0 || !strings.Contains(out, "maryam.hinai@example.om") {
			t.Errorf("show after: exit %d\n%s", code, out)
		}
	})
}

// Two commands started at the same moment on the same new database (a
// script's two jobs, or a command beside the app's first start) with the
// same passphrase: one encrypts it, the other waits for it
// (data/protect_lock.go) and opens it encrypted; both add their person,
// and both people read back.
func TestTwoCommandsAtOnceOnANewDatabase(t *testing.T) {
	for round := range 3 {
		db := filepath.Join(t.TempDir(), "roster.db")
		t.Setenv(protected.EnvName, protected.Passphrase)
		names := []string{"سالم الحارثي", "مريم الهنائية"}
		codes, errs := make([]int, 2), make([]string, 2)
		done := make(chan int)
		for i := range names {
			go func() {
				var out, errb bytes.Buffer
				m := NewMain(&out, &errb)
				m.StoreOptions = protected.Options()
				codes[i] = m.Run(context.Background(), append([]string{"--db", db}, append(protected.Args(), "people", "add", "--name-ar", names[i], "--governorate", "OM-MA")...))
				errs[i] = errb.String()
				done <- i
			}()
		}
		<-done
		<-done
		for i := range names {
			if codes[i] != 0 {
				t.Fatalf("round %d: command %d: exit %d\n%s", round, i, codes[i], errs[i])
			}
		}
		for _, n := range names {
			var out, errb bytes.Buffer
			m := NewMain(&out, &errb)
			m.StoreOptions = protected.Options()
			if code := m.Run(context.Background(), append([]string{"--db", db}, append(protected.Args(), "people", "search", n)...)); code != 0 {
				t.Fatalf("round %d: search: exit %d\n%s", round, code, errb.String())
			}
			if !strings.Contains(out.String(), n) {
				t.Fatalf("round %d: %s is not on the roster:\n%s", round, n, out.String())
			}
		}
	}
}
