package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/sync/client"
	"github.com/oman-sca/safeer/vault"
)

// buildBoth builds the real safeer and safeer-hq into a temporary folder.
func buildBoth(t *testing.T) (device, hq string) {
	t.Helper()
	dir := t.TempDir()
	device, hq = filepath.Join(dir, "safeer"), filepath.Join(dir, "safeer-hq")
	for _, b := range []struct{ out, pkg string }{{device, "../safeer"}, {hq, "."}} {
		if out, err := exec.Command("go", "build", "-o", b.out, b.pkg).CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", b.pkg, err, out)
		}
	}
	return device, hq
}

// runBin runs a built program with env and stdin, and returns its exit
// code and output.
func runBin(t *testing.T, bin string, env []string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), out.String(), errb.String()
	} else if err != nil {
		t.Fatalf("run %s %v: %v", bin, args, err)
	}
	return 0, out.String(), errb.String()
}

// TestRecoverForgottenPassphrase, with the real programs: a laptop
// encrypts its database and entrusts its key to HQ's recovery key; its
// passphrase is then forgotten; safeer-hq recover sets a new one on the
// laptop's key file with HQ's recovery key (and not with another), and the
// laptop opens its data with it.
func TestRecoverForgottenPassphrase(t *testing.T) {
	device, hq := buildBoth(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "laptop.db")
	old := []string{"OLD=the forgotten passphrase"}
	ok := func(bin string, env []string, stdin string, args ...string) string {
		t.Helper()
		code, out, errs := runBin(t, bin, env, stdin, args...)
		if code != 0 {
			t.Fatalf("%s %v: exit %d\n%s\n%s", filepath.Base(bin), args, code, out, errs)
		}
		return out
	}
	// The first command encrypts the new database under the passphrase.
	ok(device, old, "", "--db", db, "--passphrase-env", "OLD", "people", "add", "--name-ar", "مريم الهنائية", "--phone", "9182 7364", "--civil-id", "90817263", "--governorate", "OM-MA")

	identity := filepath.Join(dir, "hq-recovery.key")
	recipient := strings.TrimSpace(ok(hq, nil, "", "recovery-key", "--out", identity))
	if !strings.HasPrefix(recipient, "age1") {
		t.Fatalf("recovery-key printed %q", recipient)
	}
	if fi, err := os.Stat(identity); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("recovery key file %v %v", fi, err)
	}
	if code, _, errs := runBin(t, hq, nil, "", "recovery-key", "--out", identity); code == 0 || !strings.Contains(errs, "never overwritten") {
		t.Fatalf("recovery-key over an existing one: exit %d\n%s", code, errs)
	}
	if out := ok(device, old, "", "--db", db, "--passphrase-env", "OLD", "escrow", "--recipient", recipient); !strings.Contains(out, recipient) {
		t.Fatalf("escrow: %s", out)
	}

	// Another HQ key cannot recover it.
	other := filepath.Join(dir, "other.key")
	ok(hq, nil, "", "recovery-key", "--out", other)
	keyFile := db + ".vault"
	if code, _, errs := runBin(t, hq, nil, "a new passphrase\n", "recover", "--key-file", keyFile, "--identity", other); code == 0 || !strings.Contains(errs, "cannot unlock") {
		t.Fatalf("recover with another key: exit %d\n%s", code, errs)
	}
	ok(hq, nil, "a new passphrase\n", "recover", "--key-file", keyFile, "--identity", identity)

	if code, _, errs := runBin(t, device, old, "", "--db", db, "--passphrase-env", "OLD", "people", "search", "91827364"); code != 1 || !strings.Contains(errs, "passphrase is wrong") {
		t.Fatalf("the old passphrase after recovery: exit %d\n%s", code, errs)
	}
	out := ok(device, []string{"NEW=a new passphrase"}, "", "--db", db, "--passphrase-env", "NEW", "people", "search", "90817263")
	if !strings.Contains(out, "مريم الهنائية") {
		t.Fatalf("search with the recovered key:\n%s", out)
	}
}

