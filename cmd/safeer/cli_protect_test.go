package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/internal/initlog"
	"github.com/oman-sca/safeer/internal/testharness/protected"
	"github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/spreadsheet"
)

// runFD runs the built safeer like runClean, with the passphrase lines
// given readable on file descriptor 3 (and the next ones), as a script
// passes them with --passphrase-fd 3.
func runFD(t *testing.T, bin string, env []string, fds []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	for _, line := range fds {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			w.WriteString(line + "\n")
			w.Close()
		}()
		defer r.Close()
		cmd.ExtraFiles = append(cmd.ExtraFiles, r)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return code, out.String(), errb.String()
}

// clearValues are the personal values the protect tests write: none may
// be found in the database's files once it is encrypted.
var clearValues = []string{"+96891827364", "91827364", "90817263", "maryam.hinai@example.om", "needs a ramp qz"}

// clearDB runs fn on the database at db left clear, as a Safeer older
// than protection made it (the commands encrypt a database before using
// it: the data API does not).
func clearDB(t *testing.T, db string, fn func(ctx context.Context, s *data.Store) error) {
	t.Helper()
	ctx := context.Background()
	s, err := data.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Protected() {
		t.Fatalf("%s is encrypted already", db)
	}
	if err := fn(ctx, s); err != nil {
		t.Fatal(err)
	}
}

// addProtectPeople makes db a clear database of four people, one with
// every personal field (clearValues), and returns that one's id.
func addProtectPeople(t *testing.T, db string) string {
	t.Helper()
	p := safeer.Person{NameAr: "مريم الهنائية", Phone: "9182 7364", CivilID: "90817263",
		Email: "Maryam.Hinai@example.om", Governorate: "OM-MA", Notes: "needs a ramp qz"}
	clearDB(t, db, func(ctx context.Context, s *data.Store) error {
		if err := s.AddPerson(ctx, &p); err != nil {
			return err
		}
		for i, name := range []string{"سالم الحارثي", "خالد البلوشي", "ليلى الكندية"} {
			if err := s.AddPerson(ctx, &safeer.Person{NameAr: name, Phone: "9900 000" + string(rune('1'+i)), Governorate: "OM-MA"}); err != nil {
				return err
			}
		}
		return nil
	})
	return p.ID
}

func assertNoClearValues(t *testing.T, files ...string) {
	t.Helper()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range clearValues {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("%s holds %q in clear", filepath.Base(f), v)
			}
		}
	}
}

