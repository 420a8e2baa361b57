package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/oman-sca/safeer/internal/initlog"
	"github.com/oman-sca/safeer/internal/testharness/protected"
)

// TestMain gives the tests the standard logger back: main does that for the
// program, and this test binary links internal/initlog too. Run with
// cli_protect_test.go's killAtStepEnv set, the test binary is safeer killed
// at a step of Protect instead (runSafeerKilledAtStep).
func TestMain(m *testing.M) {
	// The passphrase the tests give safeer (run, runClean), as a script
	// would: through --passphrase-env.
	os.Setenv(protected.EnvName, protected.Passphrase)
	runSafeerKilledAtStep()
	os.Stderr.Write(initlog.Release())
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

// buildSafeer builds the real safeer once for the tests that run it.
func buildSafeer(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "safeer-bin-")
		if built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "safeer")
		built.out, built.err = exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("build: %v\n%s", built.err, built.out)
	}
	return built.bin
}

// runClean runs the built safeer with nothing in its environment but PATH,
// the test passphrase and env (as cron and services run it: no DISPLAY, no
// D-Bus, no HOME), with --passphrase-env naming the test passphrase's
// variable before args (internal/testharness/protected), and returns its
// exit code, stdout and stderr. A database the test makes for it should be
// made with protected.Create or by the in-process run: a new database is
// otherwise encrypted by the binary with argon2id calibrated (seconds).
func runClean(t *testing.T, bin string, env []string, args ...string) (int, string, string) {
	t.Helper()
	return runBare(t, bin, append([]string{protected.Env()}, env...), append(protected.Args(), args...)...)
}

// runBare is runClean without the test passphrase: in env and args only.
func runBare(t *testing.T, bin string, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return code, out.String(), errb.String()
}

// TestHeadlessSaysNothingOfFyne runs the real binary, in the environment of
// a cron job, through commands that succeed: each must exit 0 and print
// nothing on stderr. Fyne's lang package logs "Error parsing user locale C"
// from its init under LANG=C.UTF-8 unless internal/initlog holds it back.
func TestHeadlessSaysNothingOfFyne(t *testing.T) {
	bin := buildSafeer(t)
	for _, lang := range []string{"C", "C.UTF-8"} {
		t.Run("LANG="+lang, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "s.db")
			// Encrypted already: a first command would say so on stderr.
			if err := protected.Create(context.Background(), db); err != nil {
				t.Fatal(err)
			}
			env := []string{"LANG=" + lang}
			ok := func(args ...string) string {
				t.Helper()
				code, out, errs := runClean(t, bin, env, args...)
				if code != 0 || errs != "" {
					t.Fatalf("safeer %v under LANG=%s: exit %d, stderr:\n%s", args, lang, code, errs)
				}
				return out
			}
			var p, w struct{ ID string }
			if err := json.Unmarshal([]byte(ok("--db", db, "people", "add", "--name-ar", "سالم الحارثي", "--governorate", "OM-MA", "--json")), &p); err != nil || p.ID == "" {
				t.Fatalf("people add: %v %+v", err, p)
			}
			if out := ok("--db", db, "people", "search", "سالم"); !strings.Contains(out, p.ID) {
				t.Fatalf("people search found:\n%s", out)
			}
			if err := json.Unmarshal([]byte(ok("--db", db, "workshops", "add", "--title-ar", "المدن الذكية", "--title-en", "Smart Cities",
				"--date", "2026-12-01", "--hours", "3", "--governorate", "OM-MA", "--wilayat", "Muttrah", "--json")), &w); err != nil || w.ID == "" {
				t.Fatalf("workshops add: %v %+v", err, w)
			}
			if out := ok("--db", db, "workshops", "list"); !strings.Contains(out, "Smart Cities") {
				t.Fatalf("workshops list:\n%s", out)
			}
			ok("--db", db, "attend", w.ID, p.ID)
			ok("--db", db, "export", "people", "--format", "csv", "--out", filepath.Join(dir, "people.csv"))
			ok("--db", db, "certificates", "list", "--workshop", w.ID)
			if out := ok("--db", db, "sync", "status"); !strings.Contains(out, "Enrolled:") {
				t.Fatalf("sync status:\n%s", out)
			}
			if out := ok("people", "--help"); !strings.Contains(out, "people search") {
				t.Fatalf("people --help:\n%s", out)
			}
			for _, v := range []string{"--version", "version"} {
				if out := ok(v); !versionLine.MatchString(out) {
					t.Fatalf("safeer %s: %q", v, out)
				}
			}
		})
	}
}

// TestInitlogBeforeFyne checks the order internal/initlog's comment argues
// for, in the real binary: Go's own trace of package initialisation must
// show initlog before Fyne's lang package, whose init reads the locale.
func TestInitlogBeforeFyne(t *testing.T) {
	bin := buildSafeer(t)
	_, _, errs := runBare(t, bin, []string{"GODEBUG=inittrace=1"}, "--db", filepath.Join(t.TempDir(), "s.db"), "sync", "status")
	at := map[string]int{}
	for i, line := range strings.Split(errs, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "init" {
			at[f[1]] = i + 1
		}
	}
	il, fl := at["github.com/oman-sca/safeer/internal/initlog"], at["fyne.io/fyne/v2/lang"]
	if il == 0 || fl == 0 || il > fl {
		t.Fatalf("initlog initialised at line %d, Fyne's lang at %d (0: not seen) of the trace:\n%s", il, fl, errs)
	}
}

// TestNoCommandNoDisplay: with no command and no display (a script that
// forgot its command, run by cron) safeer says so and exits 2, where GLFW
// used to panic with a stack trace.
func TestNoCommandNoDisplay(t *testing.T) {
	bin := buildSafeer(t)
	code, out, errs := runClean(t, bin, []string{"LANG=C.UTF-8"}, "--db", filepath.Join(t.TempDir(), "s.db"))
	if code != 2 || out != "" || !strings.Contains(errs, "no display") || !strings.Contains(errs, "safeer help") ||
		strings.Contains(errs, "panic") || strings.Contains(errs, "Fyne") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
}

func TestHasDisplay(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, tt := range []struct {
		goos string
		env  func(string) string
		want bool
	}{
		{"linux", env(), false},
		{"linux", env("DISPLAY", ":0"), true},
		{"linux", env("WAYLAND_DISPLAY", "wayland-0"), true},
		{"freebsd", env(), false},
		{"windows", env(), true},
		{"darwin", env(), true},
	} {
		if got := hasDisplay(tt.goos, tt.env); got != tt.want {
			t.Errorf("hasDisplay(%s, DISPLAY=%q WAYLAND_DISPLAY=%q) = %v", tt.goos, tt.env("DISPLAY"), tt.env("WAYLAND_DISPLAY"), got)
		}
	}
}