// TestEscrowAtEnrolment, with the real programs and a real HQ serving
// HTTP with --recovery-recipient: a laptop protected before it enrols
// entrusts its data key to HQ's recovery key at enrolment; a laptop
// enrolled while clear does at protect. For both, safeer-hq recover then
// sets a new passphrase with HQ's identity, and the laptop opens with it.
func TestEscrowAtEnrolment(t *testing.T) {
	device, hqBin := buildBoth(t)
	dir := t.TempDir()
	ok := func(bin string, env []string, stdin string, args ...string) string {
		t.Helper()
		code, out, errs := runBin(t, bin, env, stdin, args...)
		if code != 0 {
			t.Fatalf("%s %v: exit %d\n%s\n%s", filepath.Base(bin), args, code, out, errs)
		}
		return out
	}
	identity := filepath.Join(dir, "hq-recovery.key")
	recipient := strings.TrimSpace(ok(hqBin, nil, "", "recovery-key", "--out", identity))
	hqDB := filepath.Join(dir, "hq.db")
	codes := map[string]string{}
	for _, name := range []string{"protected-first", "enrolled-first"} {
		codes[name] = strings.TrimSpace(ok(hqBin, nil, "", "enrol", "--db", hqDB, "--governorate", "OM-MA", "--name", name))
	}

	// HQ, serving over real HTTP on a free port.
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	var logs bytes.Buffer
	m := NewMain(&bytes.Buffer{}, &logs)
	m.Getenv = func(string) string { return "" }
	m.Ready = func(a net.Addr) { addrc <- a }
	exited := make(chan int, 1)
	go func() {
		exited <- m.Run(ctx, []string{"serve", "--db", hqDB, "--addr", "127.0.0.1:0", "--recovery-recipient", recipient})
	}()
	t.Cleanup(func() { cancel(); <-exited })
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a.String()
	case c := <-exited:
		t.Fatalf("serve exited %d: %s", c, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}

	old := []string{"OLD=the forgotten passphrase"}
	for _, order := range []string{"protected-first", "enrolled-first"} {
		t.Run(order, func(t *testing.T) {
			db := filepath.Join(dir, order+".db")
			if order == "protected-first" {
				// Today's safeer: the first command encrypts the new
				// database, so the laptop is protected when it enrols.
				ok(device, old, "", "--db", db, "--passphrase-env", "OLD", "people", "add", "--name-ar", "مريم الهنائية", "--phone", "9182 7364", "--civil-id", "90817263", "--governorate", "OM-MA")
				ok(device, old, "", "--db", db, "--passphrase-env", "OLD", "enrol", "--hq", base, "--code", codes[order], "--name", order)
			} else {
				// A laptop enrolled by an older Safeer, which kept its
				// database clear (made here in-process, as that version
				// would have), then encrypted with safeer protect.
				enrolClear(t, db, base, codes[order])
				ok(device, old, "", "--db", db, "protect", "--passphrase-env", "OLD")
			}
			keyFile := db + ".vault"
			kf, err := vault.Load(keyFile)
			if err != nil {
				t.Fatal(err)
			}
			if kf.HQRecipient != recipient || len(kf.HQWrapped) == 0 {
				t.Fatalf("key file escrowed to %q (%d bytes); want HQ's %q", kf.HQRecipient, len(kf.HQWrapped), recipient)
			}
			if order == "enrolled-first" {
				checkBackup(t, device, hqBin, db, identity, old)
			}
			ok(hqBin, nil, "a new passphrase\n", "recover", "--key-file", keyFile, "--identity", identity)
			if code, _, errs := runBin(t, device, old, "", "--db", db, "--passphrase-env", "OLD", "people", "search", "90817263"); code != 1 || !strings.Contains(errs, "passphrase is wrong") {
				t.Fatalf("the old passphrase after recovery: exit %d\n%s", code, errs)
			}
			out := ok(device, []string{"NEW=a new passphrase"}, "", "--db", db, "--passphrase-env", "NEW", "people", "search", "90817263")
			if !strings.Contains(out, "مريم الهنائية") {
				t.Fatalf("search with the recovered key:\n%s", out)
			}
		})
	}
}

// enrolClear makes the clear, enrolled database an older Safeer left: a
// person added, the laptop enrolled at HQ (base) with code.
func enrolClear(t *testing.T, db, base, code string) {
	t.Helper()
	ctx := context.Background()
	s, err := data.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := safeer.Person{NameAr: "مريم الهنائية", Phone: "9182 7364", CivilID: "90817263", Governorate: "OM-MA"}
	if err := s.AddPerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if _, err := client.New(s, client.WithDeviceName("enrolled-first")).Enrol(ctx, base, code); err != nil {
		t.Fatal(err)
	}
}

// checkBackup: safeer backup FILE of the protected database at db writes
// a file (and its key file) holding no civil ID or phone in any spelling;
// moved to another folder (another Safeer), it opens with the passphrase,
// and after safeer-hq recover on its key file with a new one.
func checkBackup(t *testing.T, device, hqBin, db, identity string, pass []string) {
	t.Helper()
	stick := filepath.Join(t.TempDir(), "usb")
	if err := os.Mkdir(stick, 0o700); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(stick, "roster-backup.db")
	if code, out, errs := runBin(t, device, pass, "", "--db", db, "--passphrase-env", "OLD", "backup", backup); code != 0 {
		t.Fatalf("backup: exit %d\n%s\n%s", code, out, errs)
	}
	entries, _ := os.ReadDir(stick)
	if len(entries) != 2 {
		t.Fatalf("backup wrote %v: want the file and its key file", entries)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(stick, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{"90817263", "91827364", "9182 7364", "+96891827364"} {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("%s holds %q in clear", e.Name(), v)
			}
		}
	}
	// Another computer: the backup and its key file, nothing else.
	other := filepath.Join(t.TempDir(), "restored.db")
	for _, suffix := range []string{"", ".vault"} {
		b, err := os.ReadFile(backup + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(other+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if code, out, errs := runBin(t, device, pass, "", "--db", other, "--passphrase-env", "OLD", "people", "search", "90817263"); code != 0 || !strings.Contains(out, "مريم الهنائية") {
		t.Fatalf("the restored backup with the passphrase: exit %d\n%s\n%s", code, out, errs)
	}
	if code, _, errs := runBin(t, hqBin, nil, "the backup's new passphrase\n", "recover", "--key-file", other+".vault", "--identity", identity); code != 0 {
		t.Fatalf("recover the backup's key: exit %d\n%s", code, errs)
	}
	if code, out, errs := runBin(t, device, []string{"NEW=the backup's new passphrase"}, "", "--db", other, "--passphrase-env", "NEW", "people", "search", "91827364"); code != 0 || !strings.Contains(out, "مريم الهنائية") {
		t.Fatalf("the restored backup after HQ's recovery: exit %d\n%s\n%s", code, out, errs)
	}
}
