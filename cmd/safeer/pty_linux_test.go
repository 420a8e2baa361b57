//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/oman-sca/safeer/data"
)

// openPTY opens a pseudo-terminal pair (Linux's /dev/ptmx): what is
// written to master is typed on slave.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { slave.Close() })
	return master, slave
}

// runTyped runs the built safeer with a terminal for stdin on which typed
// is typed, and returns its exit code, stdout and stderr.
func runTyped(t *testing.T, bin, typed string, args ...string) (int, string, string) {
	t.Helper()
	master, slave := openPTY(t)
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8"}
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, master) // what the terminal shows
	if _, err := master.WriteString(typed); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// TestCommandsProtectFirstOnTerminal: on a terminal, the first command on
// a new database says why and asks for the new passphrase twice; two that
// differ refuse the command and make no database; a clear database is
// encrypted under the passphrase typed twice, then asked once.
func TestCommandsProtectFirstOnTerminal(t *testing.T) {
	bin := buildSafeer(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")

	code, _, errs := runTyped(t, bin, "one passphrase\nanother one\n", "--db", db, "workshops", "list")
	if code != exitFail || !strings.Contains(errs, "the two passphrases differ") || !strings.Contains(errs, "A new database: choose the passphrase") {
		t.Fatalf("two passphrases that differ: exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("refused, it made the database: %v", err)
	}
	code, _, errs = runTyped(t, bin, "the typed passphrase\nthe typed passphrase\n", "--db", db, "workshops", "list")
	if code != 0 || strings.Count(errs, "New passphrase:") != 1 || strings.Count(errs, "The same passphrase again:") != 1 || !strings.Contains(errs, "The new database") {
		t.Fatalf("new database on a terminal: exit %d\n%s", code, errs)
	}
	code, _, errs = runTyped(t, bin, "the typed passphrase\n", "--db", db, "workshops", "list")
	if code != 0 || !strings.Contains(errs, "Passphrase:") || strings.Contains(errs, "New passphrase") {
		t.Fatalf("unlock on a terminal: exit %d\n%s", code, errs)
	}

	clear := filepath.Join(dir, "clear.db")
	id := addProtectPeople(t, clear)
	code, out, errs := runTyped(t, bin, "the typed passphrase\nthe typed passphrase\n", "--db", clear, "people", "show", id)
	if code != 0 || !strings.Contains(out, "+96891827364") || !strings.Contains(errs, "This database is not encrypted yet") ||
		!strings.Contains(errs, "encrypting: 8 of 8 records") || strings.Count(errs, "This database is not encrypted yet") != 1 {
		t.Fatalf("clear database on a terminal: exit %d\n%s\n%s", code, out, errs)
	}
	assertNoClearValues(t, clear, clear+"-wal", data.BackupBeforeProtect(clear))
}