// TestProtectCommand: safeer protect encrypts a database in place with
// progress; every command then needs the passphrase (from a descriptor,
// a variable or a terminal) and refuses to run without it, in the
// reader's language; the passphrase is never accepted as an argument.
func TestProtectCommand(t *testing.T) {
	bin := buildSafeer(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	id := addProtectPeople(t, db)

	code, out, errs := runFD(t, bin, nil, []string{"a passphrase for the test"}, "--db", db, "protect", "--passphrase-fd", "3")
	if code != 0 || !strings.Contains(errs, "encrypting: 8 of 8 records") || !strings.Contains(out, "The database is encrypted") {
		t.Fatalf("protect: exit %d\n%s\n%s", code, out, errs)
	}
	assertNoClearValues(t, db, db+"-wal", data.BackupBeforeProtect(db))
	if _, err := os.Stat(data.VaultKeyPath(db)); err != nil {
		t.Fatal(err)
	}

	// Without the passphrase: refused, in English or Arabic, nothing done.
	for lang, want := range map[string]string{"C.UTF-8": "This database is encrypted", "ar_OM.UTF-8": "قاعدة البيانات هذه مشفرة"} {
		code, out, errs = runBare(t, bin, []string{"LANG=" + lang}, "--db", db, "people", "show", id)
		if code != 1 || out != "" || !strings.Contains(errs, want) || !strings.Contains(errs, "--passphrase-fd") {
			t.Fatalf("LANG=%s without passphrase: exit %d\n%s\n%s", lang, code, out, errs)
		}
	}
	for _, arg := range []string{"--passphrase=secret words", "-passphrase", "--new-passphrase=x"} {
		code, _, errs = runClean(t, bin, nil, "--db", db, "people", "show", id, arg)
		if code == 0 || !strings.Contains(errs, "Never give the passphrase itself") {
			t.Fatalf("%s: exit %d\n%s", arg, code, errs)
		}
	}
	// Wrong passphrase: said so, nothing changed.
	code, _, errs = runFD(t, bin, nil, []string{"not the passphrase"}, "--db", db, "people", "show", id, "--passphrase-fd", "3")
	if code != 1 || !strings.Contains(errs, "The passphrase is wrong") {
		t.Fatalf("wrong passphrase: exit %d\n%s", code, errs)
	}
	// From a descriptor and from a variable: the people are there, found
	// by phone and civil ID.
	code, out, errs = runFD(t, bin, nil, []string{"a passphrase for the test"}, "--passphrase-fd", "3", "--db", db, "people", "search", "91827364", "--json")
	if code != 0 || !strings.Contains(out, id) || !strings.Contains(out, "maryam.hinai@example.om") {
		t.Fatalf("search by phone: exit %d\n%s\n%s", code, out, errs)
	}
	env := []string{"SAFEER_PASS=a passphrase for the test"}
	code, out, errs = runClean(t, bin, env, "--db", db, "--passphrase-env", "SAFEER_PASS", "people", "search", "90817263", "--json")
	if code != 0 || !strings.Contains(out, id) {
		t.Fatalf("search by civil ID: exit %d\n%s\n%s", code, out, errs)
	}
	code, _, errs = runClean(t, bin, nil, "--db", db, "--passphrase-env", "SAFEER_NOPE", "people", "show", id)
	if code != 1 || !strings.Contains(errs, "SAFEER_NOPE holds no passphrase") {
		t.Fatalf("empty variable: exit %d\n%s", code, errs)
	}
	// A second protect refuses; an export has the values in clear.
	code, _, errs = runClean(t, bin, env, "--db", db, "protect", "--passphrase-env", "SAFEER_PASS")
	if code != 1 || !strings.Contains(errs, "encrypted already") {
		t.Fatalf("protect twice: exit %d\n%s", code, errs)
	}
	csv := filepath.Join(dir, "people.csv")
	if code, _, errs = runClean(t, bin, env, "--db", db, "--passphrase-env", "SAFEER_PASS", "export", "people", "--format", "csv", "--out", csv); code != 0 {
		t.Fatalf("export: %s", errs)
	}
	if b, _ := os.ReadFile(csv); !bytes.Contains(b, []byte("+96891827364")) {
		t.Fatalf("export:\n%s", b)
	}
	// Changing the passphrase.
	env = append(env, "SAFEER_NEW=another passphrase")
	code, out, errs = runClean(t, bin, env, "--db", db, "passphrase", "change", "--passphrase-env", "SAFEER_PASS", "--new-passphrase-env", "SAFEER_NEW")
	if code != 0 || !strings.Contains(out, "The passphrase is changed") {
		t.Fatalf("passphrase change: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = runClean(t, bin, env, "--db", db, "--passphrase-env", "SAFEER_NEW", "people", "show", id, "--json")
	var shown struct{ Person struct{ Phone string } }
	json.Unmarshal([]byte(out), &shown)
	if code != 0 || shown.Person.Phone != "+96891827364" {
		t.Fatalf("show with the new passphrase: exit %d\n%s", code, out)
	}
	assertNoClearValues(t, db, db+"-wal", data.BackupBeforeProtect(db))
}

// killAtStepEnv, read by this test binary alone (TestMain), makes it run
// as safeer, the real command (Main), killed at the step of Protect it
// names: see runSafeerKilledAtStep. The production binary reads no such
// variable (issue 12).
const killAtStepEnv = "SAFEER_TEST_KILL_AT_PROTECT_STEP"

// killedExit is the exit code of the process killed at a step.
const killedExit = 97

// runSafeerKilledAtStep returns at once unless killAtStepEnv is set; then
// it runs this process as safeer does main (its arguments are safeer's),
// watching Protect with data.WithProtectSteps and exiting at the step
// named with killedExit, no deferred function run, as a kill.
func runSafeerKilledAtStep() {
	step := os.Getenv(killAtStepEnv)
	if step == "" {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := NewMain(os.Stdout, os.Stderr)
	m.InitLog = initlog.Release()
	m.Stdin = os.Stdin
	m.Langs = []message.Lang{message.LangOfEnv(os.Getenv)}
	// Argon2id at the test databases' cost: the kills are about the
	// file, not the key's wrapping.
	m.StoreOptions = append(protected.Options(), data.WithProtectSteps(func(at string) error {
		if at == step {
			os.Exit(killedExit)
		}
		return nil
	}))
	code := m.Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// TestProtectKilledAtEveryStep kills safeer protect, and a command that
// encrypts a clear database before it runs (people search), at each step
// of the encryption (an exit with no deferred function run, as a kill):
// the database always opens, loses nothing, and the next run finishes the
// job (the next command on a file still clear, any command on one
// encrypted already), leaving no clear value in the file, its -wal or the
// backup. The killed safeer is this test binary run again
// (runSafeerKilledAtStep); the runs after the kill are the built safeer.
// A step Protect no longer reaches fails the test: that run exits 0, not
// killedExit.
func TestProtectKilledAtEveryStep(t *testing.T) {
	bin := buildSafeer(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"SAFEER_PASS=a passphrase for the test"}
	for _, killed := range []struct {
		name string
		args []string
	}{
		{"protect", []string{"protect"}},
		{"people-search", []string{"people", "search", "91827364", "--json"}},
	} {
		for _, step := range []string{"created", "backed-up", "key-saved", "sealed", "compacted", "backup-sealed", "backup-shredded", "backup-renamed"} {
			t.Run(killed.name+"/"+step, func(t *testing.T) {
				protectKilledAtStep(t, bin, self, env, killed.args, step)
			})
		}
	}
}

// protectKilledAtStep kills safeer running killedArgs on a clear database
// at step, then checks the next commands finish the encryption and lose
// nothing.
func protectKilledAtStep(t *testing.T, bin, self string, env, killedArgs []string, step string) {
	db := filepath.Join(t.TempDir(), "s.db")
	id := addProtectPeople(t, db)
	code, _, errs := runClean(t, self, append(env, killAtStepEnv+"="+step), append(append([]string{"--db", db}, killedArgs...), "--passphrase-env", "SAFEER_PASS")...)
	if code != killedExit {
		t.Fatalf("%v killed at %s: exit %d\n%s", killedArgs, step, code, errs)
	}
	// The file opens, clear or encrypted, with everyone (this command
	// encrypts it first if it is still clear, or finishes the encryption).
	code, out, errs := runClean(t, bin, env, "--db", db, "--passphrase-env", "SAFEER_PASS", "people", "search", "", "--limit", "0", "--json")
	var found searchOutput
	if code != 0 || json.Unmarshal([]byte(out), &found) != nil || found.Total != 4 {
		t.Fatalf("after the kill: exit %d\n%s\n%s", code, out, errs)
	}
	code, _, errs = runClean(t, bin, env, "--db", db, "protect", "--passphrase-env", "SAFEER_PASS")
	if code != 0 && !strings.Contains(errs, "encrypted already") {
		t.Fatalf("protect again: exit %d\n%s", code, errs)
	}
	code, out, errs = runClean(t, bin, env, "--db", db, "--passphrase-env", "SAFEER_PASS", "people", "show", id)
	if code != 0 || !strings.Contains(out, "+96891827364") || !strings.Contains(out, "maryam.hinai@example.om") {
		t.Fatalf("after protect: exit %d\n%s\n%s", code, out, errs)
	}
	backup := data.BackupBeforeProtect(db)
	if _, err := os.Stat(backup); err != nil {
		t.Fatalf("backup: %v", err)
	}
	if _, err := os.Stat(backup + ".sealed"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the sealed copy is left: %v", err)
	}
	assertNoClearValues(t, db, db+"-wal", backup)
}

// TestProtectKilledAtRandomMoments sends SIGKILL to a real safeer protect
// at a random moment of its run, over a roster of 2,000 people, in
// several rounds from the same clear file: after the kill the database
// opens (clear or encrypted) with everyone, and the next protect (or, when
// the kill came after the sealing, the next open) finishes the job, with
// no clear value left in the files or the backup. SAFEER_CRASH_SEED
// replays a run.
func TestProtectKilledAtRandomMoments(t *testing.T) {
	bin := buildSafeer(t)
	dir := t.TempDir()
	clearPath := filepath.Join(dir, "clear.db")
	id := addProtectPeople(t, clearPath)
	var csv strings.Builder
	csv.WriteString("name_ar,phone,civil_id,governorate\n")
	for i := range 1996 {
		fmt.Fprintf(&csv, "سعيد بن علي الراشدي %d,+9687%07d,%08d,OM-MA\n", i, i, 30000000+i)
	}
	roster := filepath.Join(dir, "roster.csv")
	if err := os.WriteFile(roster, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	clearDB(t, clearPath, func(ctx context.Context, s *data.Store) error {
		tbl, err := spreadsheet.Open(roster)
		if err != nil {
			return err
		}
		if _, err := s.Import(ctx, tbl, data.ImportOptions{Source: "roster.csv"}); err != nil {
			return err
		}
		return s.Backup(ctx, filepath.Join(dir, "clear-copy.db")) // a file without -wal
	})
	raw, err := os.ReadFile(filepath.Join(dir, "clear-copy.db"))
	if err != nil {
		t.Fatal(err)
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("SAFEER_CRASH_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	rnd := rand.New(rand.NewPCG(seed, 14))
	t.Logf("seed %d (SAFEER_CRASH_SEED=%d replays the kill times)", seed, seed)
	env := []string{"PATH=" + os.Getenv("PATH"), "SAFEER_PASS=a passphrase for the test"}
	fresh := func() string {
		db := filepath.Join(t.TempDir(), "s.db")
		if err := os.WriteFile(db, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		return db
	}
	count := func(db string) int {
		t.Helper()
		code, out, errs := runClean(t, bin, env[1:], "--db", db, "--passphrase-env", "SAFEER_PASS", "people", "search", "", "--limit", "0", "--json")
		var found searchOutput
		if code != 0 || json.Unmarshal([]byte(out), &found) != nil {
			t.Fatalf("the database after a kill: exit %d\n%s", code, errs)
		}
		return found.Total
	}
	// How long a whole protect takes here: the kills fall within it.
	t0 := time.Now()
	if code, _, errs := runClean(t, bin, env[1:], "--db", fresh(), "protect", "--passphrase-env", "SAFEER_PASS"); code != 0 {
		t.Fatalf("protect of a copy: %s", errs)
	}
	whole := time.Since(t0)
	killed := 0
	for round := 0; round < 8 && killed < 3; round++ {
		db := fresh()
		cmd := exec.Command(bin, "--db", db, "protect", "--passphrase-env", "SAFEER_PASS")
		cmd.Env = env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Most of the first half is the passphrase's calibration: the
		// kills fall in the second half, where the file changes.
		after := whole/2 + time.Duration(rnd.Int64N(int64(whole/2)))
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			t.Logf("round %d: protect finished before %v (%v)", round, after, err)
			continue
		case <-time.After(after):
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			killed++
			t.Logf("round %d: killed after %v of %v", round, after, whole)
		}
		if n := count(db); n != 2000 {
			t.Fatalf("round %d: %d people after the kill, want 2000", round, n)
		}
		code, _, errs := runClean(t, bin, env[1:], "--db", db, "protect", "--passphrase-env", "SAFEER_PASS")
		if code != 0 && !strings.Contains(errs, "encrypted already") {
			t.Fatalf("round %d: protect after the kill: exit %d\n%s", round, code, errs)
		}
		if n := count(db); n != 2000 {
			t.Fatalf("round %d: %d people at the end", round, n)
		}
		code, out, _ := runClean(t, bin, env[1:], "--db", db, "--passphrase-env", "SAFEER_PASS", "people", "show", id)
		if code != 0 || !strings.Contains(out, "+96891827364") {
			t.Fatalf("round %d: show after protect: exit %d\n%s", round, code, out)
		}
		if code, _, _ := runBare(t, bin, nil, "--db", db, "people", "show", id); code != 1 {
			t.Fatalf("round %d: the database is not encrypted at the end", round)
		}
		assertNoClearValues(t, db, db+"-wal", data.BackupBeforeProtect(db))
		if b, err := os.ReadFile(db); err != nil || bytes.Contains(b, []byte("+96870000017")) || bytes.Contains(b, []byte("30000017")) {
			t.Fatalf("round %d: an imported phone or civil ID in clear (%v)", round, err)
		}
	}
	if killed == 0 {
		t.Fatalf("no run was killed (a whole protect takes %v)", whole)
	}
}
